"""Hex previewer: metadata, text head and a virtual dump for any bytes, any size."""

from __future__ import annotations

from PySide6.QtCore import Qt

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.hex.previewer import HexPreviewer, HexView
from tests.previews import samples


def open_hex(qtbot, path, mime=None):
    previewer = HexPreviewer()
    qtbot.addWidget(previewer)
    previewer.resize(800, 400)
    with qtbot.waitSignal(previewer.finished, timeout=10_000):
        previewer.load(PreviewSource(path, mime))
    return previewer


def test_row_format_shows_offset_hex_and_ascii() -> None:
    row = HexView.format_row(0x20, b"PK\x03\x04hello\x00world!")
    assert row.startswith("0000000020  50 4b 03 04 68 65 6c 6c  6f 00 77")
    assert row.endswith("PK..hello.world!")


def test_binary_shows_size_and_description(qtbot, tmp_path) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    previewer = open_hex(qtbot, path, mime="text/csv")
    assert "1,028 bytes" in previewer.info.text()
    assert "labelled text/csv" in previewer.info.text()
    assert previewer.view.row_count() == (1028 + 15) // 16


def test_text_head_is_shown_readably(qtbot, tmp_path) -> None:
    path = tmp_path / "t.bin"
    path.write_bytes(b"hello\x01world\nsecond line")
    previewer = open_hex(qtbot, path)
    assert previewer.head.toPlainText() == "hello·world\nsecond line"


def test_empty_file(qtbot, tmp_path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    previewer = open_hex(qtbot, path)
    assert previewer.view.row_count() == 0
    assert "0 bytes" in previewer.info.text()
    previewer.view.viewport().grab()


def test_huge_file_scrolls_to_the_end(qtbot, tmp_path) -> None:
    path = tmp_path / "big.bin"
    with path.open("wb") as fh:
        fh.truncate(64 * 2**20)  # sparse: instant, still 64 MiB to address
    previewer = open_hex(qtbot, path)
    view = previewer.view
    view.show()
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.top_row() + view.visible_rows() == view.row_count()
    view.viewport().grab()


def test_buttons_emit_requests(qtbot, tmp_path) -> None:
    previewer = open_hex(qtbot, samples.write_binary(tmp_path / "b"))
    with qtbot.waitSignal(previewer.openExternallyRequested, timeout=1000):
        previewer.open_button.click()
    with qtbot.waitSignal(previewer.saveAsRequested, timeout=1000):
        previewer.save_button.click()


def test_missing_file_fails_cleanly(qtbot, tmp_path) -> None:
    previewer = HexPreviewer()
    qtbot.addWidget(previewer)
    with qtbot.waitSignal(previewer.failed, timeout=10_000) as blocker:
        previewer.load(PreviewSource(tmp_path / "nope"))
    assert "Cannot read" in blocker.args[0]


def test_rows_fit_the_width_so_the_ascii_column_is_never_cut(qtbot, tmp_path) -> None:
    path = tmp_path / "b.bin"
    path.write_bytes(bytes(range(256)) * 4)
    previewer = open_hex(qtbot, path)
    previewer.show()
    qtbot.waitExposed(previewer)
    view = previewer.view
    assert view.row_bytes == 16
    seen = set()
    for width in (420, 250, 800):
        previewer.resize(width, 400)
        qtbot.waitUntil(lambda width=width: previewer.width() == width, timeout=5_000)
        view.viewport().repaint()
        rows = view.row_bytes
        seen.add(rows)
        chars = view.viewport().width() // view.fontMetrics().horizontalAdvance("0")
        assert len(view.row_text(0)) <= chars  # offset, hex and the whole ASCII column
        assert view.horizontalScrollBar().maximum() == 0
        assert view.row_text(0).endswith("." * min(rows, 32))
        assert view.row_count() == (1024 + rows - 1) // rows
    assert seen == {4, 8, 16} or (len(seen) >= 2 and 16 in seen)
