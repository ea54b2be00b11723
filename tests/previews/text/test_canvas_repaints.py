"""The text view paints again while a file is indexed only when what it shows changes."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication

from artifact_viewer.previews.text.canvas import TextView
from artifact_viewer.previews.text.document import TextDocument


class CountingView(TextView):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.paints += 1
        super().paintEvent(event)


def _newlines(data: bytes, start: int, end: int) -> np.ndarray:
    view = np.frombuffer(data, dtype=np.uint8)[start:end]
    return np.flatnonzero(view == 10) + start


def _settle(qtbot, view: CountingView) -> int:
    """Paint whatever is pending; the number of paints that took."""
    before = view.paints
    QApplication.processEvents()
    qtbot.wait(20)
    return view.paints - before


def _shown(qtbot, path):
    """A fresh line index of ``path`` and a shown view over it, before any line is indexed."""
    doc = TextDocument.open(path)
    index = doc.new_index()
    view = CountingView()
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.set_document(doc, index)
    view.show()
    qtbot.waitExposed(view)
    return index, view


def test_indexing_below_a_numbered_screen_does_not_repaint_it(qtbot, tmp_path) -> None:
    # 20 000 lines of 10 bytes: the gutter needs 5 digits from the first chunk on.
    data = b"".join(b"line %04d\n" % (i % 10_000) for i in range(20_000))
    path = tmp_path / "big.log"
    path.write_bytes(data)
    index, view = _shown(qtbot, path)
    chunk = 20_000
    index.add(_newlines(data, 0, chunk), chunk)
    view.index_changed()
    assert _settle(qtbot, view) >= 1  # the screen's numbers became known: painted
    shown = view.visible_offsets()
    assert shown and all(index.line_number(o) is not None for o in shown)
    for pos in range(chunk, len(data), chunk):
        index.add(_newlines(data, pos, pos + chunk), min(len(data), pos + chunk))
        view.index_changed()
        assert _settle(qtbot, view) == 0, pos  # same numbers, same gutter: nothing to redo
    assert index.complete and view.visible_offsets() == shown


def test_lines_on_screen_get_their_numbers_as_the_index_reaches_them(qtbot, tmp_path) -> None:
    data = b"".join(b"entry %05d\n" % i for i in range(5_000))
    path = tmp_path / "tail.log"
    path.write_bytes(data)
    index, view = _shown(qtbot, path)
    view.scroll_to_end()
    half = len(data) // 2
    index.add(_newlines(data, 0, half), half)
    view.index_changed()
    _settle(qtbot, view)
    # The last screen is beyond the scanned half: its numbers are still unknown ...
    assert index.line_number(view.visible_offsets()[-1]) is None
    index.add(_newlines(data, half, len(data)), len(data))
    view.index_changed()
    # ... and once the scan reaches them, the view paints them.
    assert _settle(qtbot, view) >= 1
    last = view.visible_offsets()[-1]
    assert index.line_number(last) == 5_000
