"""JSON parsing off the GUI thread: good files, JSON Lines, edge cases, errors with positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled, PreviewError
from artifact_viewer.previews.json.parse import (
    C_SCANNER_DEPTH,
    JsonSyntaxError,
    has_long_digit_run,
    nesting_depth,
    parse_json_file,
)
from artifact_viewer.previews.json.paths import (
    dump_value,
    jq_path,
    json_path,
    leaves,
    resolve,
    search,
)
from tests.previews import samples


class Recorder:
    """Stands in for the worker's progress object."""

    def __init__(self) -> None:
        self.ticks: list[tuple[int, int]] = []
        self.partials: list[object] = []

    def __call__(self, done: int, total: int = 0) -> None:
        self.ticks.append((done, total))

    def partial(self, obj: object) -> None:
        self.partials.append(obj)


def parse(path: Path, jsonl: bool = False):
    return parse_json_file(path, jsonl, Recorder(), CancelToken())


def write(tmp_path: Path, data: bytes | str, name: str = "doc.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_good_file_parses_to_python_values_and_reports_progress(tmp_path):
    path = samples.write_json(tmp_path / "e.json", records=3)
    rec = Recorder()
    doc = parse_json_file(path, False, rec, CancelToken())
    assert doc.value == json.loads(path.read_text())
    assert not doc.lines
    assert doc.size == path.stat().st_size
    assert rec.ticks[-1] == (doc.size, doc.size)
    assert doc.text == path.read_text()


def test_jsonl_by_suffix_gives_one_record_per_line(tmp_path):
    path = samples.write_jsonl(tmp_path / "e.jsonl", records=4)
    doc = parse(path, jsonl=True)
    assert doc.lines
    assert [r["id"] for r in doc.value] == [0, 1, 2, 3]


def test_jsonl_is_detected_from_content_when_unlabelled(tmp_path):
    path = write(tmp_path, '{"a": 1}\n{"a": 2}\n\n{"a": 3}\n')
    doc = parse(path)
    assert doc.lines
    assert doc.value == [{"a": 1}, {"a": 2}, {"a": 3}]


def test_bad_jsonl_record_reports_its_line(tmp_path):
    path = write(tmp_path, '{"a": 1}\n{"a": 2}\n{"a": }\n', name="x.ndjson")
    with pytest.raises(JsonSyntaxError) as info:
        parse(path, jsonl=True)
    assert info.value.line == 3
    assert "record 3" in info.value.reason


def test_trailing_comma_reports_line_column_and_position(tmp_path):
    path = write(tmp_path, '{\n  "a": [1, 2,]\n}\n')
    with pytest.raises(JsonSyntaxError) as info:
        parse(path)
    err = info.value
    assert (err.line, err.column) == (2, 14)
    assert err.reason == "trailing comma is not allowed"
    assert err.text[err.text_pos] == "]"
    assert "line 2, column 14" in err.user_message()


def test_truncated_document_points_at_the_end(tmp_path):
    text = '{"employees": [{"id": 1}, {"id": 2'
    with pytest.raises(JsonSyntaxError) as info:
        parse(write(tmp_path, text))
    assert info.value.pos == len(text)


def test_empty_and_whitespace_files_say_so(tmp_path):
    with pytest.raises(PreviewError, match="empty"):
        parse(write(tmp_path, b"", "empty.json"))
    with pytest.raises(PreviewError, match="whitespace"):
        parse(write(tmp_path, b"  \n\t\n", "blank.json"))


def test_deep_nesting_of_ten_thousand_levels_still_parses(tmp_path):
    depth = 10_000
    doc = parse(write(tmp_path, "[" * depth + "1" + "]" * depth))
    node, levels = doc.value, 0
    while isinstance(node, list):
        node, levels = node[0], levels + 1
    assert (levels, node) == (depth, 1)
    assert any("nested" in n for n in doc.notes)


def test_nesting_depth_counts_the_deepest_bracket_across_chunks():
    assert nesting_depth("") == 0
    assert nesting_depth('{"a": [1, {"b": []}]}') == 4
    text = " " * ((1 << 20) - 2) + "[[[" + "]" * 3 + "[{}]"
    assert nesting_depth(text) == 3


def test_a_document_deeper_than_the_c_scanner_takes_reads_the_same(tmp_path):
    depth = C_SCANNER_DEPTH + 500
    text = '{"a": ' * depth + '[1.50, NaN, "x\\u00e9"]' + "}" * depth
    doc = parse(write(tmp_path, text))
    node, levels = doc.value, 0
    while isinstance(node, dict):
        node, levels = node["a"], levels + 1
    assert levels == depth
    assert node[0] == 1.5 and node[1] != node[1] and node[2] == "x\u00e9"
    assert any("NaN" in n for n in doc.notes)


def test_a_deep_document_that_never_closes_is_a_syntax_error(tmp_path):
    depth = C_SCANNER_DEPTH * 3
    with pytest.raises(JsonSyntaxError) as caught:
        parse(write(tmp_path, "[" * depth))
    assert caught.value.pos == depth


def test_integers_beyond_64_bits_stay_exact(tmp_path):
    big = 123456789012345678901234567890
    doc = parse(write(tmp_path, f'{{"n": {big}, "m": -{big}}}'))
    assert doc.value == {"n": big, "m": -big}
    assert isinstance(doc.value["n"], int)


def test_big_file_shows_early_then_corrects_huge_ints(tmp_path):
    big = 98765432109876543210987
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"pad": "x" * (5 << 20), "n": big}))
    rec = Recorder()
    doc = parse_json_file(path, False, rec, CancelToken())
    assert len(rec.partials) == 1  # the fast orjson tree went out first
    assert doc.value["n"] == big


def test_numbers_beyond_double_range_and_nan_are_read_leniently(tmp_path):
    doc = parse(write(tmp_path, '{"huge": 1e400, "nan": NaN}'))
    assert doc.value["huge"] == float("inf")
    assert doc.value["nan"] != doc.value["nan"]
    assert doc.notes


def test_lone_surrogate_is_kept_and_noted(tmp_path):
    doc = parse(write(tmp_path, '{"s": "a\\ud800b"}'))
    assert doc.value["s"] == "a\ud800b"
    assert any("surrogate" in n for n in doc.notes)


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", True), ("utf-16-le", True), ("utf-16-be", True)]
)
def test_byte_order_marks_are_honoured(tmp_path, encoding, bom):
    path = samples.write_text(tmp_path / "b.json", '{"name": "Zoë"}', encoding, bom)
    assert parse(path).value == {"name": "Zoë"}


def test_latin1_bytes_are_read_with_a_note(tmp_path):
    doc = parse(write(tmp_path, '{"name": "Zo\xeb"}'.encode("latin-1")))
    assert doc.value == {"name": "Zoë"}
    assert any("Latin-1" in n for n in doc.notes)


def test_binary_garbage_is_a_syntax_error_not_a_crash(tmp_path):
    path = samples.write_binary(tmp_path / "garbage.json", 2048)
    with pytest.raises(JsonSyntaxError):
        parse(path)


def test_csv_mislabelled_as_json_is_a_clear_error(tmp_path):
    path = samples.write_csv(tmp_path / "data.json")
    with pytest.raises(JsonSyntaxError, match="Invalid JSON"):
        parse(path)


def test_cancel_stops_parsing(tmp_path):
    path = samples.write_json(tmp_path / "e.json")
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        parse_json_file(path, False, Recorder(), token)


def test_error_in_huge_file_keeps_only_an_excerpt_around_it(tmp_path):
    lines = [json.dumps({"i": i, "pad": "y" * 60}) for i in range(20_000)]
    text = "[\n" + ",\n".join(lines) + ",\n]\n"
    with pytest.raises(JsonSyntaxError) as info:
        parse(write(tmp_path, text))
    err = info.value
    assert len(err.text) < len(text) / 2
    assert err.first_line > 1
    assert err.text[err.text_pos] == "]"
    assert err.line == err.first_line + err.text.count("\n", 0, err.text_pos)


def test_long_digit_run_detection():
    assert has_long_digit_run(b'{"a": 12345678901234567890}')
    assert has_long_digit_run(b'{"a": -9223372036854775809}')  # 19 digits, beyond int64
    assert not has_long_digit_run(b'{"a": 123456789012345678}')
    assert not has_long_digit_run(b"")
    assert has_long_digit_run(b"12345678901234567890")


@pytest.mark.parametrize("offset", [0, 5, 90, 99, 100, 101, 150])
def test_long_digit_run_is_found_across_chunk_edges(offset):
    data = bytearray(b"x" * 300)
    data[offset : offset + 20] = b"9" * 20
    assert has_long_digit_run(bytes(data), chunk_size=100)
    data[offset + 10] = ord("x")
    assert not has_long_digit_run(bytes(data), chunk_size=100)


def test_paths_in_jsonpath_and_jq_style():
    path = ("employees", 3, "first name")
    assert json_path(path) == '$.employees[3]["first name"]'
    assert jq_path(path) == '.employees[3]."first name"'
    assert json_path(()) == "$" and jq_path(()) == "."


def test_search_matches_keys_and_values_in_document_order():
    doc = {"a": {"name": "Alice"}, "b": [{"nickname": "x"}, "Palace"], "n": 42}
    hits = search(doc, "ALI", CancelToken())
    assert hits == [("a", "name")]
    assert search(doc, "name", CancelToken()) == [("a", "name"), ("b", 0, "nickname")]
    assert search(doc, "ace", CancelToken()) == [("b", 1)]
    assert search(doc, "42", CancelToken()) == [("n",)]
    assert all(resolve(doc, p) is not None for p in hits)


def test_search_handles_ten_thousand_levels_without_recursion():
    deep: object = "needle"
    for _ in range(10_000):
        deep = [deep]
    (hit,) = search(deep, "needle", CancelToken())
    assert hit == (0,) * 10_000


def test_search_stops_at_the_hit_limit():
    assert len(search(["x"] * 50, "x", CancelToken(), limit=7)) == 7


def test_dump_value_falls_back_for_values_orjson_refuses():
    assert json.loads(dump_value({"n": 10**30})) == {"n": 10**30}
    assert dump_value("a\ud800") == '"a\\ud800"'
    assert dump_value(None) == "null"


def test_binary_bytes_say_where_json_breaks_not_how_utf8_failed(tmp_path):
    with pytest.raises(JsonSyntaxError) as info:
        parse(write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\xff", "blob.json"))
    assert "UTF-8" not in info.value.message
    assert "expecting value" in info.value.message and info.value.line == 1


def test_numbers_beyond_a_double_keep_their_literal(tmp_path):
    doc = parse(write(tmp_path, b'{"x": [1.5e400, -2E+999, 0.50]}'))
    huge, negative, plain = doc.value["x"]
    assert repr(huge) == "1.5e400" and huge == float("inf")
    assert repr(negative) == "-2E+999" and negative == float("-inf")
    assert repr(plain) == "0.50" and plain == 0.5
    assert dump_value(huge) == "1.5e400"
    assert any("beyond the range of a double" in note for note in doc.notes)
    assert search(doc.value, "1.5e400", CancelToken()) == [("x", 0)]


def test_error_on_a_giant_line_keeps_only_the_part_around_it():
    from artifact_viewer.previews.json.parse import LONG_LINE, excerpt

    text = "[" * 100_000
    shown, pos, first_line = excerpt(text, 60_000)
    assert len(shown) <= LONG_LINE and first_line == 1
    assert shown[pos - 1 : pos + 1] == "[["
    small = '{"a": 1,\n "b": }'
    assert excerpt(small, 15) == (small, 15, 1)


def test_dismantle_empties_every_container_of_a_document() -> None:
    from artifact_viewer.previews.json.parse import dismantle

    deep = {"e": []}
    listed = [1, 2, deep]
    inner = {"d": listed}
    value = {"a": [1, {"b": [2, 3]}], "c": inner}
    # root, a's list, {"b"}, b's list, c, d's list, {"e"} (the empty list has nothing to empty)
    assert dismantle(value) == 7
    assert value == {} and inner == {} and listed == [] and deep == {}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b'{"n": NaN, "a": 4495.90, "e": 1E22, "z": -0, "i": 7}',
            ["NaN", "4495.90", "1E22", "-0", "7"],
        ),
        ("[4495.90, 1E22]".encode("utf-16"), ["4495.90", "1E22"]),
        (b" 1E22 ", ["1E22"]),
        (b"-0", ["-0"]),
        (b"[" * 12_000 + b"4495.90" + b"]" * 12_000, ["4495.90"]),
    ],
    ids=["lenient", "utf-16", "lone-number", "minus-zero", "deep"],
)
def test_the_whole_parse_keeps_number_literals_as_written(tmp_path, data, expected):
    doc = parse(write(tmp_path, data))
    assert [text for _path, text, _key in leaves(doc.value)] == expected


def test_copy_of_a_subtree_from_the_whole_parse_keeps_number_literals(tmp_path):
    doc = parse(write(tmp_path, b'{"n": NaN, "a": [4495.90, 1E22, -0, 7]}'))
    assert json.loads(dump_value(doc.value["a"])) == [4495.9, 1e22, 0, 7]
    assert dump_value(doc.value["a"]).split() == ["[", "4495.90,", "1E22,", "-0,", "7", "]"]


@pytest.mark.parametrize("depth", [0, 12_000], ids=["lenient", "deep"])
def test_the_whole_parse_keeps_every_duplicate_key(tmp_path, depth):
    body = b'{"n": NaN, "a": 1, "a": 2.50, "o": {"k": [1], "k": {}}}'
    doc = parse(write(tmp_path, b"[" * depth + body + b"]" * depth))
    prefix = "$" + "[0]" * depth
    shown = [(path.removeprefix(prefix), text) for path, text, _key in leaves(doc.value)]
    assert shown == [(".n", "NaN"), (".a", "1"), (".a", "2.50"), (".o.k[0]", "1"), (".o.k", "{}")]
    inner = resolve(doc.value, (0,) * depth)
    assert dump_value(inner["o"]).split() == ["{", '"k":', "[", "1", "],", '"k":', "{}", "}"]
