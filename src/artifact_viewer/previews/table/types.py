"""Column types inferred from the file's texts, for sorting, statistics and alignment only.

Every cell is read and shown as the file's text; a column's type is worked out from those
texts when something needs to compare values (a sort, a histogram), never to display them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

#: tried in this order; the first type every non-empty text of a column parses as wins
_CANDIDATES: tuple[pa.DataType, ...] = (
    pa.int64(),
    pa.float64(),
    pa.bool_(),
    pa.date32(),
    pa.timestamp("us"),
)


_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan)", re.IGNORECASE)
_BOOL = frozenset({"true", "false"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?")


def guess_kind(texts: Iterable[str | None]) -> pa.DataType:
    """What a few texts of a column look like, in plain Python (for the first screen's
    alignment; the same order as :func:`infer_column`, without calling Arrow compute)."""
    values = [t for t in texts if t is not None and t.strip()]
    if not values:
        return pa.null()
    checks: tuple[tuple[pa.DataType, re.Pattern[str] | None], ...] = (
        (pa.int64(), _INT),
        (pa.float64(), _FLOAT),
        (pa.bool_(), None),
        (pa.date32(), _DATE),
        (pa.timestamp("us"), _TIMESTAMP),
    )
    for kind, pattern in checks:
        if pattern is None:
            if all(v.lower() in _BOOL for v in values):
                return kind
        elif all(pattern.fullmatch(v) for v in values):
            return kind
    return pa.string()


def _as_chunked(column: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    if isinstance(column, pa.ChunkedArray):
        return column
    return pa.chunked_array([column], type=column.type)


def _blank_as_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty and all-space texts count as no value."""
    blank = pc.equal(pc.utf8_trim_whitespace(column), "")
    result: pa.ChunkedArray = pc.if_else(blank, pa.scalar(None, column.type), column)
    return result


def infer_column(column: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """The column as the narrowest type all its non-blank texts parse as (text otherwise).

    Blank cells become nulls in the typed column (they sort last and are not counted).
    A column that is not text already is returned as it is.
    """
    chunked = _as_chunked(column)
    if pa.types.is_null(chunked.type):
        return chunked
    if not (pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)):
        return chunked
    values = _blank_as_null(chunked)
    if values.null_count == len(values):
        return pa.chunked_array([pa.nulls(len(values))], type=pa.null())
    for target in _CANDIDATES:
        try:
            typed: pa.ChunkedArray = pc.cast(values, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return typed
    return chunked


def is_numeric(t: pa.DataType) -> bool:
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t))


class TypedColumns:
    """Typed versions of a text table's columns, each worked out on first use and kept.

    Used from one worker at a time (a query or a stats task).
    """

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._typed: dict[int, pa.ChunkedArray] = {}

    @property
    def table(self) -> pa.Table:
        return self._table

    def column(self, index: int) -> pa.ChunkedArray:
        typed = self._typed.get(index)
        if typed is None:
            typed = self._typed[index] = infer_column(self._table.column(index))
        return typed

    def known(self) -> dict[int, pa.DataType]:
        return {i: c.type for i, c in self._typed.items()}
