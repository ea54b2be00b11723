"""Line diff of text and logs: hunks numbered on both sides, volatile parts masked on request."""

from __future__ import annotations

from pathlib import Path

import pytest

from artifact_viewer.core.compare import CompareOptions, TextDiff, compare_files
from artifact_viewer.core.compare.text import (
    diff_lines,
    mask_volatile,
    read_lines,
    read_terminated_lines,
)


def diff(tmp_path: Path, a: str, b: str, **options) -> TextDiff:
    pa, pb = tmp_path / "a.log", tmp_path / "b.log"
    pa.write_text(a)
    pb.write_text(b)
    result = compare_files(pa, pb, CompareOptions(**options))
    assert isinstance(result, TextDiff)
    return result


def test_hunks_carry_line_numbers_on_both_sides_with_context(tmp_path) -> None:
    a = "".join(f"line {i}\n" for i in range(1, 21))
    b = a.replace("line 10\n", "line ten\n").replace("line 20\n", "")
    result = diff(tmp_path, a, b)
    assert (result.lines_added, result.lines_removed) == (1, 2)
    first, second = result.hunks
    assert (first.a_start, first.a_lines, first.b_start, first.b_lines) == (7, 7, 7, 7)
    assert first.lines == (
        " line 7",
        " line 8",
        " line 9",
        "-line 10",
        "+line ten",
        " line 11",
        " line 12",
        " line 13",
    )
    assert (second.a_start, second.a_lines, second.b_start, second.b_lines) == (17, 4, 17, 3)
    assert result.summary()["hunks"][0] == {"aStart": 7, "aLines": 7, "bStart": 7, "bLines": 7}


def test_same_text_is_identical(tmp_path) -> None:
    result = diff(tmp_path, "a\nb\n", "a\nb\n")
    assert result.identical and result.hunks == []


def test_masking_makes_runs_on_other_days_compare_equal(tmp_path) -> None:
    a = "2026-11-05T10:00:01Z start run 4a7f0c2e-1b2c-4d5e-8f90-123456789abc\nstep took 1.5s\ndone\n"
    b = "2026-11-06T09:13:44Z start run 0f0e0d0c-0b0a-4908-8706-050403020100\nstep took 230 ms\ndone\n"
    assert not diff(tmp_path, a, b).identical
    assert diff(tmp_path, a, b, mask_volatile=True).identical


def test_masked_diff_still_shows_the_lines_as_written(tmp_path) -> None:
    result = diff(
        tmp_path, "10:00:00 ok\n10:00:01 a\n", "11:00:00 ok\n11:00:01 b\n", mask_volatile=True
    )
    assert result.hunks[0].lines == (" 10:00:00 ok", "-10:00:01 a", "+11:00:01 b")


def test_mask_keeps_other_numbers() -> None:
    assert mask_volatile("paid 1200 to 3 people at 12:30:00") == "paid 1200 to 3 people at \x00"


def test_insertions_into_empty_and_deletions_to_empty() -> None:
    added = diff_lines([], ["x", "y"], CompareOptions())
    assert added.hunks[0].header() == "@@ -0,0 +1,2 @@"
    removed = diff_lines(["x"], [], CompareOptions())
    assert removed.hunks[0].header() == "@@ -1,1 +0,0 @@"


def test_many_repeated_lines_stay_fast_enough_to_finish() -> None:
    a = ["same"] * 50_000 + ["end"]
    b = ["end"] + ["same"] * 50_000
    result = diff_lines(a, b, CompareOptions())
    assert result.lines_added - result.lines_removed == 0 and not result.identical


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"a\r\nb\r\n", ["a", "b"]),
        (b"a\nb", ["a", "b"]),
        (b"a\rb\r", ["a", "b"]),
        (b"\xef\xbb\xbfa\n\nb\n", ["a", "", "b"]),
        (b"", []),
        (b"caf\xe9\n", ["caf\ufffd"]),
    ],
)
def test_line_ends_and_encodings_are_read_like_an_editor(tmp_path, data, lines) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    assert read_lines(path, "utf-8").to_pylist() == lines


def test_latin1_files_are_decoded_with_their_encoding(tmp_path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes("café\n".encode("latin-1"))
    assert read_lines(path, "latin-1").to_pylist() == ["café"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (b"x\ny\n", b"x\ny"),  # the last line's end does not count
        (b"\xef\xbb\xbfx\ny\n", b"x\ny\n"),  # nor a byte order mark
        (b"x\r\ny\r\n", b"x\ny\n"),  # nor Windows line ends
    ],
)
def test_files_differing_only_in_line_ends_or_bom_compare_identical(tmp_path, a, b) -> None:
    pa_, pb = tmp_path / "a.log", tmp_path / "b.log"
    pa_.write_bytes(a)
    pb.write_bytes(b)
    result = compare_files(pa_, pb)
    assert isinstance(result, TextDiff) and result.identical
    assert (result.lines_a, result.lines_b) == (2, 2)


def test_hunk_lines_are_shown_without_their_line_ends(tmp_path) -> None:
    pa_, pb = tmp_path / "a.log", tmp_path / "b.log"
    pa_.write_bytes(b"one\ntwo\nthree")
    pb.write_bytes("one\ntwö\nthree\n".encode())
    result = compare_files(pa_, pb, CompareOptions(context=1))
    assert isinstance(result, TextDiff)
    assert result.hunks[0].lines == (" one", "-two", "+twö", " three")


def test_fast_reader_gives_the_lines_with_their_ends_over_the_file_bytes(tmp_path) -> None:
    path = tmp_path / "x.log"
    path.write_bytes(b"\xef\xbb\xbfa\n\nb")
    read = read_terminated_lines(path, "utf-8")
    assert read is not None
    assert read[0].to_pylist() == ["a\n", "\n", "b\n"]
    for data in (b"a\r\nb\r\n", b"caf\xe9\n"):
        path.write_bytes(data)
        assert read_terminated_lines(path, "utf-8") is None  # normalised by read_lines instead
    assert read_terminated_lines(path, "latin-1") is None
