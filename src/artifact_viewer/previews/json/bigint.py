"""Exact integers beyond 64 bits after a fast orjson parse, without a stdlib reparse.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from artifact_viewer.core.cancel import CancelToken

#: orjson keeps integers in [-2**63, 2**64) exact; beyond that it reads them as floats
_EXACT_LOW, _EXACT_HIGH = -(2**63), 2**64
#: more distinct candidates than this and the stdlib reparse is the simpler road
MAX_CANDIDATES = 100_000
_DIGITS = frozenset(b"0123456789")


def long_digit_runs(
    data: bytes | bytearray, run: int = 19, chunk_size: int = 16 << 20
) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every run of at least ``run`` ASCII digits, in order
    (vectorised per chunk; only the runs themselves are walked in Python)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    digit = (arr - np.uint8(48)) < 10  # wraps below "0", so this is "0" <= b <= "9"
    end = -1
    for base in range(0, len(arr), chunk_size):
        window = digit[base : base + chunk_size + run]
        if len(window) < run:
            break
        # starts[i]: digits at i .. i+run-1 (a sliding AND, by doubling widths)
        acc, width = window, 1
        while width * 2 <= run:
            acc = acc[:-width] & acc[width:]
            width *= 2
        if width < run:
            acc = acc[: len(acc) - (run - width)] & acc[run - width :]
        for i in np.flatnonzero(acc):
            start = base + int(i)
            if start < end:
                continue  # inside the run already reported
            end = start + run
            while end < len(data) and data[end] in _DIGITS:
                end += 1
            yield start, end


def _candidates(data: bytes | bytearray, cancel: CancelToken) -> dict[float, int] | None:
    """float -> exact int for each integer literal orjson would have rounded; None when
    they are too many or two of them round to the same float (ambiguous)."""
    exact: dict[float, int] = {}
    for n, (start, end) in enumerate(long_digit_runs(data)):
        if n % 4096 == 0:
            cancel.raise_if_cancelled()
        before = data[start - 1] if start else 0
        after = data[end] if end < len(data) else 0
        if after in b".eE":
            continue  # the integer part of a float literal
        sign = 1
        if before == 0x2D:  # "-"
            sign = -1
            before = data[start - 2] if start > 1 else 0
        if before in b".eE+":
            continue  # a fraction or an exponent
        value = sign * int(data[start:end])
        if _EXACT_LOW <= value < _EXACT_HIGH:
            continue
        try:
            key = float(value)
        except OverflowError:
            return None  # beyond a double: the stdlib path says how it reads it
        if exact.setdefault(key, value) != value or len(exact) > MAX_CANDIDATES:
            return None
    return exact


def restore_big_ints(value: Any, data: bytes | bytearray, cancel: CancelToken) -> bool:
    """Put the exact integers back into ``value`` (parsed by orjson from ``data``), in place.

    Runs as plain Python, so the GUI thread gets the GIL between steps, unlike a stdlib
    reparse of the whole document. A digit run inside a string only adds a candidate that
    matches no float. Returns False when the caller should reparse exactly instead.
    """
    if not isinstance(value, dict | list):
        return False  # a lone number cannot be replaced in place
    exact = _candidates(data, cancel)
    if exact is None:
        return False
    if not exact:
        return True
    stack: list[Any] = [value]
    walked = 0
    while stack:
        container = stack.pop()
        walked += 1
        if walked % 4096 == 0:
            cancel.raise_if_cancelled()
        pairs = container.items() if isinstance(container, dict) else enumerate(container)
        for key, child in pairs:
            if type(child) is float:
                fixed = exact.get(child)
                if fixed is not None:
                    container[key] = fixed  # same key: safe while iterating
            elif isinstance(child, dict | list):
                stack.append(child)
    return True
