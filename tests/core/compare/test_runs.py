"""Run vs run: pairing by type and normalised name, statuses, one-line summaries, offline sides."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare import RunItem, compare_runs, normalise_name, pair_items
from artifact_viewer.core.errors import Cancelled, NotAvailableOffline


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("payroll_2026-11-05.csv", "payroll_2026-11-06.csv"),
        (
            "run-4a7f0c2e-1b2c-4d5e-8f90-123456789abc.log",
            "run-0f0e0d0c-0b0a-4908-8706-050403020100.log",
        ),
        ("export (3).json", "export (12).json"),
        ("shot_20261105_101500.png", "shot_20261106_093012.png"),
    ],
)
def test_dates_times_ids_and_counters_do_not_keep_names_apart(a, b) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_names_that_differ_in_words_stay_apart() -> None:
    assert normalise_name("payroll.csv") != normalise_name("census.csv")


def item(id: str, name: str, type: str = "extracted_data", file_hash: str | None = None) -> RunItem:
    return RunItem(id, name, type, None, file_hash)


def test_exact_names_pair_before_normalised_ones_and_types_must_agree() -> None:
    a = [
        item("a1", "form_941_Q3.pdf", "report"),
        item("a2", "form_W-2_Q3.pdf", "report"),
        item("a3", "run.log", "log_file"),
    ]
    b = [
        item("b1", "form_W-2_Q4.pdf", "report"),
        item("b2", "form_941_Q3.pdf", "report"),
        item("b3", "run.log", "screenshot"),
    ]
    pairs = [(x.id if x else None, y.id if y else None) for x, y in pair_items(a, b)]
    assert pairs == [("a1", "b2"), ("a2", "b1"), ("a3", None), (None, "b3")]


def test_pairs_given_by_hand_come_first() -> None:
    a = [item("a1", "x.csv"), item("a2", "y.csv")]
    b = [item("b1", "x.csv"), item("b2", "z.csv")]
    pairs = [
        (x.id if x else None, y.id if y else None) for x, y in pair_items(a, b, [("a2", "b1")])
    ]
    assert pairs == [("a1", None), ("a2", "b1"), (None, "b2")]


def files(tmp_path: Path, contents: dict[str, str]) -> dict[str, Path]:
    out = {}
    for key, text in contents.items():
        out[key] = tmp_path / key
        out[key].write_text(text)
    return out


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_statuses_and_one_line_summaries(tmp_path) -> None:
    texts = {
        "a1": "id,v\n1,a\n2,b\n",
        "b1": "id,v\n1,a\n2,c\n3,d\n",
        "a2": "same\n",
        "b2": "same\n",
        "a3": "only a\n",
        "b4": "only b\n",
    }
    paths = files(tmp_path, texts)
    fetched: list[str] = []

    def fetch(it: RunItem, cancel: CancelToken | None) -> Path:
        fetched.append(it.id)
        return paths[it.id]

    a = [
        item("a1", "payroll_2026-11-05.csv"),
        item("a2", "notes.txt", file_hash=sha("same\n")),
        item("a3", "gone.txt"),
    ]
    b = [
        item("b1", "payroll_2026-11-06.csv"),
        item("b2", "notes.txt", file_hash=sha("same\n")),
        item("b4", "new.txt"),
    ]
    result = compare_runs(a, b, fetch, run_a="ra", run_b="rb")
    assert [p.to_json()["status"] for p in result.pairs] == [
        "changed",
        "identical",
        "onlyA",
        "onlyB",
    ]
    assert result.pairs[0].one_line() == "+1 row, 1 cell changed"
    assert "a2" not in fetched and "b2" not in fetched  # same hash: no download
    first = result.to_json()["changes"][0]
    assert first["a"] == "a1" and first["b"] == "b1" and first["name"] == "payroll_2026-11-06.csv"
    assert first["summary"]["rowsAdded"] == 1 and first["summary"]["kind"] == "table"
    assert result.summary() == {
        "runA": "ra",
        "runB": "rb",
        "identical": 1,
        "changed": 1,
        "onlyA": 1,
        "onlyB": 1,
    }
    assert not result.identical


def test_same_content_without_hashes_is_identical_after_comparing(tmp_path) -> None:
    paths = files(tmp_path, {"a": "x\n", "b": "x\n"})
    result = compare_runs([item("a", "n.txt")], [item("b", "n.txt")], lambda it, c: paths[it.id])
    assert result.pairs[0].status == "identical" and result.identical


def test_a_side_not_available_offline_is_named_in_the_pair(tmp_path) -> None:
    paths = files(tmp_path, {"a": "x\n"})

    def fetch(it: RunItem, cancel: CancelToken | None) -> Path:
        if it.id == "b":
            raise NotAvailableOffline("n.txt is not available offline.")
        return paths[it.id]

    result = compare_runs([item("a", "n.txt")], [item("b", "n.txt")], fetch)
    assert result.pairs[0].status == "changed"
    assert result.pairs[0].one_line() == "B: n.txt is not available offline."


def test_cancel_stops_between_pairs() -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        compare_runs(
            [item("a", "n.txt")],
            [item("b", "n.txt")],
            lambda it, c: Path("/nonexistent"),
            cancel=token,
        )


def test_pairs_are_compared_with_the_function_given(tmp_path) -> None:
    from artifact_viewer.core.compare import compare_files

    paths = {"a": tmp_path / "a.txt", "b": tmp_path / "b.txt"}
    paths["a"].write_text("x\n")
    paths["b"].write_text("y\n")
    called: list[tuple[str, str | None]] = []

    def compare(path_a, path_b, options, **kw):
        called.append((path_a.name, kw.get("name_a")))
        return compare_files(path_a, path_b, options, **kw)

    result = compare_runs(
        [item("a", "n.txt")], [item("b", "n.txt")], lambda it, c: paths[it.id], compare=compare
    )
    assert called == [("a.txt", "n.txt")]
    assert result.pairs[0].status == "changed"
