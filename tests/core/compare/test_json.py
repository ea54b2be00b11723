"""Structural JSON diff: paths as the app copies them, arrays of objects matched by id."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from artifact_viewer.core.compare import CompareOptions, JsonDiff, compare_files
from artifact_viewer.core.compare.jsondiff import (
    JsonNumber,
    _canonical,
    diff_values,
    dumps,
    json_path,
    load_json,
    same_value,
)
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
    assert [(c.path, c.old, c.new, c.same_value) for c in changes] == [
        (("flag",), True, 1, False),
        (("n",), 1, 1.0, True),
        (("m",), 1, "1", False),
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('{"v": [true]}', '{"v": [1]}'),
        ('{"v": [0]}', '{"v": [false]}'),
        ("[1]", "[1.0]"),
        ('{"v":-0.0}', '{"v":0.0}'),
    ],
)
def test_subtrees_python_calls_equal_are_still_compared_as_json(tmp_path, a, b) -> None:
    assert not diff_text(tmp_path, a, b).identical
    assert not diff_text(tmp_path, json.dumps(json.loads(a), indent=2), b).identical


def test_files_as_orjson_writes_them_and_pretty_printed_ones_give_the_same_diff(tmp_path) -> None:
    a = {"rows": [{"id": i, "pay": i * 1.25, "ok": i % 2 == 0} for i in range(50)]}
    b = json.loads(json.dumps(a))
    b["rows"][7]["pay"] = 99.5
    b["rows"][9]["ok"] = 1
    compact = diff(tmp_path, a, b)  # json.dumps: ", " separators, not orjson's bytes
    (tmp_path / "a.json").write_bytes(orjson.dumps(a))
    (tmp_path / "b.json").write_bytes(orjson.dumps(b, option=orjson.OPT_INDENT_2))
    fast = compare_files(tmp_path / "a.json", tmp_path / "b.json", CompareOptions())
    assert dumps(fast.changes()) == dumps(compact.changes())
    assert [c["path"] for c in fast.changes()] == ["$.rows[7].pay", "$.rows[9].ok"]


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


def diff_text(tmp_path: Path, a: str, b: str) -> JsonDiff:
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(a)
    pb.write_text(b)
    result = compare_files(pa, pb, CompareOptions())
    assert isinstance(result, JsonDiff)
    return result


def test_numbers_keep_their_literals_and_equal_values_written_differently_are_changes(
    tmp_path,
) -> None:
    result = diff_text(
        tmp_path,
        '{"pay": 4495.90, "big": 1E22, "zero": -0, "n": 1, "same": 7.00, "x": 2.5}',
        '{"pay": 4495.9, "big": 1e22, "zero": 0, "n": 1.0, "same": 7.00, "x": 2.50001}',
    )
    shown = [(c.path, str(c.old), str(c.new), c.same_value) for c in result.items]
    assert shown == [
        (("pay",), "4495.90", "4495.9", True),
        (("big",), "1E22", "1e22", True),
        (("zero",), "-0", "0", True),
        (("n",), "1", "1.0", True),
        (("x",), "2.5", "2.50001", False),
    ]
    assert result.summary() == {"add": 0, "remove": 0, "replace": 5, "sameValue": 4}
    assert "4 of them the same value, written differently" in result.one_line()


def test_identical_literals_compare_identical_and_dump_as_written(tmp_path) -> None:
    text = '{"a": [4495.90, 1E22, -0, 123456789012345678901234567890, 0.1000]}'
    result = diff_text(tmp_path, text, text)
    assert result.identical
    value = load_json(tmp_path / "a.json")
    assert dumps(value) == text.replace(" ", "")


def test_ids_written_as_numbers_still_match_arrays_by_id(tmp_path) -> None:
    result = diff_text(
        tmp_path,
        '[{"id": 1, "pay": 10.50}, {"id": 2, "pay": 3.0}]',
        '[{"id": 2, "pay": 3.0}, {"id": 1, "pay": 10.5}]',
    )
    assert [(c.path, str(c.old), str(c.new)) for c in result.items] == [
        ((1, "pay"), "10.50", "10.5")
    ]


def test_repeated_keys_are_compared_occurrence_by_occurrence_with_a_note(tmp_path) -> None:
    result = diff_text(
        tmp_path,
        '{"emp": {"pay": 1, "pay": 2, "name": "a"}}',
        '{"emp": {"pay": 1, "pay": 3, "pay": 4, "name": "a"}}',
    )
    assert result.changes() == [
        {"op": "replace", "path": "$.emp.pay", "old": 2, "new": 3, "occurrence": 2},
        {"op": "add", "path": "$.emp.pay", "new": 4, "occurrence": 3},
    ]
    assert any("A repeats keys at $.emp" in n and '"pay"' in n for n in result.notes)
    assert any("B repeats keys at $.emp" in n for n in result.notes)


def test_a_repeated_key_is_never_collapsed_into_its_last_value(tmp_path) -> None:
    # The last values agree: a parser that keeps only the last member sees no change.
    result = diff_text(tmp_path, '{"pay": 1, "pay": 2}', '{"pay": 2}')
    assert not result.identical
    assert result.changes() == [
        {"op": "replace", "path": "$.pay", "old": 1, "new": 2, "occurrence": 1},
        {"op": "remove", "path": "$.pay", "old": 2, "occurrence": 2},
    ]
    assert dumps(load_json(tmp_path / "a.json")) == '{"pay":1,"pay":2}'


def test_same_value_is_only_for_numbers() -> None:
    assert same_value(JsonNumber("4495.90"), JsonNumber("4495.9"))
    assert same_value(1, JsonNumber("1.0"))
    assert not same_value(JsonNumber("NaN"), JsonNumber("NaN"))
    assert not same_value("1", 1)
    assert not same_value(True, 1)
    assert not same_value(JsonNumber("1.5"), JsonNumber("1.50001"))


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('{"a": [1, 2.5, "x y"], "b": {"c": null}}', True),
        ('{\n    "a": [\n        1,\n        2.5\n    ]\n}\n', True),
        ('{"a": 4495.90}', False),
        ('{"a": 1E22}', False),
        ('{"a": 1e+22}', True),  # as orjson writes 1e22
        ('{"a": -0}', False),
        ('{"a": 1, "a": 1}', False),
        ('{"a": "\\u00e9"}', False),
        ('{"a": 123456789012345678901234}', False),
    ],
)
def test_only_text_orjson_writes_back_as_is_skips_the_literal_parser(text, plain) -> None:
    value = _canonical(text.encode())
    assert (value is not None) is plain
    if plain:
        assert value == json.loads(text)
