"""CSV/TSV diff on the files' text: rows by key (or by content), cells old -> new, columns.

Every column is read as strings (no float noise, nothing shown other than the file has it).
Rows are matched by a key column (chosen, or detected: unique and non-empty on both sides,
id-like names first); without a usable key, by their whole content (as a multiset).
Matching, comparing and counting are Arrow/numpy operations over whole columns; Python only
loops over the rows that changed, and only when the change list is asked for.
"""

from __future__ import annotations

import csv
import io
import mmap
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from artifact_viewer.core.compare.model import (
    TABLE,
    CompareError,
    CompareOptions,
    CompareUsageError,
    Diff,
    JsonObj,
    Steps,
)
from artifact_viewer.core.units import plural

_ID_NAME = re.compile(
    r"^(id|key|uuid|guid|code)$|(^|[_\s-])(id|key|uuid|guid|code|no|number|num)$|[a-z](Id|ID|Key|No)$",
    re.IGNORECASE,
)
#: share of matched rows that must agree for a removed and an added column to be a rename
RENAME_AGREEMENT = 0.9
#: bytes of each file compared first, for a first screen of changes (files bigger than this)
HEAD_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class ColumnPair:
    """A column on both sides (``a`` and ``b`` differ when it was renamed)."""

    a: str
    b: str


@dataclass(slots=True)
class _Rows:
    """Arrow data behind the change list, materialised only on demand."""

    table_a: pa.Table
    table_b: pa.Table
    key: str | None
    pairs: list[ColumnPair]
    removed_a: np.ndarray[Any, Any]  # row indexes in A
    added_b: np.ndarray[Any, Any]  # row indexes in B
    changed_a: np.ndarray[Any, Any]  # row indexes in A of matched rows that differ
    changed_b: np.ndarray[Any, Any]
    changed_cells: dict[str, np.ndarray[Any, Any]]  # B column name -> bool per changed row

    def label(self, table: pa.Table, rows: np.ndarray[Any, Any]) -> list[Any]:
        if self.key is None:
            return [int(r) + 1 for r in rows]
        values: list[Any] = table.column(self.key).take(pa.array(rows)).to_pylist()
        return values

    def entries(self) -> list[JsonObj]:
        out: list[JsonObj] = []
        if len(self.changed_a):
            idx_a, idx_b = pa.array(self.changed_a), pa.array(self.changed_b)
            keys = self.label(self.table_a, self.changed_a)
            cells: list[dict[str, list[Any]]] = [{} for _ in keys]
            for pair in self.pairs:
                flags = self.changed_cells[pair.b]
                where = np.flatnonzero(flags)
                if not len(where):
                    continue
                sel = pa.array(where)
                old = self.table_a.column(pair.a).take(idx_a).take(sel).to_pylist()
                new = self.table_b.column(pair.b).take(idx_b).take(sel).to_pylist()
                for r, o, n in zip(where.tolist(), old, new, strict=True):
                    cells[r][pair.b] = [o, n]
            order = {name.b: i for i, name in enumerate(self.pairs)}
            for key, row_cells in zip(keys, cells, strict=True):
                ordered = dict(sorted(row_cells.items(), key=lambda kv: order[kv[0]]))
                out.append({"op": "change", "key": key, "cells": ordered})
        out.extend(self._whole_rows("remove", self.table_a, self.removed_a))
        out.extend(self._whole_rows("add", self.table_b, self.added_b))
        return out

    def _whole_rows(self, op: str, table: pa.Table, rows: np.ndarray[Any, Any]) -> list[JsonObj]:
        if not len(rows):
            return []
        taken = table.take(pa.array(rows))
        keys = self.label(table, rows)
        columns = {name: taken.column(name).to_pylist() for name in table.column_names}
        out = []
        for i, key in enumerate(keys):
            if op == "add":
                cells = {name: [None, values[i]] for name, values in columns.items()}
            else:
                cells = {name: [values[i], None] for name, values in columns.items()}
            out.append({"op": op, "key": key, "cells": cells})
        return out


@dataclass(slots=True)
class TableDiff(Diff):
    key: str | None = None
    rows_a: int = 0
    rows_b: int = 0
    rows_added: int = 0
    rows_removed: int = 0
    rows_changed: int = 0
    cells_changed: int = 0
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_renamed: dict[str, str] = field(default_factory=dict)  # A name -> B name
    sum_deltas: dict[str, float | int] = field(default_factory=dict)
    rows: _Rows | None = None
    #: a first look at the files' first rows only: changed rows found there so far (rows
    #: added or removed are only known once the whole files are compared)
    partial: bool = False

    def summary(self) -> JsonObj:
        return {
            "rowsAdded": self.rows_added,
            "rowsRemoved": self.rows_removed,
            "rowsChanged": self.rows_changed,
            "cellsChanged": self.cells_changed,
            "columnsAdded": len(self.columns_added),
            "columnsRemoved": len(self.columns_removed),
            "key": self.key,
            "columnNamesAdded": list(self.columns_added),
            "columnNamesRemoved": list(self.columns_removed),
            "columnsRenamed": dict(self.columns_renamed),
            "sumDeltas": dict(self.sum_deltas),
            "notes": list(self.notes),
        }

    def changes(self) -> list[JsonObj]:
        """Changed rows (in A's order), then removed rows, then added rows (B's order)."""
        return self.rows.entries() if self.rows is not None else []

    def one_line(self) -> str:
        if self.partial:
            return (
                f"{plural(self.rows_changed, 'row')} changed in the first"
                f" {self.rows_a:,} rows of A (comparing the rest…)"
            )
        if self.identical:
            return "identical"
        parts = []
        if self.rows_added:
            parts.append(f"+{plural(self.rows_added, 'row')}")
        if self.rows_removed:
            parts.append(f"-{plural(self.rows_removed, 'row')}")
        if self.cells_changed:
            parts.append(f"{plural(self.cells_changed, 'cell')} changed")
        if self.columns_added:
            parts.append(f"+{plural(len(self.columns_added), 'column')}")
        if self.columns_removed:
            parts.append(f"-{plural(len(self.columns_removed), 'column')}")
        if self.columns_renamed:
            parts.append(f"{plural(len(self.columns_renamed), 'column')} renamed")
        return ", ".join(parts)


# -- reading ---------------------------------------------------------------------------


def _csv_options(
    path: Path, delimiter: str, encoding: str | None, scan_quotes: bool = True
) -> tuple[Any, Any, Any] | None:
    """pyarrow read/parse/convert options reading every column as strings (None: no header).

    ``scan_quotes``: look through the whole file for a quote (quoted cells may hold line
    ends); otherwise only the first 256 KiB are looked at."""
    import pyarrow.csv as pcsv

    codec = (encoding or "utf-8").lower().replace("_", "-")
    with path.open("rb") as fh:
        head = fh.read(256 * 1024)
        size = path.stat().st_size
        quoted = b'"' in head
        if scan_quotes and not quoted and size > len(head) and size > 0:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                quoted = mm.find(b'"') >= 0
    text = head.decode(codec if codec != "utf-8" else "utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        header = []
    if not header:
        return None
    names = _unique_names(header)
    return (
        pcsv.ReadOptions(
            column_names=names,
            skip_rows=1,
            encoding="utf8" if codec in ("utf-8", "utf-8-sig", "ascii") else codec,
            block_size=8 << 20,
        ),
        pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
        pcsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def read_table(path: Path, delimiter: str = ",", encoding: str | None = None) -> pa.Table:
    """Every column of a CSV/TSV file as strings, exactly as written (empty cells are "")."""
    import pyarrow.csv as pcsv

    options = _csv_options(path, delimiter, encoding)
    if options is None:
        return pa.table({})
    read_options, parse_options, convert_options = options
    try:
        table = pcsv.read_csv(
            path,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CompareError(f"{path.name} cannot be read as a table: {reason}") from None
    return table.combine_chunks()


def read_head(
    path: Path, delimiter: str = ",", encoding: str | None = None, size: int | None = None
) -> pa.Table | None:
    """About the first ``size`` bytes of rows of a CSV/TSV file, read as :func:`read_table`
    reads the whole (None when they cannot be read that way: the full read will say why)."""
    import pyarrow.csv as pcsv

    options = _csv_options(path, delimiter, encoding, scan_quotes=False)
    if options is None:
        return None
    read_options, parse_options, convert_options = options
    read_options.block_size = size or HEAD_BYTES
    read_options.use_threads = False
    try:
        with pcsv.open_csv(
            path,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        ) as reader:
            batch = reader.read_next_batch()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, StopIteration, OSError):
        return None
    return pa.Table.from_batches([batch])


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in header:
        name = name.lstrip("\ufeff")
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name} ({count + 1})")
    return out


# -- keys ------------------------------------------------------------------------------


def _duplicates(column: pa.ChunkedArray | pa.Array) -> int:
    """Rows beyond the first of each value, plus empty values (neither can be a key)."""
    n = len(column)
    if n == 0:
        return 0
    empty = int(pc.sum(pc.equal(column, "")).as_py() or 0)
    # Sorted, a repeated value sits next to its twin (sorting beats hashing strings here).
    ordered = column.take(pc.sort_indices(column))
    repeats = int(pc.sum(pc.equal(ordered[1:], ordered[:-1])).as_py() or 0)
    return repeats + empty


def choose_key(a: pa.Table, b: pa.Table, wanted: str | None) -> tuple[str | None, list[str]]:
    """The key column and notes. A chosen key with duplicates (or empty values) falls back to
    row content, with a note saying how many; so does a detected id-like one."""
    notes: list[str] = []
    common = [name for name in a.column_names if name in set(b.column_names)]
    if wanted is not None:
        missing = [side for side, t in (("A", a), ("B", b)) if wanted not in t.column_names]
        if missing:
            raise CompareUsageError(
                f"Key column {wanted!r} is not in {' and '.join(missing)}"
                f" (columns: {', '.join(common) or 'none in common'})."
            )
        candidates = [wanted]
    else:
        candidates = sorted(common, key=lambda n: (not _ID_NAME.search(n), common.index(n)))
    for name in candidates:
        dup_a, dup_b = _duplicates(a.column(name)), _duplicates(b.column(name))
        if dup_a == 0 and dup_b == 0 and (len(a) or len(b)):
            return name, notes
        if wanted is not None or _ID_NAME.search(name):
            sides = ", ".join(
                f"{count:,} in {side}" for side, count in (("A", dup_a), ("B", dup_b)) if count
            )
            notes.append(
                f"Key column {name!r} has duplicate or empty values ({sides}):"
                " rows were matched by their content instead."
            )
            return None, notes
    return None, notes


# -- matching ---------------------------------------------------------------------------


def _match_by_key(
    a: pa.Table, b: pa.Table, key: str
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Row indexes (ia, ib) of rows whose key is on both sides, in A's order."""
    ka, kb = a.column(key), b.column(key)
    if len(ka) == len(kb) and pc.all(pc.equal(ka, kb)).as_py() in (True, None):
        idx = np.arange(len(ka), dtype=np.int64)
        return idx, idx
    left = pa.table({"k": ka, "ia": pa.array(np.arange(len(ka), dtype=np.int64))})
    right = pa.table({"k": kb, "ib": pa.array(np.arange(len(kb), dtype=np.int64))})
    joined = left.join(right, keys="k", join_type="inner", use_threads=True)
    ia = joined.column("ia").to_numpy()
    ib = joined.column("ib").to_numpy()
    order = np.argsort(ia, kind="stable")
    return ia[order], ib[order]


def _match_by_content(
    a: pa.Table, b: pa.Table, pairs: list[ColumnPair]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Rows equal in every shared column, paired as multisets (n copies match n copies)."""
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)

    def joined(t: pa.Table, names: list[str]) -> pa.ChunkedArray | pa.Array:
        cols = [t.column(n) for n in names]
        if len(cols) == 1:
            return cols[0]
        # Unit separator between cells, and each cell's length, make the join unambiguous.
        parts: list[Any] = []
        for col in cols:
            parts.extend([pc.cast(pc.utf8_length(col), pa.string()), col])
        return pc.binary_join_element_wise(*parts, "\x1f")

    rows_a = joined(a, [p.a for p in pairs])
    rows_b = joined(b, [p.b for p in pairs])
    both = pa.chunked_array(
        [*_chunks(rows_a), *_chunks(rows_b)], type=pa.large_string()
    ).combine_chunks()
    codes = pc.dictionary_encode(both).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    na = len(rows_a)
    code_a, code_b = codes[:na], codes[na:]
    occ_a, occ_b = _occurrence(code_a), _occurrence(code_b)
    # A row of A is matched when B has at least as many copies as its occurrence number.
    span = int(max(occ_a.max(initial=0), occ_b.max(initial=0))) + 1
    ta = code_a * span + occ_a
    tb = code_b * span + occ_b
    common, ia, ib = np.intersect1d(ta, tb, assume_unique=True, return_indices=True)
    order = np.argsort(ia, kind="stable")
    return ia[order].astype(np.int64), ib[order].astype(np.int64)


def _chunks(column: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return [c.cast(pa.large_string()) for c in chunks]


def _occurrence(codes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """For each position, how many earlier positions hold the same code."""
    if not len(codes):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    run = np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    occ = np.empty(len(codes), dtype=np.int64)
    occ[order] = np.arange(len(codes)) - run
    return occ


# -- columns ----------------------------------------------------------------------------


def _renames(
    a: pa.Table, b: pa.Table, only_a: list[str], only_b: list[str], key: str | None
) -> dict[str, str]:
    """Removed and added columns that hold (nearly) the same values: renamed."""
    if not only_a or not only_b:
        return {}
    if key is not None:
        ia, ib = _match_by_key(a, b, key)
    else:
        n = min(len(a), len(b), 100_000)
        ia = ib = np.arange(n, dtype=np.int64)
    if not len(ia):
        return {}
    sel_a, sel_b = pa.array(ia), pa.array(ib)
    scores = []
    for name_a in only_a:
        col_a = a.column(name_a).take(sel_a)
        for name_b in only_b:
            same = pc.sum(pc.equal(col_a, b.column(name_b).take(sel_b))).as_py() or 0
            scores.append((same / len(ia), name_a, name_b))
    out: dict[str, str] = {}
    for score, name_a, name_b in sorted(scores, reverse=True):
        if score < RENAME_AGREEMENT:
            break
        if name_a not in out and name_b not in out.values():
            out[name_a] = name_b
    return out


# -- compare -----------------------------------------------------------------------------


def diff_tables(
    a: pa.Table, b: pa.Table, options: CompareOptions, steps: Steps | None = None
) -> TableDiff:
    """Compare two all-string tables."""

    def at(n: int) -> None:
        if steps is not None:
            steps.advance(n)

    names_b = set(b.column_names)
    names_a = set(a.column_names)
    only_a = [n for n in a.column_names if n not in names_b]
    only_b = [n for n in b.column_names if n not in names_a]
    key, notes = choose_key(a, b, options.key)
    at(50)
    renamed = _renames(a, b, only_a, only_b, key)
    pairs = [ColumnPair(n, n) for n in b.column_names if n in names_a and n != key]
    pairs += [ColumnPair(old, new) for old, new in renamed.items()]
    if key is not None:
        ia, ib = _match_by_key(a, b, key)
    else:
        ia, ib = _match_by_content(a, b, pairs)
    at(65)
    removed = np.setdiff1d(np.arange(len(a), dtype=np.int64), ia, assume_unique=True)
    added = np.setdiff1d(np.arange(len(b), dtype=np.int64), ib, assume_unique=True)
    sel_a, sel_b = pa.array(ia), pa.array(ib)
    flags: dict[str, np.ndarray[Any, Any]] = {}
    any_changed = np.zeros(len(ia), dtype=bool)
    if key is not None and len(ia):
        for pair in pairs:
            col_a = a.column(pair.a).take(sel_a)
            col_b = b.column(pair.b).take(sel_b)
            differs = pc.not_equal(col_a, col_b)
            if options.tolerance > 0:
                flag = _outside_tolerance(col_a, col_b, differs, options.tolerance)
            else:
                flag = np.asarray(differs.to_numpy(zero_copy_only=False), dtype=bool)
            flags[pair.b] = flag
            any_changed |= flag
            if steps is not None:
                steps.check()
    at(85)
    changed_rows = np.flatnonzero(any_changed)
    cells = int(sum(int(f[changed_rows].sum()) for f in flags.values()))
    rows = _Rows(
        a,
        b,
        key,
        pairs,
        removed,
        added,
        ia[changed_rows],
        ib[changed_rows],
        {name: f[changed_rows] for name, f in flags.items()},
    )
    deltas = _sum_deltas(rows)
    at(95)
    columns_added = [n for n in only_b if n not in renamed.values()]
    columns_removed = [n for n in only_a if n not in renamed]
    identical = (
        not (len(removed) or len(added) or len(changed_rows) or columns_added or columns_removed)
        and not renamed
    )
    return TableDiff(
        TABLE,
        identical,
        notes,
        key=key,
        rows_a=len(a),
        rows_b=len(b),
        rows_added=len(added),
        rows_removed=len(removed),
        rows_changed=len(changed_rows),
        cells_changed=cells,
        columns_added=columns_added,
        columns_removed=columns_removed,
        columns_renamed=renamed,
        sum_deltas=deltas,
        rows=rows,
    )


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _numbers(values: list[Any]) -> np.ndarray[Any, Any]:
    """Cell texts as floats (NaN where a cell is empty or not a plain decimal number).
    Only called on the cells of changed, added or removed rows."""
    match = _NUMBER.fullmatch
    return np.array(
        [float(v) if isinstance(v, str) and match(v) else np.nan for v in values],
        dtype=np.float64,
    )


def _outside_tolerance(
    col_a: pa.Array | pa.ChunkedArray,
    col_b: pa.Array | pa.ChunkedArray,
    differs: Any,
    tolerance: float,
) -> np.ndarray[Any, Any]:
    """``differs`` without the cells whose texts are numbers at most ``tolerance`` apart
    (only the differing cells are parsed)."""
    flags = np.asarray(differs.to_numpy(zero_copy_only=False), dtype=bool)
    where = np.flatnonzero(flags)
    if not len(where):
        return flags
    sel = pa.array(where)
    old = _numbers(col_a.take(sel).to_pylist())
    new = _numbers(col_b.take(sel).to_pylist())
    with np.errstate(invalid="ignore"):
        close = np.abs(old - new) <= tolerance
    flags[where[close]] = False
    return flags


def _column_sum(values: list[Any]) -> tuple[float, int, bool]:
    """Sum of the numbers among ``values``, most decimals seen, and whether every non-empty
    value was a number."""
    texts = [v for v in values if v != ""]
    numbers = _numbers(texts)
    if np.isnan(numbers).any():
        return 0.0, 0, False
    places = max((len(t) - t.index(".") - 1 for t in texts if "." in t), default=0)
    return float(numbers.sum()), min(places, 12), True


def _sum_deltas(rows: _Rows) -> dict[str, float | int]:
    """How each numeric column's sum changed from A to B.

    Rows that matched unchanged add nothing to the change, so only the added, removed and
    changed rows are read: delta = added + (changed new - changed old) - removed. A column
    counts as numeric when every non-empty value among those rows is a number.
    """
    out: dict[str, float | int] = {}
    idx = {
        "added": pa.array(rows.added_b),
        "removed": pa.array(rows.removed_a),
        "changed_a": pa.array(rows.changed_a),
        "changed_b": pa.array(rows.changed_b),
    }
    for pair in rows.pairs:
        col_a, col_b = rows.table_a.column(pair.a), rows.table_b.column(pair.b)
        parts = [
            _column_sum(col_b.take(idx["added"]).to_pylist()),
            _column_sum(col_b.take(idx["changed_b"]).to_pylist()),
            _column_sum(col_a.take(idx["changed_a"]).to_pylist()),
            _column_sum(col_a.take(idx["removed"]).to_pylist()),
        ]
        if not all(ok for _, _, ok in parts) or not any(len(i) for i in idx.values()):
            continue
        added, new, old, removed = (total for total, _, _ in parts)
        places = max(p for _, p, _ in parts)
        rounded = round(added + new - old - removed, places)
        out[pair.b] = int(rounded) if places == 0 else rounded
    return out


def first_changes(
    path_a: Path,
    path_b: Path,
    options: CompareOptions,
    formats: tuple[tuple[str, str | None], tuple[str, str | None]] = ((",", None), (",", None)),
    size: int | None = None,
) -> TableDiff | None:
    """The changed rows among the first rows of both files (a ``partial`` TableDiff), for a
    first screen while the whole files are compared; None when there is nothing to show
    yet (no key column in the first rows, no changed row among them, unreadable head)."""
    a = read_head(path_a, *formats[0], size=size)
    b = read_head(path_b, *formats[1], size=size) if a is not None else None
    if a is None or b is None or not len(a) or not len(b):
        return None
    try:
        result = diff_tables(a, b, options)
    except CompareError:
        return None
    if result.key is None or result.rows is None or not result.rows_changed:
        return None
    rows = result.rows
    none = np.zeros(0, dtype=np.int64)
    rows.removed_a, rows.added_b = none, none
    result.rows_added = result.rows_removed = 0
    result.sum_deltas = {}
    result.notes = []
    result.identical = False
    result.partial = True
    return result


def compare_tables(
    path_a: Path,
    path_b: Path,
    options: CompareOptions,
    steps: Steps,
    formats: tuple[tuple[str, str | None], tuple[str, str | None]] = ((",", None), (",", None)),
    on_partial: Callable[[Diff], None] | None = None,
) -> TableDiff:
    """Read both files (delimiter, encoding per side) and compare them. With ``on_partial``,
    files bigger than :data:`HEAD_BYTES` first get :func:`first_changes` sent to it."""
    if on_partial is not None and min(path_a.stat().st_size, path_b.stat().st_size) > HEAD_BYTES:
        first = first_changes(path_a, path_b, options, formats)
        steps.check()
        if first is not None:
            on_partial(first)
    a = read_table(path_a, *formats[0])
    steps.advance(20)
    b = read_table(path_b, *formats[1])
    steps.advance(40)
    result = diff_tables(a, b, options, steps)
    steps.advance(100)
    return result
