"""Per-column statistics of an Arrow table (type, nulls, distinct, min/max, mean, histogram).

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.table.types import TypedColumns

HISTOGRAM_BINS = 30


@dataclass(slots=True)
class ColumnStats:
    name: str
    kind: str
    count: int
    nulls: int
    distinct: int
    minimum: Any = None
    maximum: Any = None
    mean: float | None = None
    #: bin edges (len n+1) and counts (len n) for numeric columns
    edges: np.ndarray | None = None
    counts: np.ndarray | None = None

    @property
    def numeric(self) -> bool:
        return self.edges is not None


def kind_of(t: pa.DataType) -> str:
    """A reader's name for an Arrow type."""
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "decimal"
    if pa.types.is_timestamp(t):
        return "date/time"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_null(t):
        return "empty"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    return str(t)


def _finite(column: pa.ChunkedArray) -> np.ndarray:
    values = column.drop_null().to_numpy() if column.num_chunks else np.array([])
    values = values.astype(np.float64, copy=False)
    finite: np.ndarray = values[np.isfinite(values)]
    return finite


def _histogram(values: np.ndarray, distinct: int) -> tuple[np.ndarray, np.ndarray]:
    bins = max(1, min(HISTOGRAM_BINS, distinct))
    lo, hi = float(values.min()), float(values.max())
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi))
    return edges, counts


def column_stats(name: str, column: pa.ChunkedArray) -> ColumnStats:
    t = column.type
    nulls = column.null_count
    stats = ColumnStats(name, kind_of(t), len(column), nulls, 0)
    if pa.types.is_null(t) or nulls == len(column):
        return stats
    stats.distinct = pc.count_distinct(column, mode="only_valid").as_py()
    if pa.types.is_boolean(t):
        return stats
    try:
        low_high = pc.min_max(column)
        stats.minimum, stats.maximum = low_high["min"].as_py(), low_high["max"].as_py()
    except pa.ArrowNotImplementedError:
        return stats
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        finite = _finite(column.cast(pa.float64()))
        if finite.size:
            stats.mean = float(finite.mean())
            stats.edges, stats.counts = _histogram(finite, stats.distinct)
    return stats


def table_stats(
    table: pa.Table,
    names: list[str],
    progress: Any,
    cancel: CancelToken,
    *,
    typed: TypedColumns | None = None,
) -> list[ColumnStats]:
    """Worker function: stats of every column, reporting progress per column.

    Text columns are typed by what their texts parse as (see :mod:`.types`); ``typed``
    keeps those typed columns for the next sort or stats of the same table.
    """
    columns = typed if typed is not None and typed.table is table else TypedColumns(table)
    out = []
    for i in range(table.num_columns):
        cancel.raise_if_cancelled()
        name = names[i] if i < len(names) else f"column {i + 1}"
        out.append(column_stats(name, columns.column(i)))
        if progress is not None:
            progress(i + 1, table.num_columns)
    return out
