"""JSONTestSuite: y_ files open as a tree with the file's values, n_ files never pass as
valid JSON without saying so, i_ files either way; none crashes or hangs, under any label."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from artifact_viewer.previews.dump import show_and_dump
from tests.previews.corpora.conftest import corpus_files, params

FOLDER = "json/test_parsing"
Y_FILES = corpus_files(FOLDER, "y_*.json")
N_FILES = corpus_files(FOLDER, "n_*.json")
I_FILES = corpus_files(FOLDER, "i_*.json")
WRONG_LABELS = ("text/csv", "image/png", "application/pdf", "text/xml")


class _Number:
    """A number literal as the file writes it (stdlib ``json`` hands hooks the text)."""

    def __init__(self, text: str) -> None:
        self.text = text


class _Members(list[tuple[str, Any]]):
    """An object's members in file order, duplicate keys included."""


def read_as_written(text: str) -> Any:
    """The document with numbers as their literal text and objects as member lists."""
    return json.loads(text, parse_float=_Number, parse_int=_Number, object_pairs_hook=_Members)


def _literal(value: Any) -> str:
    if isinstance(value, str):  # one line: U+2028/U+2029 escaped as well
        text = json.dumps(value, ensure_ascii=False)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _Number):
        return value.text
    if isinstance(value, _Members):
        return "{}"
    if isinstance(value, list):
        return "[]"
    raise AssertionError(f"not a JSON value: {value!r}")


def expected_leaves(value: Any) -> list[str]:
    """``path<TAB>literal`` per leaf, in document order, written out independently of the
    app from :func:`read_as_written`: numbers as the file writes them, every duplicate key;
    paths as JSONPath (``.key`` for identifiers, ``["key"]`` otherwise)."""
    return [f"{path}\t{_literal(node)}" for path, node in _leaves(value)]


def _leaves(value: Any) -> Iterator[tuple[str, Any]]:
    """``(path, value)`` per leaf in document order (empty containers are leaves)."""
    stack: list[tuple[str, Any]] = [("$", value)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, _Members) and node:
            children = []
            for key, child in node:
                plain = key.isidentifier() and key.isascii()
                step = f".{key}" if plain else f"[{json.dumps(key, ensure_ascii=False)}]"
                children.append((path + step, child))
            stack.extend(reversed(children))
        elif isinstance(node, list) and not isinstance(node, _Members) and node:
            stack.extend(reversed([(f"{path}[{i}]", c) for i, c in enumerate(node)]))
        else:
            yield path, node


def _not_unexpected(message: str) -> None:
    assert "unexpected error" not in message.lower(), message


@pytest.mark.parametrize("path", params(Y_FILES))
def test_valid_files_show_the_files_values(host, path: Path):
    shown = show_and_dump(path, "application/json", host=host)
    assert shown.kind == "json" and not shown.error and not shown.problem
    value = read_as_written(path.read_bytes().decode("utf-8"))
    assert shown.text.splitlines() == expected_leaves(value)


@pytest.mark.parametrize("path", params(N_FILES))
def test_invalid_files_are_never_shown_as_valid_json(host, path: Path):
    shown = show_and_dump(path, "application/json", host=host)
    _not_unexpected(shown.error)
    if shown.kind == "json" and not shown.error:
        # Shown anyway: as text under the parser's message, or a lenient read that says so.
        assert shown.problem, "shown as valid JSON without a word"
        lenient = "not strict json" in shown.problem.lower()
        assert lenient or "invalid json" in shown.problem.lower()


@pytest.mark.parametrize("path", params(I_FILES))
def test_implementation_defined_files_end_shown_or_refused(host, path: Path):
    shown = show_and_dump(path, "application/json", host=host)
    _not_unexpected(shown.error)
    assert shown.kind is not None


@pytest.mark.parametrize("path", params(Y_FILES + N_FILES + I_FILES))
def test_any_file_under_a_wrong_label_ends_shown_or_refused(host, path: Path):
    label = WRONG_LABELS[sum(path.name.encode()) % len(WRONG_LABELS)]
    shown = show_and_dump(path, label, host=host)
    _not_unexpected(shown.error)
    assert shown.kind is not None


def _pair_leaves(value: Any) -> list[tuple[str, Any]]:
    return [(path, {} if isinstance(node, _Members) else node) for path, node in _leaves(value)]


@pytest.mark.parametrize("path", params(Y_FILES + N_FILES + I_FILES))
def test_the_index_of_big_files_takes_only_what_the_whole_parser_reads(path: Path):
    """Read as a big file would be (structural index, small blocks): an n_ file is never
    taken; what is taken has the values a whole parse gives (every member of an object,
    duplicate keys too), numbers as written."""
    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.previews.json import lazy

    try:
        index = lazy.build_index(path, CancelToken(), block=7)
        lazy.validate(index, CancelToken())
    except lazy.NotIndexable:
        return  # the whole parser reads it and says what it is
    assert not path.name.startswith("n_"), "an invalid file was taken as JSON"
    text = path.read_bytes().decode("utf-8-sig")
    value = json.loads(text, object_pairs_hook=_Members)
    got = [(p, json.loads(literal)) for p, literal, _key in lazy.leaves(index)]
    assert got == _pair_leaves(value)
