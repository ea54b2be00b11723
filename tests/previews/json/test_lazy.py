"""Big JSON from a structural index: the same tree as a whole parse, values as the file
writes them, malformed files handed to the whole parser, search over the whole document."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.json import lazy
from artifact_viewer.previews.json.paths import leaves, search

# Tiny blocks: containers cross block boundaries everywhere, as in a file of gigabytes.
BLOCKS = (8, 13, 64, 4096)


def index_of(path: Path, block: int) -> lazy.JsonIndex:
    index = lazy.build_index(path, CancelToken(), block=block)
    lazy.validate(index, CancelToken())
    return index


def random_value(rnd: random.Random, depth: int = 0) -> Any:
    r = rnd.random()
    if depth > 4 or r < 0.4:
        return rnd.choice(
            [1, -2.5, 'a"b\\', "x\\\\", "q,[]{}:", "é\n", True, None, False, "", '\\"[', 0.1, "ß"]
        )
    if r < 0.7:
        return [random_value(rnd, depth + 1) for _ in range(rnd.randint(0, 6))]
    keys = ["k", "a b", '"', "é", "[", "x\\", "Boston"]
    return {
        rnd.choice(keys) + str(i): random_value(rnd, depth + 1) for i in range(rnd.randint(0, 6))
    }


def as_values(rows: list[tuple[str, str, str | None]]) -> list[tuple[str, Any]]:
    return [(path, json.loads(text)) for path, text, _key in rows]


@pytest.mark.parametrize("seed", range(3))
def test_index_gives_the_same_leaves_and_search_hits_as_a_whole_parse(tmp_path, seed):
    rnd = random.Random(seed)
    for trial in range(24):
        doc: Any = (
            [random_value(rnd) for _ in range(rnd.randint(0, 20))]
            if trial % 2
            else {f"k{i}": random_value(rnd) for i in range(rnd.randint(0, 20))}
        )
        text = json.dumps(doc, ensure_ascii=rnd.random() < 0.5, indent=rnd.choice([None, 1]))
        path = tmp_path / "doc.json"
        path.write_text(text, encoding="utf-8")
        index = index_of(path, rnd.choice(BLOCKS))
        assert as_values(list(lazy.leaves(index))) == as_values(list(leaves(doc))), text
        for query in ("a", "BOSTON", "[", "1"):
            assert lazy.search(index, query, CancelToken()) == search(doc, query, CancelToken())


@pytest.mark.parametrize("block", BLOCKS)
def test_values_are_shown_as_the_file_writes_them(tmp_path, block):
    path = tmp_path / "doc.json"
    path.write_text(
        '{"amount": 4495.90, "e": 1E22, "id": 12345678901234567890123,'
        ' "id": "dup", "s": "caf\\u00e9 \\"q\\"", "n": null, "t": true, "neg": -0.0}'
    )
    rows = [(p, text) for p, text, _key in lazy.leaves(index_of(path, block))]
    assert rows == [
        ("$.amount", "4495.90"),
        ("$.e", "1E22"),
        ("$.id", "12345678901234567890123"),
        ("$.id", '"dup"'),  # both duplicate keys are members
        ("$.s", '"café \\"q\\""'),
        ("$.n", "null"),
        ("$.t", "true"),
        ("$.neg", "-0.0"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "[1,2,]",
        "[1 2]",
        '{"a" 1}',
        "[1,,2]",
        '{"a":1,}',
        "[1}",
        '{"a":[1,2}',
        "[NaN]",
        '["\\ud800"]',
        "[1] [2]",
        "[1] x",
        "[01]",
        '{"a":1 "b":2}',
        "[",
        '["abc]',
        "   ",
        '"just a string"',
        "[1e400]",
        "{1:2}",
        "[tru]",
        '{"a":1}}',
        b'["\xff"]',
    ],
)
def test_what_the_index_cannot_take_goes_to_the_whole_parser(tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    for block in (2, 3, 4096):
        with pytest.raises(lazy.NotIndexable):
            index_of(path, block)


def test_the_first_screen_lists_only_members_read_whole(tmp_path):
    path = tmp_path / "big.json"
    records = [{"id": i, "tags": ["a", "b"], "name": f"n{i}"} for i in range(400)]
    path.write_text(json.dumps(records))
    early: list[lazy.JsonIndex] = []
    index = lazy.build_index(path, CancelToken(), early=early.append, block=256, early_after=4)
    assert len(early) == 1 and not early[0].complete
    first = early[0]
    edges = first.members(first.root_start, first.size, 1)
    shown = len(edges) - 1
    assert 0 < shown < 400
    for row in range(shown):
        found = lazy.member(first, edges, row, in_object=False)
        assert json.loads(first.read(found.start, found.end)) == records[row]
    assert len(index.members(index.root_start, index.root_end, 1)) - 1 == 400


def test_big_file_opens_from_the_index_with_the_first_screen_early(tmp_path, monkeypatch):
    from artifact_viewer.previews.json import parse

    monkeypatch.setattr(parse, "LAZY_ABOVE", 0)
    monkeypatch.setattr(lazy, "BLOCK", 512)
    path = tmp_path / "big.json"
    records = [{"id": i, "name": f"n{i}"} for i in range(2000)]
    path.write_text(json.dumps(records))

    class Progress:
        partials: list[Any] = []

        def __call__(self, done: int, total: int = 0) -> None:
            pass

        def partial(self, obj: Any) -> None:
            self.partials.append(obj)

    progress = Progress()
    doc = parse.open_json_file(path, False, progress, CancelToken())
    assert isinstance(doc, parse.LazyDoc) and doc.complete
    assert len(progress.partials) == 1 and not progress.partials[0].complete
    rows = as_values(list(lazy.leaves(doc.index)))
    assert rows == as_values(list(leaves(records)))


def test_a_big_file_with_a_syntax_error_is_reported_by_the_whole_parser(tmp_path, monkeypatch):
    from artifact_viewer.previews.json import parse

    monkeypatch.setattr(parse, "LAZY_ABOVE", 0)
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b": [1, 2,]\n}\n')
    with pytest.raises(parse.JsonSyntaxError) as caught:
        parse.open_json_file(path, False, lambda *a: None, CancelToken())
    assert caught.value.line == 3 and "trailing comma" in caught.value.reason


def test_a_lenient_big_file_still_says_not_strict(tmp_path, monkeypatch):
    from artifact_viewer.previews.json import parse

    monkeypatch.setattr(parse, "LAZY_ABOVE", 0)
    path = tmp_path / "nan.json"
    path.write_text('{"a": NaN, "b": [Infinity]}')

    class Progress:
        def __call__(self, done: int, total: int = 0) -> None:
            pass

        def partial(self, obj: Any) -> None:
            pass

    doc = parse.open_json_file(path, False, Progress(), CancelToken())
    assert isinstance(doc, parse.JsonDoc)
    assert doc.notes[0].startswith("Not strict JSON: NaN, Infinity")


def test_containers_of_every_size_inside_one_block_are_scanned_alike(tmp_path):
    # Small ones by a regular expression, bigger ones (within a block) with numpy.
    rnd = random.Random(7)
    doc = [
        {"tiny": random_value(rnd)},
        {"mid": [random_value(rnd) for _ in range(3000)], "s": 'x"\\' * 5000},
    ]
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    index = index_of(path, 1 << 20)
    assert as_values(list(lazy.leaves(index))) == as_values(list(leaves(doc)))


def test_without_a_helper_process_the_index_is_built_on_the_calling_thread(tmp_path, monkeypatch):
    from artifact_viewer.previews.json import parse

    monkeypatch.setattr(parse, "LAZY_ABOVE", 0)
    monkeypatch.setattr(lazy, "BLOCK", 512)
    monkeypatch.setattr(lazy, "_helper_command", lambda *a: [str(tmp_path / "no-such-program")])
    path = tmp_path / "big.json"
    records = [{"id": i, "name": f"n{i}"} for i in range(500)]
    path.write_text(json.dumps(records))
    partials: list[Any] = []

    class Progress:
        def __call__(self, done: int, total: int = 0) -> None:
            pass

        def partial(self, obj: Any) -> None:
            partials.append(obj)

    doc = parse.open_json_file(path, False, Progress(), CancelToken())
    assert isinstance(doc, parse.LazyDoc) and doc.complete and len(partials) == 1
    assert as_values(list(lazy.leaves(doc.index))) == as_values(list(leaves(records)))


def test_search_reaches_the_end_of_the_document(tmp_path, monkeypatch):
    monkeypatch.setattr(lazy, "SEARCH_CHUNK", 100)  # matches across chunk edges too
    records = [{"id": i, "city": "Boston" if i % 97 == 0 else "Salem"} for i in range(1000)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records))
    index = index_of(path, 256)
    assert lazy.search(index, "boston", CancelToken()) == search(records, "boston", CancelToken())
    assert lazy.search(index, "boston", CancelToken())[-1] == (970, "city")
