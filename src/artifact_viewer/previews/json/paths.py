"""Paths into parsed JSON (``$.a[3].b`` and jq style), value search and copy text.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import orjson

from artifact_viewer.core.cancel import CancelToken

# The path text is the app's one JSONPath form (core.jsonpath); re-exported for the previews.
from artifact_viewer.core.jsonpath import jq_path as jq_path
from artifact_viewer.core.jsonpath import json_path as json_path
from artifact_viewer.core.jsonpath import path_step
from artifact_viewer.core.jsonpath import scalar_text as scalar_text

Path = tuple[str | int, ...]

#: search stops after this many hits: enough to step through, bounded memory
MAX_HITS = 10_000


def node_path(node: Any) -> Path:
    """The path of a tree node (``parent`` and ``key`` attributes): the document node sits
    under an invisible holder, and neither is part of a path."""
    steps: list[str | int] = []
    while node.parent is not None and node.parent.parent is not None:
        assert node.key is not None
        steps.append(node.key)
        node = node.parent
    return tuple(reversed(steps))


def display_safe(text: str) -> str:
    """Qt cannot hold lone surrogates: show them as ``\\udXXX`` escapes instead."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def resolve(value: Any, path: Path) -> Any:
    """The value at ``path`` (raises KeyError/IndexError when it does not exist)."""
    for step in path:
        value = value[step]
    return value


def dump_value(value: Any) -> str:
    """Pretty JSON text of a subtree, for the clipboard; scalars as JSON literals."""
    if isinstance(value, float) and hasattr(value, "literal"):
        return str(value.literal)  # beyond a double: the number as the file wrote it
    try:
        return orjson.dumps(
            value,
            default=_as_written,
            option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS,
        ).decode()
    except (orjson.JSONEncodeError, TypeError):
        pass  # duplicate keys, lone surrogates, >64-bit ints, deeper than orjson's limit
    text = _pretty(value, ascii_only=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: a clipboard cannot hold them raw
        text = _pretty(value, ascii_only=True)
    return text


def _pretty(value: Any, ascii_only: bool) -> str:
    """JSON text indented by two, as ``json.dumps(indent=2)`` writes it, without recursion:
    every member of an object that repeats a key, numbers read with their literal as
    written."""
    out: list[str] = []
    stack: list[Any] = [(value, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node, depth = item
        if isinstance(node, dict | list) and node:
            pad = "\n" + "  " * (depth + 1)
            steps: list[Any] = []
            members = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
            for n, (key, child) in enumerate(members):
                head = pad
                if isinstance(node, dict):
                    head += json.dumps(str(key), ensure_ascii=ascii_only) + ": "
                steps += [head, (child, depth + 1)]
                if n < len(members) - 1:
                    steps.append(",")
            steps.append("\n" + "  " * depth + ("}" if isinstance(node, dict) else "]"))
            out.append("{" if isinstance(node, dict) else "[")
            stack.extend(reversed(steps))
        elif isinstance(node, float) and hasattr(node, "literal"):
            out.append(str(node.literal))
        else:
            out.append(json.dumps(node, ensure_ascii=ascii_only))
    return "".join(out)


def _as_written(value: Any) -> orjson.Fragment:
    """A number kept with its literal text (see ``parse.NumberLiteral``) goes out as
    written; an object that repeats a key (``parse.DuplicateKeys``) is refused, so that
    :func:`_pretty` writes every member."""
    if isinstance(value, float) and hasattr(value, "literal"):
        return orjson.Fragment(value.literal)
    raise TypeError(f"not JSON: {type(value).__name__}")


def _json_string(text: str) -> str:
    """JSON text of a string on one line: U+2028/U+2029 escaped too (line splitters
    other than JSON's treat them as line ends)."""
    quoted = json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028")
    quoted = quoted.replace("\u2029", "\\u2029")
    try:
        quoted.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: written escaped, as in the file
        quoted = json.dumps(text, ensure_ascii=True)
    return quoted


def literal(value: Any) -> str:
    """A leaf as a JSON literal on one line: strings quoted and escaped, numbers as the
    tree shows them (``NaN``/``Infinity`` and over-long literals as in the file), empty
    containers as ``{}``/``[]``."""
    if isinstance(value, str):
        return _json_string(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if hasattr(value, "literal"):
            return str(value.literal)
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, dict):
        return "{}" if not value else "{…}"
    if isinstance(value, list):
        return "[]" if not value else "[…]"
    return str(value)


def leaves(root: Any) -> Iterator[tuple[str, str, str | None]]:
    """(JSONPath, literal, key) of every leaf (scalar or empty container) in document
    order, without recursion; a path is built once per node from its parent's. ``key`` is
    the name of the member holding the leaf (None in an array or at the root)."""
    stack: list[tuple[str, str | None, Any]] = [("$", None, root)]
    while stack:
        path, name, value = stack.pop()
        if isinstance(value, dict) and value:
            stack.extend(
                (path + path_step(key) if isinstance(key, str) else f"{path}[{key}]",
                 key if isinstance(key, str) else None, v)
                for key, v in reversed(value.items())
            )  # fmt: skip
        elif isinstance(value, list) and value:
            stack.extend((f"{path}[{i}]", None, value[i]) for i in range(len(value) - 1, -1, -1))
        else:
            yield _printable(path), literal(value), name


def _printable(path: str) -> str:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return path


# A path is kept as a linked chain (parent_link, key) while walking, so that deep
# documents cost O(depth) per hit instead of a fresh tuple per node.
_Link = tuple[Any, str | int] | None


def _unlink(link: _Link) -> Path:
    steps: list[str | int] = []
    while link is not None:
        link, key = link
        steps.append(key)
    return tuple(reversed(steps))


def iter_nodes(root: Any) -> Iterator[tuple[_Link, str | int | None, Any]]:
    """Every (link, key, value) in document order, without recursion (any depth)."""
    stack: list[tuple[_Link, str | int | None, Any]] = [(None, None, root)]
    while stack:
        link, key, value = stack.pop()
        yield link, key, value
        if isinstance(value, dict):
            stack.extend(((link, k), k, v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((link, i), i, value[i]) for i in range(len(value) - 1, -1, -1))


def search(
    root: Any,
    query: str,
    cancel: CancelToken,
    progress: Any = None,
    limit: int = MAX_HITS,
) -> list[Path]:
    """Paths whose key or scalar value contains ``query`` (case-insensitive), in order."""
    needle = query.casefold()
    if not needle:
        return []
    hits: list[Path] = []
    for count, (link, key, value) in enumerate(iter_nodes(root)):
        if count & 0x3FFF == 0:
            cancel.raise_if_cancelled()
            if progress is not None:
                progress(len(hits), 0)
        if (isinstance(key, str) and needle in key.casefold()) or (
            not isinstance(value, dict | list) and needle in scalar_text(value).casefold()
        ):
            hits.append(_unlink(link))
        else:
            continue
        if len(hits) >= limit:
            break
    return hits
