"""JSON and JSON Lines: one index row per key and per scalar, located by its JSONPath.

Paths are written exactly as the JSON preview copies them (``$.employees[3].name``,
``$["first name"]``), so a hit's location can be pasted into the preview and back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from artifact_viewer.core.jsonpath import json_path as json_path
from artifact_viewer.core.jsonpath import parse_json_path as parse_json_path
from artifact_viewer.core.jsonpath import path_step, scalar_text
from artifact_viewer.core.search.rows import DocInfo, Row, clean, pieces
from artifact_viewer.core.search.textlines import line_rows, sniff_encoding

#: larger JSON files are indexed line by line (parsing them whole would take GBs of memory)
MAX_TREE_BYTES = 128 * 1024 * 1024
#: a JSON Lines record longer than this is skipped (noted)
MAX_LINE_BYTES = 16 * 1024 * 1024

_Link = tuple[Any, str | int] | None


class _Anchor(str):
    """A path text that starts a chain of linked steps (the part kept as a string)."""


def _path_of(link: _Link) -> str:
    steps: list[str | int] = []
    head = "$"
    while link is not None:
        link, key = link
        if isinstance(key, _Anchor):
            head = str(key)
            break
        steps.append(key)
    return head + "".join(path_step(s) for s in reversed(steps))


#: below this depth paths are kept as strings on the walk's stack (fast); deeper, as
#: linked steps joined only for a row (memory stays linear in the depth)
_STRING_DEPTH = 64


def tree_rows(root: Any, prefix: _Link = None) -> Iterator[Row]:
    """Rows for every key (``key``, or ``key: value`` for a scalar member) and every scalar
    array item, in document order, without recursion (any depth)."""
    steps: dict[str | int, str] = {}

    def step(key: str | int) -> str:
        text = steps.get(key)
        if text is None:
            text = steps[key] = path_step(key)
        return text

    # (path text, or None past _STRING_DEPTH where the link is kept instead; link; depth;
    # key; value)
    stack: list[tuple[str | None, _Link, int, str | int | None, Any]] = [
        (_path_of(prefix), None, 0, None, root)
    ]
    while stack:
        path, link, depth, key, value = stack.pop()
        container = isinstance(value, dict | list)
        if isinstance(key, str):
            text = key if container else f"{key}: {scalar_text(value)}"
        else:
            text = "" if container else scalar_text(value)
        if text.strip():
            where = path if path is not None else _path_of(link)
            for piece in pieces(clean(text)):
                yield piece, where
        if not container or not value:
            continue
        items = (
            reversed(value.items())
            if isinstance(value, dict)
            else ((i, value[i]) for i in range(len(value) - 1, -1, -1))
        )
        if depth + 1 < _STRING_DEPTH:
            assert path is not None
            stack.extend((path + step(k), None, depth + 1, k, v) for k, v in items)
        else:
            parent: _Link = link if link is not None else (None, _Anchor(path or "$"))
            stack.extend((None, (parent, k), depth + 1, k, v) for k, v in items)


_LONG_DIGITS = re.compile(rb"\d{19,}")


def _loads(data: bytes) -> Any:
    # orjson reads integers beyond 64 bits as floats: the stdlib keeps them exact.
    if not _LONG_DIGITS.search(data):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # NaN, lone surrogates, deep nesting: the stdlib parser takes those
    encoding = sniff_encoding(data[:65536])
    return json.loads(data.decode(encoding, errors="strict"))


def json_rows(path: Path, info: DocInfo, *, lines: bool = False) -> Iterator[Row]:
    """The tree's rows; a file that is not valid JSON (or too large or deep to parse) is
    indexed line by line instead, with the reason noted."""
    size = path.stat().st_size
    if lines:
        yield from _jsonl_rows(path, info)
        return
    if size > MAX_TREE_BYTES:
        info.skip(f"larger than {MAX_TREE_BYTES >> 20} MiB: indexed as text lines, not by path")
        info.kind = "text"
        yield from line_rows(path, info)
        return
    try:
        root = _loads(path.read_bytes())
    except (ValueError, RecursionError, UnicodeDecodeError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        info.skip(f"not valid JSON ({reason[:200]}): indexed as text lines")
        info.kind = "text"
        yield from line_rows(path, info)
        return
    yield from tree_rows(root)


def _jsonl_rows(path: Path, info: DocInfo) -> Iterator[Row]:
    """JSON Lines as the preview shows them: a list, one item per non-blank line."""
    index = 0
    bad = 0
    with path.open("rb") as handle:
        while raw := handle.readline(MAX_LINE_BYTES):
            if not raw.endswith(b"\n") and len(raw) == MAX_LINE_BYTES:
                info.skip(f"record {index + 1} is longer than {MAX_LINE_BYTES >> 20} MiB")
                while (more := handle.readline(MAX_LINE_BYTES)) and not more.endswith(b"\n"):
                    pass  # skip the rest of the record, still in bounded memory
                index += 1
                continue
            if raw.isspace():
                continue
            try:
                value = _loads(raw)
            except (ValueError, RecursionError, UnicodeDecodeError):
                bad += 1
                text = raw.decode("utf-8", "replace").strip()
                for piece in pieces(text):
                    yield piece, json_path((index,))
            else:
                yield from tree_rows(value, (None, index))
            index += 1
    if bad:
        info.skip(f"{bad} record(s) are not valid JSON: indexed as text at their item")
