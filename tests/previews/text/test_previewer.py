"""Text and log previewers: first screen, index, jumps, search, empty/huge/broken files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.text.previewer import LogPreviewer, TextPreviewer
from tests.previews import samples


def open_preview(qtbot, path, cls=LogPreviewer, mime=None):
    previewer = cls()
    qtbot.addWidget(previewer)
    previewer.resize(700, 400)
    previewer.show()
    qtbot.waitExposed(previewer)
    signals = [previewer.finished] + ([previewer.errorsFound] if cls.levels else [])
    with qtbot.waitSignals(signals, timeout=20_000):
        previewer.load(PreviewSource(path, mime))
    return previewer


def drawn_texts(previewer) -> list[str]:
    previewer.view.viewport().grab()  # paints now, exposed or not
    doc = previewer.document()
    return [doc.line_at(offset)[0] for offset in previewer.view.visible_offsets()]


def test_log_opens_with_line_count_and_first_lines(qtbot, tmp_path) -> None:
    path = samples.write_log(tmp_path / "run.log", 300)
    previewer = open_preview(qtbot, path)
    assert previewer.line_index().line_count() == 300
    shown = drawn_texts(previewer)
    assert shown and shown == samples.log_lines(300)[: len(shown)]
    assert "300 lines" in previewer.status.text() and "utf-8" in previewer.status.text()


def test_ready_comes_before_finished(qtbot, tmp_path) -> None:
    path = samples.write_log(tmp_path / "run.log", 50)
    previewer = LogPreviewer()
    qtbot.addWidget(previewer)
    order: list[str] = []
    previewer.ready.connect(lambda: order.append("ready"))
    previewer.finished.connect(lambda: order.append("finished"))
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(path))
    assert order == ["ready", "finished"]


def test_jump_to_end_shows_the_last_lines(qtbot, tmp_path) -> None:
    path = samples.write_log(tmp_path / "run.log", 2000)
    previewer = open_preview(qtbot, path)
    qtbot.mouseClick(previewer.end_button, Qt.MouseButton.LeftButton)
    shown = drawn_texts(previewer)
    assert shown[-1] == samples.log_lines(2000)[-1]
    qtbot.keyClick(previewer.view, Qt.Key.Key_Home)
    assert drawn_texts(previewer)[0] == samples.log_lines(2000)[0]


def test_jump_to_end_works_before_any_index(qtbot, tmp_path) -> None:
    """The tail is read directly: the view needs no newline index to show the end."""
    from artifact_viewer.previews.text.canvas import TextView
    from artifact_viewer.previews.text.document import TextDocument

    path = samples.write_log(tmp_path / "run.log", 1000)
    view = TextView()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_document(TextDocument.open(path), index=None)
    view.scroll_to_end()
    view.viewport().grab()
    doc = view.document()
    assert doc.line_at(view.visible_offsets()[-1])[0] == samples.log_lines(1000)[-1]


def test_next_and_previous_error_visit_error_lines_in_order(qtbot, tmp_path) -> None:
    path = samples.write_log(tmp_path / "run.log", 40)
    previewer = open_preview(qtbot, path)
    lines = samples.log_lines(40)
    expected = [ln for ln in lines if "ERROR" in ln or "CRITICAL" in ln]
    visited = []
    for _ in range(len(expected) + 1):
        qtbot.keyClick(previewer.view, Qt.Key.Key_F8)
        visited.append(previewer.document().line_at(previewer.view.current_offset())[0])
    assert visited == expected + expected[:1]  # wraps around after the last one
    qtbot.keyClick(previewer.view, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert previewer.document().line_at(previewer.view.current_offset())[0] == expected[-1]


def test_search_reports_hits_and_moves_between_them(qtbot, tmp_path) -> None:
    path = samples.write_log(tmp_path / "run.log", 100)
    previewer = open_preview(qtbot, path)
    previewer.find_edit.setText("row=7")
    qtbot.keyClick(previewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: previewer.search_result() is not None, timeout=10_000)
    result = previewer.search_result()
    expected = [ln for ln in samples.log_lines(100) if "row=7" in ln]
    assert result.total == len(expected)
    doc = previewer.document()
    assert doc.line_at(previewer.view.current_offset())[0] == expected[0]
    assert previewer.hits_label.text().startswith("1 of")
    qtbot.keyClick(previewer.find_edit, Qt.Key.Key_Return)
    assert doc.line_at(previewer.view.current_offset())[0] == expected[1]
    qtbot.keyClick(previewer.view, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert doc.line_at(previewer.view.current_offset())[0] == expected[0]


def test_search_without_matches_says_so(qtbot, tmp_path) -> None:
    previewer = open_preview(qtbot, samples.write_log(tmp_path / "run.log", 20))
    previewer.find_edit.setText("no such text")
    previewer.start_search()
    qtbot.waitUntil(lambda: previewer.hits_label.text() == "No matches", timeout=10_000)


def test_wrap_toggle_keeps_lines_and_hides_horizontal_bar(qtbot, tmp_path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(("word " * 400 + "\n") * 5)
    previewer = open_preview(qtbot, path, TextPreviewer)
    assert len(drawn_texts(previewer)) == 5
    previewer.wrap_box.setChecked(True)
    shown = drawn_texts(previewer)
    assert 1 <= len(shown) < 5  # each wrapped line now takes several rows
    assert previewer.view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_copy_selected_lines(qtbot, tmp_path) -> None:
    from PySide6.QtGui import QGuiApplication

    path = samples.write_log(tmp_path / "run.log", 30)
    previewer = open_preview(qtbot, path)
    view = previewer.view
    drawn_texts(previewer)
    line_height = view.fontMetrics().lineSpacing()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_point(5, line_height // 2))
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ShiftModifier,
        _point(5, line_height * 2 + line_height // 2),
    )
    view.copy_selection()
    assert QGuiApplication.clipboard().text().splitlines() == samples.log_lines(3)


def _point(x, y):
    from PySide6.QtCore import QPoint

    return QPoint(x, y)


def test_empty_file_shows_placeholder(qtbot, tmp_path) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    previewer = open_preview(qtbot, path)
    assert previewer.line_index().line_count() == 0
    assert drawn_texts(previewer) == []


def test_missing_file_fails_with_a_message(qtbot, tmp_path) -> None:
    previewer = LogPreviewer()
    qtbot.addWidget(previewer)
    with qtbot.waitSignal(previewer.failed, timeout=10_000) as blocker:
        previewer.load(PreviewSource(tmp_path / "gone.log"))
    assert "Cannot read the file" in blocker.args[0]


def test_binary_bytes_labelled_as_log_still_open(qtbot, tmp_path) -> None:
    path = samples.write_binary(tmp_path / "blob.log", 5000)
    previewer = open_preview(qtbot, path, mime="text/x-log")
    assert drawn_texts(previewer)  # shown (as Latin-1), no crash


def test_huge_log_is_indexed_completely(qtbot, tmp_path) -> None:
    path = samples.write_big_log(tmp_path / "big.log", 40)
    newlines = path.read_bytes().count(b"\n")
    previewer = open_preview(qtbot, path)
    assert previewer.line_index().line_count() == newlines
    assert previewer.error_offsets().size >= newlines // 8


def test_loading_another_file_cancels_the_first(qtbot, tmp_path) -> None:
    big = samples.write_big_log(tmp_path / "big.log", 30)
    small = samples.write_log(tmp_path / "small.log", 10)
    previewer = LogPreviewer()
    qtbot.addWidget(previewer)
    previewer.load(PreviewSource(big))
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(small))
    assert previewer.document().path == small
    assert previewer.line_index().line_count() == 10


@pytest.mark.parametrize("cls", [TextPreviewer, LogPreviewer])
def test_kinds_and_titles(cls) -> None:
    assert cls.kind in {"text", "log"} and cls.title


def test_wrapped_giant_line_fills_the_screen_without_laying_out_all_of_it(qtbot, tmp_path) -> None:
    path = tmp_path / "min.json"
    path.write_bytes(b'{"k": "' + b"v" * 200_000 + b'"}')
    previewer = open_preview(qtbot, path, TextPreviewer)
    previewer.wrap_box.setChecked(True)
    view = previewer.view
    view.viewport().grab()
    assert view.visible_offsets() == [0]  # the first 64 KiB piece covers the whole screen


def test_arrow_keys_scroll_long_lines_sideways(qtbot, tmp_path) -> None:
    path = tmp_path / "wide.txt"
    path.write_text(("col," * 500 + "\n") * 3)
    previewer = open_preview(qtbot, path, TextPreviewer)
    view = previewer.view
    view.viewport().grab()
    bar = view.horizontalScrollBar()
    assert bar.maximum() > 0
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert bar.value() > 0
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert bar.value() == 0


def test_a_hit_far_right_on_a_long_line_is_scrolled_into_view(qtbot, tmp_path) -> None:
    path = tmp_path / "wide.log"
    lines = [f"line {i} " + "x" * 600 + (" NEEDLE" if i == 5 else "") for i in range(20)]
    path.write_text("\n".join(lines) + "\n")
    previewer = open_preview(qtbot, path)
    bar = previewer.view.horizontalScrollBar()
    assert bar.value() == 0
    previewer.find_edit.setText("NEEDLE")
    qtbot.keyClick(previewer.find_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: previewer.search_result() is not None, timeout=10_000)
    qtbot.waitUntil(lambda: bar.value() > 0, timeout=5_000)
    char = previewer.view.fontMetrics().horizontalAdvance("0")
    visible = previewer.view.viewport().width()
    needle_x = len(lines[5].split("NEEDLE")[0]) * char
    assert bar.value() <= needle_x <= bar.value() + visible


def test_wrap_is_remembered_for_the_next_file(qtbot, tmp_path) -> None:
    first = open_preview(qtbot, samples.write_log(tmp_path / "a.log", 10))
    assert not first.wrap_box.isChecked()
    first.wrap_box.setChecked(True)
    second = open_preview(qtbot, samples.write_log(tmp_path / "b.log", 10))
    assert second.wrap_box.isChecked() and second.view.wrap()
    second.wrap_box.setChecked(False)
    third = open_preview(qtbot, samples.write_log(tmp_path / "c.log", 10))
    assert not third.view.wrap()


def _closing_threads(monkeypatch) -> list[str]:
    import threading

    from artifact_viewer.previews.text import document as document_mod

    threads: list[str] = []
    close = document_mod.TextDocument.close

    def recording_close(self) -> None:
        threads.append(threading.current_thread().name)
        close(self)

    monkeypatch.setattr(document_mod.TextDocument, "close", recording_close)
    return threads


def _releasing_threads(monkeypatch) -> list[str]:
    import threading

    from artifact_viewer.previews.text import document as document_mod

    threads: list[str] = []
    release = document_mod.LineIndex.release

    def recording_release(self) -> None:
        threads.append(threading.current_thread().name)
        release(self)

    monkeypatch.setattr(document_mod.LineIndex, "release", recording_release)
    return threads


def test_a_released_document_is_unmapped_off_the_gui_thread(qtbot, tmp_path, monkeypatch) -> None:
    import threading

    threads = _closing_threads(monkeypatch)
    released = _releasing_threads(monkeypatch)
    previewer = open_preview(qtbot, samples.write_log(tmp_path / "run.log", 3000))
    doc, index = previewer.document(), previewer.line_index()
    assert doc is not None and not doc.closed and index.newlines == 3000
    previewer.cancel()
    previewer.release()
    assert previewer.document() is None and previewer.view.document() is None
    qtbot.waitUntil(lambda: doc.closed and index.newlines == 0, timeout=10_000)
    assert threads and threading.main_thread().name not in threads
    assert released and threading.main_thread().name not in released


def test_opening_another_file_lets_the_previous_one_go(qtbot, tmp_path, monkeypatch) -> None:
    threads = _closing_threads(monkeypatch)
    previewer = open_preview(qtbot, samples.write_log(tmp_path / "a.log", 500))
    first = previewer.document()
    with qtbot.waitSignal(previewer.finished, timeout=20_000):
        previewer.load(PreviewSource(samples.write_log(tmp_path / "b.log", 700)))
    qtbot.waitUntil(lambda: first.closed, timeout=10_000)
    assert previewer.document() is not first and not previewer.document().closed
    assert "b.log" in str(previewer.document().path)
    assert len(threads) == 1
