"""Comparing in a child process gives what comparing here gives, errors and cancel included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare import CompareError, CompareOptions, compare_files
from artifact_viewer.core.compare.isolated import Request, compare_in_child
from artifact_viewer.core.errors import Cancelled


def test_child_gives_the_same_diff_as_comparing_here_with_progress(tmp_path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"employees": [{"id": 1, "pay": 10}, {"id": 2, "pay": 20}]}))
    b.write_text(json.dumps({"employees": [{"id": 1, "pay": 10}, {"id": 2, "pay": 25}]}))
    seen: list[tuple[int, int]] = []
    result = compare_in_child(
        Request(str(a), str(b), CompareOptions()), lambda d, t=0: seen.append((d, t))
    )
    assert result.to_json() == compare_files(a, b).to_json()
    assert not result.identical and seen and seen[-1] == (100, 100)


def test_child_keeps_number_literals_and_repeated_keys(tmp_path) -> None:
    from artifact_viewer.core.compare.jsondiff import dumps

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"pay": 4495.90, "k": 1, "k": 2, "big": 1E22}')
    b.write_text('{"pay": 4495.9, "k": 1, "k": 3, "big": 1E22}')
    result = compare_in_child(Request(str(a), str(b), CompareOptions()))
    here = compare_files(a, b)
    assert dumps(result.to_json()) == dumps(here.to_json())
    assert '"old":4495.90,"new":4495.9,"sameValue":true' in dumps(result.to_json())
    assert result.notes == here.notes and result.notes


def test_child_errors_come_back_as_the_same_one_line_message(tmp_path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("{")
    b.write_text("{}")
    with pytest.raises(CompareError) as here:
        compare_files(a, b)
    with pytest.raises(CompareError) as there:
        compare_in_child(Request(str(a), str(b), CompareOptions()))
    assert there.value.message == here.value.message


def test_cancelled_before_the_answer_raises_cancelled(tmp_path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("x\n")
    b.write_text("y\n")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compare_in_child(Request(str(a), str(b), CompareOptions()), cancel=token)


def test_child_text_diff_keeps_its_hunks(tmp_path: Path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text("".join(f"line {i}\n" for i in range(50)))
    b.write_text("".join(f"line {i}\n" for i in range(50)).replace("line 7\n", "line seven\n"))
    result = compare_in_child(Request(str(a), str(b), CompareOptions(mask_volatile=True)))
    assert result.to_json() == compare_files(a, b, CompareOptions(mask_volatile=True)).to_json()
