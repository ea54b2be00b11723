"""Structural JSON diff: paths as the app copies them, arrays of objects matched by id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artifact_viewer.core.compare import CompareOptions, JsonDiff, compare_files
from artifact_viewer.core.compare.jsondiff import diff_values, json_path
from artifact_viewer.previews.json.paths import json_path as app_json_path


def diff(tmp_path: Path, a: object, b: object) -> JsonDiff:
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(a))
    pb.write_text(json.dumps(b))
    result = compare_files(pa, pb, CompareOptions())
    assert isinstance(result, JsonDiff)
    return result


@pytest.mark.parametrize(
    "path", [(), ("a", 0, "b"), ("first name",), ("é", 3), ("x-y", 'q"t'), (0, 1)]
)
def test_paths_are_written_exactly_as_the_app_copies_them(path) -> None:
    assert json_path(path) == app_json_path(path)


def test_add_remove_replace_in_document_order_with_absent_side_omitted(tmp_path) -> None:
    result = diff(
        tmp_path, {"a": 1, "b": {"c": [1, 2]}, "gone": True}, {"a": 2, "b": {"c": [1]}, "new": None}
    )
    assert result.changes() == [
        {"op": "replace", "path": "$.a", "old": 1, "new": 2},
        {"op": "remove", "path": "$.b.c[1]", "old": 2},
        {"op": "remove", "path": "$.gone", "old": True},
        {"op": "add", "path": "$.new", "new": None},
    ]
    assert result.summary() == {"add": 1, "remove": 2, "replace": 1}


def test_arrays_of_objects_match_by_id_not_position(tmp_path) -> None:
    a = {"employees": [{"id": "e1", "pay": 1}, {"id": "e2", "pay": 2}, {"id": "e3", "pay": 3}]}
    b = {"employees": [{"id": "e3", "pay": 3}, {"id": "e2", "pay": 5}, {"id": "e4", "pay": 4}]}
    assert diff(tmp_path, a, b).changes() == [
        {"op": "remove", "path": "$.employees[0]", "old": {"id": "e1", "pay": 1}},
        {"op": "replace", "path": "$.employees[1].pay", "old": 2, "new": 5},
        {"op": "add", "path": "$.employees[2]", "new": {"id": "e4", "pay": 4}},
    ]


def test_arrays_without_a_unique_id_match_by_position(tmp_path) -> None:
    a = [{"id": 1, "v": "a"}, {"id": 1, "v": "b"}]
    b = [{"id": 1, "v": "b"}, {"id": 1, "v": "b"}]
    assert diff(tmp_path, a, b).changes() == [
        {"op": "replace", "path": "$[0].v", "old": "a", "new": "b"}
    ]


def test_type_changes_are_replacements_even_when_python_calls_them_equal() -> None:
    changes = diff_values({"flag": True, "n": 1, "m": 1}, {"flag": 1, "n": 1.0, "m": "1"})
    assert [(c.path, c.old, c.new) for c in changes] == [(("flag",), True, 1), (("m",), 1, "1")]


def test_json_lines_compare_as_a_list(tmp_path) -> None:
    pa, pb = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    pa.write_text('{"id": 1}\n{"id": 2}\n')
    pb.write_text('{"id": 1}\n{"id": 3}\n')
    result = compare_files(pa, pb)
    assert result.kind == "json"
    assert [c["path"] for c in result.changes()] == ["$[1]", "$[1]"]


def test_deep_documents_do_not_recurse() -> None:
    deep_a: object = 1
    deep_b: object = 2
    for _ in range(5000):
        deep_a, deep_b = [deep_a], [deep_b]
    (change,) = diff_values(deep_a, deep_b)
    assert change.path == (0,) * 5000
