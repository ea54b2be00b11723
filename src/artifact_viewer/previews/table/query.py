"""Filter and sort an Arrow table off the GUI thread; the result is a row-index permutation.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.table.types import TypedColumns


@dataclass(frozen=True, slots=True)
class Query:
    """What the user asked for. ``column`` None filters over every column."""

    text: str = ""
    column: int | None = None
    sort_column: int | None = None
    descending: bool = False

    @property
    def is_identity(self) -> bool:
        return not self.text and self.sort_column is None


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), pa.string())])
    return pc.cast(column, pa.string())


def _folded(
    table: pa.Table, column: int, cache: dict[int, pa.ChunkedArray] | None
) -> pa.ChunkedArray:
    """The column as lower-case text, kept in ``cache`` for the next filter."""
    if cache is not None and column in cache:
        return cache[column]
    folded = pc.utf8_lower(_as_text(table.column(column)))
    if cache is not None:
        cache[column] = folded
    return folded


def filter_rows(
    table: pa.Table,
    text: str,
    column: int | None,
    cancel: CancelToken,
    cache: dict[int, pa.ChunkedArray] | None = None,
) -> np.ndarray:
    """Indices of rows where ``text`` occurs (case-insensitive) in the column(s)."""
    columns = [column] if column is not None else range(table.num_columns)
    needle = text.lower()
    mask: Any = None
    for c in columns:
        cancel.raise_if_cancelled()
        hit = pc.fill_null(pc.match_substring(_folded(table, c, cache), needle), False)
        mask = hit if mask is None else pc.or_(mask, hit)
    if mask is None:
        return np.arange(table.num_rows, dtype=np.int64)
    flat = mask.combine_chunks() if isinstance(mask, pa.ChunkedArray) else mask
    return np.flatnonzero(flat.to_numpy(zero_copy_only=False)).astype(np.int64)


def sort_rows(
    table: pa.Table,
    column: int,
    descending: bool,
    rows: np.ndarray | None,
    typed: TypedColumns | None = None,
) -> np.ndarray:
    """Row indices ordered by ``column``'s values (numbers as numbers, dates as dates: the
    type its texts parse as), blanks last, ties in file order."""
    columns = typed if typed is not None and typed.table is table else TypedColumns(table)
    values = columns.column(column)
    if rows is not None:
        values = values.take(pa.array(rows))
    order = "descending" if descending else "ascending"
    perm = pc.array_sort_indices(values, order=order, null_placement="at_end")
    perm_np: np.ndarray = perm.to_numpy(zero_copy_only=False).astype(np.int64)
    return perm_np if rows is None else rows[perm_np]


def run_query(
    table: pa.Table,
    query: Query,
    cache: dict[int, pa.ChunkedArray] | None,
    progress: Any,
    cancel: CancelToken,
    *,
    typed: TypedColumns | None = None,
) -> np.ndarray | None:
    """Worker function: the view's row order for ``query`` (None: every row, file order).

    ``cache`` keeps lower-cased text columns between queries on the same table; ``typed``
    the columns' typed values for sorting.
    """
    if query.is_identity:
        return None
    rows = filter_rows(table, query.text, query.column, cancel, cache) if query.text else None
    cancel.raise_if_cancelled()
    if query.sort_column is not None:
        rows = sort_rows(table, query.sort_column, query.descending, rows, typed)
    return rows


def cell_text(value: Any) -> str:
    """Full text of a value for the clipboard (no truncation, JSON-like literals)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def cells_tsv(
    table: pa.Table, rows: np.ndarray, columns: list[int], progress: Any, cancel: CancelToken
) -> str:
    """Worker function: the given cells as tab-separated text (quoted where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    picked = table.select(columns).take(pa.array(rows, pa.int64()))
    values = [picked.column(i).to_pylist() for i in range(len(columns))]
    for r in range(picked.num_rows):
        if r & 0xFFF == 0:
            cancel.raise_if_cancelled()
        writer.writerow([cell_text(col[r]) for col in values])
    return out.getvalue()
