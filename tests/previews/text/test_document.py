"""The memory-mapped text document: bounded line reads, newline index, scans, search."""

from __future__ import annotations

import mmap
import sys
from pathlib import Path

import numpy as np
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.previews.text import document as textdoc
from artifact_viewer.previews.text.document import TextDocument, classify
from tests.previews import samples


def indexed(doc: TextDocument) -> textdoc.LineIndex:
    index = doc.new_index()
    doc.scan_newlines(lambda d, t: None, CancelToken(), index.add)
    return index


def all_lines(doc: TextDocument) -> list[str]:
    return [text for _offset, text in doc.lines_from(doc.start, 10**9)]


@pytest.mark.parametrize("trailing", [True, False])
def test_lines_and_count_match_python_with_mixed_line_ends(tmp_path, trailing) -> None:
    body = "alpha\r\nbeta\ngamma\r\n\ndelta"
    path = tmp_path / "mixed.txt"
    path.write_bytes((body + ("\n" if trailing else "")).encode())
    doc = TextDocument.open(path)
    assert all_lines(doc) == ["alpha", "beta", "gamma", "", "delta"]
    assert indexed(doc).line_count() == 5


def test_line_numbers_and_line_offsets_agree_across_chunks(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(textdoc, "CHUNK", 1000)  # many chunks from a small file
    path = samples.write_log(tmp_path / "a.log", 500)
    doc = TextDocument.open(path)
    index = indexed(doc)
    assert index.complete and index.line_count() == 500
    data = path.read_bytes()
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10][:-1]
    for number in (1, 2, 17, 250, 499, 500):
        assert index.offset_of_line(number) == starts[number - 1]
        assert index.line_number(starts[number - 1]) == number
        assert doc.line_at(starts[number - 1])[0] == samples.log_lines(500)[number - 1]
    assert index.offset_of_line(501) is None


def test_partial_index_knows_only_what_it_scanned(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(textdoc, "CHUNK", 1000)
    path = samples.write_log(tmp_path / "a.log", 200)
    doc = TextDocument.open(path)
    index = doc.new_index()
    seen = []
    doc.scan_newlines(lambda d, t: None, CancelToken(), lambda f, end: seen.append((f, end)))
    index.add(*seen[0])
    assert not index.complete and index.line_count() is None
    assert index.line_number(0) == 1
    assert index.line_number(doc.size - 1) is None
    assert index.estimated_lines() > 100


def test_bom_is_skipped_and_utf16_is_converted(tmp_path) -> None:
    path = samples.write_text(tmp_path / "u8", "héllo\nwörld\n", "utf-8", bom=True)
    doc = TextDocument.open(path)
    assert doc.start == 3 and all_lines(doc) == ["héllo", "wörld"]
    path = samples.write_text(tmp_path / "u16", "héllo\r\nwörld\r\n", "utf-16-le", bom=True)
    doc = TextDocument.open(path)
    assert all_lines(doc) == ["héllo", "wörld"] and "utf-16-le" in doc.encoding_label
    assert indexed(doc).line_count() == 2


def test_latin1_file_decodes_without_replacement_characters(tmp_path) -> None:
    path = tmp_path / "l1.txt"
    path.write_bytes("Zoë;Straße;façade\n".encode("latin-1") * 50)
    doc = TextDocument.open(path)
    assert doc.codec != "utf-8"
    assert all_lines(doc)[0] == "Zoë;Straße;façade"


def test_over_long_line_is_shown_in_bounded_pieces(tmp_path) -> None:
    path = tmp_path / "one-line.json"
    path.write_bytes(b"x" * (3 * textdoc.MAX_LINE + 10))
    doc = TextDocument.open(path)
    pieces = doc.lines_from(0, 100)
    assert [len(text) for _o, text in pieces] == [textdoc.MAX_LINE] * 3 + [10]
    assert doc.is_continuation(pieces[1][0]) and not doc.is_continuation(0)
    assert indexed(doc).line_count() == 1


def test_empty_file_has_no_lines(tmp_path) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    doc = TextDocument.open(path)
    assert all_lines(doc) == [] and indexed(doc).line_count() == 0
    assert doc.last_screen_start(10) == 0


def test_last_screen_is_read_from_the_tail(tmp_path) -> None:
    path = samples.write_log(tmp_path / "a.log", 1000)
    doc = TextDocument.open(path)
    top = doc.last_screen_start(5)
    assert [t for _o, t in doc.lines_from(top, 10)] == samples.log_lines(1000)[-5:]


def test_snap_and_previous_start(tmp_path) -> None:
    path = tmp_path / "t"
    path.write_bytes(b"ab\ncd\nef")
    doc = TextDocument.open(path)
    assert [doc.snap(i) for i in range(9)] == [0, 0, 0, 3, 3, 3, 6, 6, 6]
    assert doc.previous_start(6) == 3 and doc.previous_start(0) == 0
    assert doc.next_start(3) == 6 and doc.next_start(6) is None


def test_search_counts_like_a_plain_count_and_honours_case(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(textdoc, "WINDOW", 997)  # hits straddle window edges
    path = samples.write_log(tmp_path / "a.log", 300)
    data = path.read_bytes()
    doc = TextDocument.open(path)
    result = doc.search("error", False, lambda d, t: None, CancelToken())
    assert result.total == data.lower().count(b"error") > 0
    assert all(data[o : o + 5].lower() == b"error" for o in result.offsets)
    exact = doc.search("error", True, lambda d, t: None, CancelToken())
    assert exact.total == data.count(b"error") == 0
    capped = doc.search("row=", True, lambda d, t: None, CancelToken(), limit=10)
    assert capped.offsets.size == 10 and capped.total == 300


def test_error_scan_finds_every_error_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(textdoc, "WINDOW", 101)  # markers straddle window edges
    path = samples.write_log(tmp_path / "a.log", 80)
    doc = TextDocument.open(path)
    index = indexed(doc)
    offsets = doc.scan_errors(lambda d, t: None, CancelToken())
    lines = sorted({index.line_number(int(o)) for o in offsets})
    expected = [
        i + 1 for i, ln in enumerate(samples.log_lines(80)) if "ERROR" in ln or "CRITICAL" in ln
    ]
    assert lines == expected


def test_scans_stop_when_cancelled(tmp_path) -> None:
    path = samples.write_log(tmp_path / "a.log", 50)
    doc = TextDocument.open(path)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        doc.scan_newlines(lambda d, t: None, token, lambda f, e: None)
    with pytest.raises(Cancelled):
        doc.search("x", False, lambda d, t: None, token)


def test_close_while_a_view_is_held_does_not_raise(tmp_path) -> None:
    doc = TextDocument.open(samples.write_log(tmp_path / "a.log", 5))
    view = np.frombuffer(doc.buf, dtype=np.uint8)
    doc.close()
    assert view[0] == ord("2")
    del view
    doc.close()
    assert doc.closed


def _mapped(path) -> bool:
    """Whether ``path`` is mapped into this process or open as a file handle (Linux)."""
    name = str(path.resolve())
    fds = Path("/proc/self/fd")
    handles = [str(link.readlink()) for link in fds.iterdir() if link.is_symlink()]
    return name in Path("/proc/self/maps").read_text() or name in handles


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_close_unmaps_the_file_and_closes_its_handle(tmp_path) -> None:
    path = samples.write_log(tmp_path / "a.log", 2000)
    doc = TextDocument.open(path)
    assert doc.line_at(doc.start)[0] and _mapped(path)
    doc.close()
    assert doc.closed and not _mapped(path)


def test_dropped_pages_are_read_back_from_the_file(tmp_path) -> None:
    path = samples.write_log(tmp_path / "a.log", 5000)
    doc = TextDocument.open(path)
    before = all_lines(doc)
    assert isinstance(doc.buf, mmap.mmap)
    textdoc.drop_pages(doc.buf, step=mmap.PAGESIZE)
    assert not doc.closed
    assert all_lines(doc) == before == samples.log_lines(5000)
    assert doc.buf[:] == path.read_bytes()


def test_released_index_frees_its_offsets_and_reads_empty(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(textdoc, "CHUNK", 1000)
    doc = TextDocument.open(samples.write_log(tmp_path / "a.log", 500))
    index = indexed(doc)
    chunks = list(index._chunks)
    assert len(chunks) > 1 and index.newlines == 500
    refs = [sys.getrefcount(chunk) for chunk in chunks]
    index.release()
    assert index.newlines == 0 and index.line_number(doc.start) is None
    assert [sys.getrefcount(chunk) for chunk in chunks] == [n - 1 for n in refs]


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("2026-11-28 12:00:00 ERROR payroll export failed", "error"),
        ("[CRITICAL] disk full", "error"),
        ('ts=1 level=error msg="boom"', "error"),
        ("2026-11-28 WARN slow page", "warning"),
        ("WARNING: retrying", "warning"),
        ("12:00 DEBUG selector found", "debug"),
        ("12:00 INFO step ok (no ERROR here)", "info"),
        ("Traceback (most recent call last):", "traceback"),
        ('  File "/app/run.py", line 12, in main', "traceback"),
        ("ValueError: bad row", "traceback"),
        ("plain words", None),
    ],
)
def test_classify_levels(line, level) -> None:
    assert classify(line) == level
