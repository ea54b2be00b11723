"""A JSON parser without recursion, for documents nested deeper than the C scanner should go.

The stdlib's C scanner recurses once per level and holds the GIL for its whole run (the GUI
thread waits); its Python scanner lets other threads run but unwinds an error through two
frames per level in one go (a second at 100k levels). This one keeps its own stack of open
containers: other threads run every few milliseconds and an error is raised from one frame.
It reads what ``json.loads`` reads (same scanners for strings and numbers, same constants)
and fails where it fails, with the same message and offset.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from json import JSONDecodeError
from json.decoder import scanstring  # type: ignore[attr-defined]
from json.scanner import NUMBER_RE
from typing import Any

_WS = re.compile(r"[ \t\n\r]*")
_CONSTANTS = {"NaN": "NaN", "Infinity": "Infinity", "-Infinity": "-Infinity"}
_LITERALS: dict[str, Any] = {"null": None, "true": True, "false": False}


def loads_deep(
    text: str,
    *,
    parse_float: Callable[[str], Any] | None = None,
    parse_int: Callable[[str], Any] | None = None,
    parse_constant: Callable[[str], Any] | None = None,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
    max_depth: int | None = None,
) -> Any:
    """``json.loads(text, parse_float=..., parse_int=..., parse_constant=...,
    object_pairs_hook=...)`` without recursion.

    Nesting beyond ``max_depth`` raises :class:`RecursionError` (as the stdlib parser does
    beyond the recursion limit)."""
    to_float: Callable[[str], Any] = parse_float or float
    to_int: Callable[[str], Any] = parse_int or int
    constant: Callable[[str], Any] = parse_constant or float
    number = NUMBER_RE.match
    end = len(text)
    # Each open container: [container, pending key (objects)]
    stack: list[list[Any]] = []
    pos = _skip(text, 0)
    result: Any = None

    def fail(msg: str, at: int) -> JSONDecodeError:
        return JSONDecodeError(msg, text, at)

    while True:
        # --- a value starts at pos ----------------------------------------------------
        if pos >= end:
            raise fail("Expecting value", pos)
        ch = text[pos]
        value: Any
        if ch == '"':
            value, pos = scanstring(text, pos + 1, True)
        elif ch in "{[" and max_depth is not None and len(stack) >= max_depth:
            raise RecursionError(f"nested more than {max_depth} levels")
        elif ch == "{":
            pos = _skip(text, pos + 1)
            if text[pos : pos + 1] == "}":
                value, pos = {}, pos + 1
            else:
                if text[pos : pos + 1] != '"':
                    raise fail("Expecting property name enclosed in double quotes", pos)
                key, pos = scanstring(text, pos + 1, True)
                pos = _colon(text, pos, fail)
                stack.append([_Members(), key])
                pos = _skip(text, pos)
                continue
        elif ch == "[":
            pos = _skip(text, pos + 1)
            if text[pos : pos + 1] == "]":
                value, pos = [], pos + 1
            else:
                stack.append([[], None])
                continue
        else:
            match = number(text, pos)
            if match is not None:
                integer, frac, exp = match.groups()
                if frac or exp:
                    value = to_float(integer + (frac or "") + (exp or ""))
                else:
                    value = to_int(integer)
                pos = match.end()
            else:
                for word, literal in _LITERALS.items():
                    if text.startswith(word, pos):
                        value, pos = literal, pos + len(word)
                        break
                else:
                    for word in _CONSTANTS:
                        if text.startswith(word, pos):
                            value, pos = constant(word), pos + len(word)
                            break
                    else:
                        raise fail("Expecting value", pos)
        # --- the value is complete: put it in its container, close what ends here -------
        while True:
            if not stack:
                result = value
                break
            top = stack[-1]
            container = top[0]
            in_object = isinstance(container, _Members)
            if in_object:
                container.pairs.append((top[1], value))
            else:
                container.append(value)
            pos = _skip(text, pos)
            nxt = text[pos : pos + 1]
            closer = "}" if in_object else "]"
            if nxt == closer:
                stack.pop()
                value, pos = container, pos + 1
                if in_object:
                    pairs = container.pairs
                    value = object_pairs_hook(pairs) if object_pairs_hook else dict(pairs)
                continue
            if nxt != ",":
                raise fail("Expecting ',' delimiter", pos)
            pos = _skip(text, pos + 1)
            if in_object:
                if text[pos : pos + 1] != '"':
                    raise fail("Expecting property name enclosed in double quotes", pos)
                key, pos = scanstring(text, pos + 1, True)
                top[1] = key
                pos = _skip(text, _colon(text, pos, fail))
            break
        if not stack:
            break
    pos = _skip(text, pos)
    if pos != end:
        raise fail("Extra data", pos)
    return result


class _Members:
    """An object being read: its (key, value) pairs in file order."""

    __slots__ = ("pairs",)

    def __init__(self) -> None:
        self.pairs: list[tuple[str, Any]] = []


def _skip(text: str, pos: int) -> int:
    """The offset after the whitespace at ``pos``."""
    match = _WS.match(text, pos)
    return match.end() if match is not None else pos


def _colon(text: str, pos: int, fail: Callable[[str, int], JSONDecodeError]) -> int:
    pos = _skip(text, pos)
    if text[pos : pos + 1] != ":":
        raise fail("Expecting ':' delimiter", pos)
    return _skip(text, pos + 1)
