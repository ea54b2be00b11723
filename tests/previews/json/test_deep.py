"""The parser for very deep documents reads what json.loads reads and fails where it fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artifact_viewer.previews.json.deep import loads_deep
from tests.previews.corpora.conftest import corpus_files, params


def _same(a: object, b: object) -> bool:
    """Equal values of the same types (NaN equals NaN; 1 is not 1.0 or True)."""
    return json.dumps(a) == json.dumps(b)


def _outcome(loads, text: str) -> tuple[object, ...]:
    try:
        return ("value", loads(text))
    except json.JSONDecodeError as exc:
        return ("error", exc.msg, exc.pos)


def _assert_reads_like_json_loads(text: str) -> None:
    expected, got = _outcome(json.loads, text), _outcome(loads_deep, text)
    assert expected[0] == got[0], (expected, got)
    if expected[0] == "value":
        assert _same(expected[1], got[1])
    else:
        assert expected == got


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, 2.50, -0, 1e3, "x\\u00e9", true, false, null], "b": {}}',
        " [ ] ",
        '{"a": 1, "a": 2}',
        "[NaN, Infinity, -Infinity]",
        "[1,]",
        '{"a" 1}',
        '{"a": 1,}',
        "[1 2]",
        "[1] x",
        "",
        '"unterminated',
        "[" * 50 + "]" * 49,
        '{"k": ' * 40 + "[]" + "}" * 40,
    ],
)
def test_reads_like_json_loads(text):
    _assert_reads_like_json_loads(text)


@pytest.mark.parametrize("path", params(corpus_files("json/test_parsing", "*.json")))
def test_every_json_test_suite_file_reads_like_json_loads(path: Path):
    text = path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff")
    try:
        json.loads(text)
    except RecursionError:
        pytest.skip("deeper than the stdlib parser reads at the default recursion limit")
    except json.JSONDecodeError:
        pass
    _assert_reads_like_json_loads(text)


def test_hooks_are_called_like_json_loads():
    seen: list[str] = []
    value = loads_deep("[1.50, NaN]", parse_float=lambda s: ("f", s), parse_constant=seen.append)
    assert value == [("f", "1.50"), None] and seen == ["NaN"]


def test_nesting_deeper_than_the_limit_is_refused():
    with pytest.raises(RecursionError):
        loads_deep("[" * 11 + "]" * 11, max_depth=10)
    assert loads_deep("[" * 10 + "]" * 10, max_depth=10) == [[[[[[[[[[]]]]]]]]]]


def test_a_hundred_thousand_levels_close_and_fail_without_recursion():
    depth = 100_000
    node = loads_deep("[" * depth + "]" * depth)
    levels = 1
    while node:
        node, levels = node[0], levels + 1
    assert levels == depth
    with pytest.raises(json.JSONDecodeError) as caught:
        loads_deep("[" * depth)
    assert caught.value.pos == depth
