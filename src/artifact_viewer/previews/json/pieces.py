"""Parse a big top-level JSON array in pieces, so no single call holds the GIL for long.

orjson holds the GIL for a whole document (about a second per 100 MB), and the GUI
thread needs the GIL to run any Python slot or model method. A top-level array is cut
into runs of whole elements of about ``PIECE`` bytes at separators like ``},{``; each run
is parsed on its own and the lists are joined.

Why this is safe: a run always starts at a real element boundary, and a separator found
inside a string or a nested array leaves the run unbalanced or ending inside a string,
which orjson refuses; the next separator is tried then. If the end cannot be parsed the
caller falls back to one whole-file parse (which also reports any syntax error).

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from artifact_viewer.core.cancel import CancelToken

#: bytes per piece: orjson parses this in roughly 10-20 ms
PIECE = 1 << 20
_SEPARATOR = re.compile(rb"[}\]]\s*,\s*[{\[]")
_NON_SPACE = re.compile(rb"\S")
_MAX_MISSES = 64


def _balance(data: bytes | bytearray, start: int, end: int) -> int:
    """Opening minus closing brackets in data[start:end] (strings not excluded: a hint)."""
    return (
        data.count(b"{", start, end)
        + data.count(b"[", start, end)
        - data.count(b"}", start, end)
        - data.count(b"]", start, end)
    )


def loads_array_in_pieces(
    data: bytes | bytearray, cancel: CancelToken, progress: Any = None, piece: int = PIECE
) -> list[Any] | None:
    """The parsed top-level array, or None when ``data`` is not one (or cannot be split).

    ``progress(done, total)`` is called after each piece with the bytes parsed so far.
    """
    # Never strip(): that copies the whole buffer while holding the GIL.
    first = _NON_SPACE.search(data)
    if first is None or data[first.start()] != ord("["):
        return None
    start = first.start() + 1
    end = data.rfind(b"]")
    if end < start:
        return None
    out: list[Any] = []
    misses = pieces = 0
    with memoryview(data) as view:
        while end - start > piece + piece // 2 and misses <= _MAX_MISSES:
            cancel.raise_if_cancelled()
            pos, depth, counted = start + piece, 0, start
            while misses <= _MAX_MISSES:
                m = _SEPARATOR.search(data, pos, end)
                if m is None:
                    break
                close = m.start() + 1  # just after the "}" or "]" ending an element
                depth += _balance(data, counted, close)
                counted, pos = close, close
                if depth != 0:
                    continue
                try:
                    values = orjson.loads(b"[" + view[start:close].tobytes() + b"]")
                except orjson.JSONDecodeError:
                    misses += 1  # the separator sat inside a string
                    continue
                out.extend(values)
                pieces += 1
                start = m.end() - 1  # the "{" or "[" opening the next element
                if progress is not None:
                    progress(start, len(data))
                break
            if m is None:
                break  # no separator left: the rest is one piece
        if pieces == 0:
            return None  # nothing gained over one whole parse
        try:
            out.extend(orjson.loads(b"[" + view[start:end].tobytes() + b"]"))
        except orjson.JSONDecodeError:
            return None
    return out
