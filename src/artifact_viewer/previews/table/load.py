"""Read a CSV/TSV file into Arrow: the first screen from its head, then the whole file.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.core.units import plural
from artifact_viewer.previews.table.cells import format_value
from artifact_viewer.previews.table.dialect import HEAD_BYTES, CsvFormat, sniff_format
from artifact_viewer.previews.table.types import guess_kind

#: Arrow parses the file in blocks of this size; the first screen is the first block's rows
BLOCK_SIZE = 1 << 20
#: the longest the whole-file read waits for the first screen to be painted
SHOWN_WAIT_S = 0.5
#: cell texts of this many first rows are made on the worker, ready for the first paint
FIRST_TEXT_ROWS = 100
_MAX_EXAMPLES = 5
#: rows with the wrong field count kept and shown (marked) in the table; more are counted
MAX_RAGGED_ROWS = 100_000
#: the name of the column that shows a long row's fields beyond the header's count
EXTRA_FIELDS = "(extra fields)"


@dataclass(slots=True)
class TableData:
    """Rows read so far, every cell the file's text (a string column per field).

    Arrow column names are unique (``f0``...); ``names`` are for people. ``kinds`` are the
    column types the first rows suggest (for alignment; sorting infers over the whole column).
    """

    fmt: CsvFormat
    batches: list[pa.RecordBatch]
    schema: pa.Schema
    names: list[str]
    size: int
    complete: bool = False
    bytes_read: int = 0
    skipped: int = 0
    skipped_examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: display texts of the first rows, per column (made off the GUI thread)
    first_texts: list[list[str]] = field(default_factory=list)
    #: per column, the type its first rows' texts parse as
    kinds: list[pa.DataType] = field(default_factory=list)
    #: data row -> what is wrong with it, for rows shown with too few or too many fields
    #: (a short row's missing cells are null; a long row's extra fields are in the last,
    #: :data:`EXTRA_FIELDS` column)
    ragged: dict[int, str] = field(default_factory=dict)
    #: the header's field count (columns beyond it hold long rows' extra fields)
    expected_columns: int = 0

    @property
    def rows(self) -> int:
        return sum(b.num_rows for b in self.batches)

    def table(self) -> pa.Table:
        return pa.Table.from_batches(self.batches, schema=self.schema)


class _Counting(io.RawIOBase):
    """A file reader that tells ``on_read`` how many bytes pyarrow has taken so far.

    ``on_read`` may raise (e.g. :class:`Cancelled`): pyarrow stops reading and passes the
    exception on to its caller, which is how a multi-threaded read is cancelled.
    """

    def __init__(self, path: Path, on_read: Callable[[int], None]) -> None:
        self._fh = path.open("rb", buffering=0)
        self._on_read = on_read
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        # pyarrow asks for whole blocks through read(); one copy fewer than readinto.
        data = self._fh.read(size) or b""
        self._counted(len(data))
        return data

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer) or 0
        self._counted(n)
        return n

    def _counted(self, n: int) -> None:
        self.count += n
        self._on_read(self.count)

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Skipped:
    """pyarrow's invalid-row handler: skip rows with the wrong field count, remember some.

    Arrow calls it from several parsing threads at once, hence the lock. A multi-threaded
    read does not know row numbers; :func:`_locate_skipped` finds them afterwards.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.count = 0
        self.examples: list[str] = []
        self._limit = limit
        self._lock = threading.Lock()

    def __call__(self, row: Any) -> str:
        with self._lock:
            self.count += 1
            if len(self.examples) < _MAX_EXAMPLES:
                where = f"row {row.number}" if row.number is not None else "a row"
                self.examples.append(
                    f"{where} has {row.actual_columns} "
                    f"{'field' if row.actual_columns == 1 else 'fields'}, "
                    f"expected {row.expected_columns}"
                )
            if self._limit is not None and self.count >= self._limit:
                return "error"  # enough found: stop reading
        return "skip"


def _options(
    fmt: CsvFormat, skipped: Callable[[Any], str], *, threads: bool = True
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    """Every field as text: the header row is read as data (and dropped by the caller), so
    Arrow never has to guess the column count from a row it skipped."""
    columns = _column_ids(fmt)
    read = pacsv.ReadOptions(
        encoding=fmt.arrow_encoding,
        column_names=columns,
        block_size=BLOCK_SIZE,
        use_threads=threads,
    )
    parse = pacsv.ParseOptions(
        delimiter=fmt.delimiter,
        quote_char=fmt.quotechar,
        newlines_in_values=True,
        invalid_row_handler=skipped,
    )
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(columns, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    return read, parse, convert


def _column_ids(fmt: CsvFormat) -> list[str]:
    return [f"f{i}" for i in range(max(1, len(fmt.names)))]


def _text_schema(fmt: CsvFormat) -> pa.Schema:
    return pa.schema([(name, pa.string()) for name in _column_ids(fmt)])


def _names_for(schema: pa.Schema, fmt: CsvFormat) -> list[str]:
    names = list(fmt.names[: len(schema)])
    names += [f"column {i + 1}" for i in range(len(names), len(schema))]
    return names


def _kinds(batch: pa.RecordBatch) -> list[pa.DataType]:
    """Column kinds from the first rows' texts (plain Python: fast, and the first Arrow
    compute call of a process imports pandas, a second or more)."""
    head = batch.slice(0, FIRST_TEXT_ROWS)
    return [guess_kind(column.to_pylist()) for column in head.columns]


def _empty(fmt: CsvFormat, size: int) -> TableData:
    schema = _text_schema(fmt)
    names = _names_for(schema, fmt)
    kinds = [pa.null() for _ in names]
    return TableData(fmt, [], schema, names, size, True, size, kinds=kinds)


def _fallback(path: Path, fmt: CsvFormat, size: int, reason: str) -> TableData:
    """Python's csv module, every column as text: slower, but reads what Arrow refuses.

    Every row is kept: a short row's missing fields are empty (null), a long row widens
    the table.
    """
    with path.open("r", encoding=fmt.encoding, errors="replace", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=fmt.delimiter, quotechar=fmt.quotechar))
    rows = [r for r in rows if r]  # Arrow skips empty lines too
    if fmt.header and rows:
        rows = rows[1:]
    width = max((len(r) for r in rows), default=len(fmt.names)) or 1
    columns = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    table = pa.table({f"f{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    names = _names_for(table.schema, fmt)
    batches = table.to_batches()
    data = TableData(fmt, batches, table.schema, names, size, True, size)
    data.kinds = _kinds(table.to_batches()[0]) if table.num_rows else [pa.null()] * width
    data.notes = [*fmt.notes, f"Read as plain text columns ({reason})."]
    short = sum(1 for r in rows if len(r) < width)
    if short:
        data.notes.append(f"{plural(short, 'row')} with fewer fields than others (shown empty)")
    return data


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:120]


def load_table(
    path: Path,
    suffix: str,
    header: bool | None,
    progress: Any,
    cancel: CancelToken,
    *,
    shown: threading.Event | None = None,
) -> TableData:
    """Worker function: sniff, send the first screen via ``progress.partial``, read the rest.

    ``header`` None sniffs whether the first row names the columns; True/False decide.
    ``shown``, when given, is set once the first screen is on screen: the whole-file read,
    which keeps every core busy, waits for it (at most ``SHOWN_WAIT_S``) so the GUI
    thread paints that screen without competing for a core.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise PreviewError("The file is empty." if not head else "The file holds only whitespace.")
    fmt = sniff_format(head, suffix, whole_file=len(head) >= size, header=header)
    cancel.raise_if_cancelled()
    try:
        first, whole = _read_head(path, fmt, size, progress, shown, cancel)
        data = first if whole else _read_all(path, fmt, first, progress, cancel)
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return _empty(fmt, size)
        return _fallback(path, fmt, size, _first_line(exc))
    if data.skipped:
        data = _with_ragged_rows(path, fmt, data, cancel)
    data = _check_unclosed_quote(path, data)
    progress(size, size)
    return replace(data, complete=True, bytes_read=size)


def _first_texts(batch: pa.RecordBatch) -> list[list[str]]:
    """The first rows' cell texts, one list per column, as the view will show them."""
    head = batch.slice(0, FIRST_TEXT_ROWS)
    return [[format_value(v) for v in col.to_pylist()] for col in head.columns]


def _wait_shown(shown: threading.Event, cancel: CancelToken) -> None:
    """Wait until the first screen is painted, a cancel, or ``SHOWN_WAIT_S`` passes."""
    deadline = time.monotonic() + SHOWN_WAIT_S
    while not shown.wait(0.02):
        cancel.raise_if_cancelled()
        if time.monotonic() >= deadline:
            return


def _without_header(batch: pa.RecordBatch, fmt: CsvFormat) -> pa.RecordBatch:
    return batch.slice(1) if fmt.header and batch.num_rows else batch


def _read_head(
    path: Path,
    fmt: CsvFormat,
    size: int,
    progress: Any,
    shown: threading.Event | None,
    cancel: CancelToken,
) -> tuple[TableData, bool]:
    """Send the first block's rows (the first screen); return them and whether that was all.

    Reading on waits for ``shown`` (see :func:`load_table`).
    """
    skipped = _Skipped()
    reader = pacsv.open_csv(str(path), *_options(fmt, skipped))
    try:
        names = _names_for(reader.schema, fmt)
        data = TableData(fmt, [], reader.schema, names, size)
        try:
            batch = _without_header(reader.read_next_batch(), fmt)
        except StopIteration:
            data.kinds = [pa.null() for _ in names]
            return _snapshot(data, size, skipped), True
        data.batches.append(batch)
        data.kinds = _kinds(batch)
        first = _snapshot(data, min(BLOCK_SIZE, size), skipped)
        first.first_texts = _first_texts(batch)
        progress(first.bytes_read, size)
        progress.partial(first)
        if shown is not None:
            _wait_shown(shown, cancel)
        try:
            reader.read_next_batch()
        except StopIteration:
            whole = _snapshot(data, size, skipped)
            return replace(whole, first_texts=first.first_texts), True
        except pa.ArrowInvalid:
            pass  # reading the whole file meets (and handles) what went wrong further on
        return first, False
    finally:
        # Stop Arrow's read-ahead before the file under it goes away.
        reader.close()


def _read_all(
    path: Path,
    fmt: CsvFormat,
    first: TableData,
    progress: Any,
    cancel: CancelToken,
) -> TableData:
    """The whole file in one multi-threaded read (every core parses blocks).

    The first screen's batches stay the first batches when the rows agree, so the view
    takes the rest as rows appended below them instead of starting over.
    """
    size = first.size
    skipped = _Skipped()

    def on_read(count: int) -> None:
        cancel.raise_if_cancelled()
        progress(min(count, size), size)

    source = _Counting(path, on_read)
    try:
        table = pacsv.read_csv(pa.PythonFile(source, mode="r"), *_options(fmt, skipped))
    finally:
        source.close()
    cancel.raise_if_cancelled()
    if fmt.header and table.num_rows:
        table = table.slice(1)
    head_rows = first.rows
    if (
        table.schema.equals(first.schema)
        and table.num_rows >= head_rows
        and table.slice(0, head_rows).equals(first.table())
    ):
        rest = table.slice(head_rows).to_batches()
        batches = [*first.batches, *(b for b in rest if b.num_rows)]
    else:
        batches = [b for b in table.to_batches() if b.num_rows]
    data = TableData(fmt, batches, table.schema, _names_for(table.schema, fmt), size)
    data.kinds = first.kinds
    data.first_texts = first.first_texts
    data = _snapshot(data, size, skipped)
    progress(size, size)
    return data


class _Ragged:
    """Invalid-row handler of the single-threaded re-read: keep each row's number and text."""

    def __init__(self, limit: int) -> None:
        self.rows: list[tuple[int, int, int, str]] = []  # (number, fields, expected, text)
        self.unnumbered = 0
        self._limit = limit

    def __call__(self, row: Any) -> str:
        if row.number is None:
            self.unnumbered += 1
        else:
            self.rows.append((row.number, row.actual_columns, row.expected_columns, row.text))
        return "error" if len(self.rows) >= self._limit else "skip"


def _fields_of(text: str, fmt: CsvFormat) -> list[str]:
    """The fields of one row's text, split by Python's csv module (quotes as Arrow reads them)."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=fmt.delimiter, quotechar=fmt.quotechar
    )
    fields: list[str] = []
    for part in reader:
        fields.extend(part)
    return fields


def _ragged_problem(fields: int, expected: int) -> str:
    return f"{plural(fields, 'field')}, expected {expected}"


def _ragged_note(placed: list[tuple[int, list[str], int, int]], offset: int, extra: bool) -> str:
    """ "3 rows have the wrong number of fields, shown marked (...): row 4 has 2 fields, ..."."""
    few = any(len(fields) < expected for _, fields, _, expected in placed)
    how = [
        *(["missing cells empty"] if few else []),
        *([f"extra fields in the {EXTRA_FIELDS} column"] if extra else []),
    ]
    verb = "row has" if len(placed) == 1 else "rows have"
    examples = "; ".join(
        f"row {pos + offset} has {_ragged_problem(count, expected)}"
        for pos, _, count, expected in placed[:3]
    )
    more = "; …" if len(placed) > 3 else ""
    return (
        f"{len(placed):,} {verb} the wrong number of fields, shown marked "
        f"({', '.join(how)}): {examples}{more}"
    )


def _with_ragged_rows(
    path: Path, fmt: CsvFormat, data: TableData, cancel: CancelToken
) -> TableData:
    """Put the rows Arrow skipped for their field count back in the table, at their rows.

    A single-threaded re-read numbers them (a multi-threaded read does not); only those rows
    are split again, by Python's csv module. A short row's missing cells are null, a long
    row's extra fields are joined by the delimiter into an :data:`EXTRA_FIELDS` column.
    Beyond :data:`MAX_RAGGED_ROWS` such rows are counted in the note, not shown.
    """
    finder = _Ragged(MAX_RAGGED_ROWS)
    reader = None
    try:
        # Opening reads the first block already: the limit may be reached there.
        reader = pacsv.open_csv(str(path), *_options(fmt, finder, threads=False))
        while True:
            cancel.raise_if_cancelled()
            reader.read_next_batch()
    except (StopIteration, pa.ArrowInvalid):
        pass
    finally:
        if reader is not None:
            reader.close()
    offset = 2 if fmt.header else 1  # row numbers count from 1 and include the header
    width = len(data.schema)
    good = data.table()
    total = good.num_rows
    placed = [
        (number - offset, _fields_of(text, fmt), count, expected)
        for number, count, expected, text in finder.rows
        if number >= offset  # not the header row itself (its names are the columns)
    ]
    positions = np.fromiter((p[0] for p in placed), dtype=np.int64, count=len(placed))
    if not placed or positions[-1] >= total + len(placed) or np.any(np.diff(positions) <= 0):
        return _with_skip_note(_numbered_examples(data, finder))
    extra = any(len(fields) > width for _, fields, _, _ in placed)
    columns = width + (1 if extra else 0)
    rows: list[list[str | None]] = []
    for _, fields, _, _ in placed:
        row: list[str | None] = list(fields[:width])
        if len(fields) > width:
            row.append(fmt.delimiter.join(fields[width:]))
        rows.append(row + [None] * (columns - len(row)))
    ids = [f"f{i}" for i in range(columns)]
    if extra:
        good = good.append_column(ids[-1], pa.nulls(total, pa.string()))
    shown = pa.table({ids[c]: pa.array([r[c] for r in rows], pa.string()) for c in range(columns)})
    whole = pa.concat_tables([good.rename_columns(ids), shown])
    is_shown = np.zeros(total + len(placed), dtype=bool)
    is_shown[positions] = True
    take = np.empty(total + len(placed), dtype=np.int64)
    take[~is_shown] = np.arange(total, dtype=np.int64)
    take[is_shown] = np.arange(total, total + len(placed), dtype=np.int64)
    table = whole.take(pa.array(take))
    batches = [b for b in table.to_batches() if b.num_rows]
    unplaced = max(data.skipped - len(placed), 0)
    notes = [n for n in data.notes if "could not be read" not in n]
    notes.append(_ragged_note(placed, offset, extra))
    if unplaced:
        verb = "row" if unplaced == 1 else "rows"
        notes.append(
            f"{unplaced:,} more {verb} with the wrong number of fields could not be read "
            f"(the first {MAX_RAGGED_ROWS:,} are shown)"
        )
    return replace(
        data,
        batches=batches,
        schema=table.schema,
        names=data.names[:width] + ([EXTRA_FIELDS] if extra else []),
        kinds=_kinds(batches[0]) if batches else [pa.null()] * columns,
        first_texts=_first_texts(batches[0]) if batches else [],
        notes=notes,
        skipped=unplaced,
        ragged={pos: _ragged_problem(count, expected) for pos, _, count, expected in placed},
        expected_columns=width,
    )


def _numbered_examples(data: TableData, finder: _Ragged) -> TableData:
    examples = [
        f"row {n} has {c} {'field' if c == 1 else 'fields'}, expected {e}"
        for n, c, e, _ in finder.rows[:_MAX_EXAMPLES]
    ]
    return replace(data, skipped_examples=examples or data.skipped_examples)


def _check_unclosed_quote(path: Path, data: TableData) -> TableData:
    """Note a quote that never closes: Arrow reads the rest of the file into one cell.

    The last cell of the last row is then the file's tail after that quote, verbatim.
    """
    fmt = data.fmt
    if not data.batches or fmt.encoding not in ("utf-8", "utf-8-sig", "ascii", "latin-1"):
        return data
    last = data.batches[-1]
    if not last.num_rows:
        return data
    text = last.column(last.num_columns - 1)[last.num_rows - 1].as_py()
    if not text:
        return data
    tail = text.encode(fmt.encoding)
    if len(tail) + 1 > data.size:
        return data
    with path.open("rb") as fh:
        fh.seek(data.size - len(tail) - 1)
        end = fh.read()
    if end != fmt.quotechar.encode() + tail:
        return data
    lines = text.count("\n") + text.count("\r") - text.count("\r\n")
    row = data.rows + (1 if fmt.header else 0)
    note = (
        f"A quote in row {row} never closes: the rest of the file "
        f"({plural(max(lines, 1), 'line')}) is shown in its last cell"
    )
    return replace(data, notes=[*data.notes, note])


def _with_skip_note(data: TableData) -> TableData:
    notes = [n for n in data.notes if "could not be read" not in n]
    return replace(data, notes=[*notes, _skip_note(data.skipped, data.skipped_examples)])


def _skip_note(skipped: int, examples: list[str]) -> str:
    verb = "row could" if skipped == 1 else "rows could"
    shown = "; ".join(examples[:3])
    more = "" if skipped <= 3 else "; …"
    return f"{skipped:,} {verb} not be read: {shown}{more}"


def _snapshot(data: TableData, done: int, skipped: _Skipped) -> TableData:
    """A copy with the skipped-row count and notes, which the GUI thread may keep."""
    notes = list(data.fmt.notes)
    if skipped.count:
        notes.append(_skip_note(skipped.count, skipped.examples))
    return replace(
        data,
        batches=list(data.batches),
        bytes_read=done,
        skipped=skipped.count,
        skipped_examples=list(skipped.examples),
        notes=notes,
    )
