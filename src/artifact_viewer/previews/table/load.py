"""Read a CSV/TSV file into Arrow: the first screen from its head, then the whole file."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.previews.table.cells import format_value
from artifact_viewer.previews.table.dialect import HEAD_BYTES, CsvFormat, sniff_format

#: Arrow parses the file in blocks of this size; the first screen is the first block's rows
BLOCK_SIZE = 1 << 20
#: the longest the whole-file read waits for the first screen to be painted
SHOWN_WAIT_S = 0.5
#: cell texts of this many first rows are made on the worker, ready for the first paint
FIRST_TEXT_ROWS = 100
_MAX_EXAMPLES = 5
_MAX_RETYPES = 64
_CONVERSION_RE = re.compile(r"column #(\d+)")


@dataclass(slots=True)
class TableData:
    """Rows read so far. Arrow column names are unique (``f0``...); ``names`` are for people."""

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

    Arrow calls it from several parsing threads at once, hence the lock.
    """

    def __init__(self) -> None:
        self.count = 0
        self.examples: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, row: Any) -> str:
        with self._lock:
            self.count += 1
            if len(self.examples) < _MAX_EXAMPLES:
                where = f"row {row.number}" if row.number is not None else "a row"
                self.examples.append(
                    f"{where}: {row.actual_columns} fields, expected {row.expected_columns}"
                )
        return "skip"


def _options(
    fmt: CsvFormat, types: dict[str, pa.DataType], skipped: _Skipped
) -> tuple[pacsv.ReadOptions, pacsv.ParseOptions, pacsv.ConvertOptions]:
    read = pacsv.ReadOptions(
        encoding=fmt.arrow_encoding,
        autogenerate_column_names=True,
        skip_rows=1 if fmt.header else 0,
        block_size=BLOCK_SIZE,
    )
    parse = pacsv.ParseOptions(
        delimiter=fmt.delimiter,
        quote_char=fmt.quotechar,
        newlines_in_values=True,
        invalid_row_handler=skipped,
    )
    return read, parse, pacsv.ConvertOptions(column_types=types)


def _names_for(schema: pa.Schema, fmt: CsvFormat) -> list[str]:
    names = list(fmt.names[: len(schema)])
    names += [f"column {i + 1}" for i in range(len(names), len(schema))]
    return names


def _empty(fmt: CsvFormat, size: int) -> TableData:
    schema = pa.schema([(f"f{i}", pa.string()) for i in range(len(fmt.names))])
    return TableData(fmt, [], schema, list(fmt.names), size, True, size)


def _fallback(path: Path, fmt: CsvFormat, size: int, reason: str) -> TableData:
    """Python's csv module, every column as text: slower, but reads what Arrow refuses."""
    with path.open("r", encoding=fmt.encoding, errors="replace", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=fmt.delimiter, quotechar=fmt.quotechar))
    if fmt.header and rows:
        rows = rows[1:]
    width = max((len(r) for r in rows), default=len(fmt.names)) or 1
    columns = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    table = pa.table({f"f{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)})
    names = _names_for(table.schema, fmt)
    data = TableData(fmt, table.to_batches(), table.schema, names, size, True, size)
    data.notes.append(f"Read as plain text columns ({reason}).")
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
    except pa.ArrowInvalid as exc:
        if "Empty CSV file" in str(exc):
            return _empty(fmt, size)
        return _fallback(path, fmt, size, _first_line(exc))
    if whole:
        progress(size, size)
        return replace(first, complete=True, bytes_read=size)
    # The head's types, so the whole file's columns agree with the first screen; columns
    # with no value in the head are left for Arrow to infer over the whole file.
    types = {f.name: f.type for f in first.schema if not pa.types.is_null(f.type)}
    for _attempt in range(_MAX_RETYPES):
        cancel.raise_if_cancelled()
        try:
            return _read_all(path, fmt, types, first, progress, cancel)
        except pa.ArrowInvalid as exc:
            text = str(exc)
            match = _CONVERSION_RE.search(text)
            if "conversion error" in text and match:
                # A later value that does not fit the head's type makes that column
                # text, and the file is read again.
                types[f"f{match.group(1)}"] = pa.string()
                continue
            return _fallback(path, fmt, size, _first_line(exc))
    return _fallback(path, fmt, size, "too many type changes")


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
    reader = pacsv.open_csv(str(path), *_options(fmt, {}, skipped))
    try:
        data = TableData(fmt, [], reader.schema, _names_for(reader.schema, fmt), size)
        try:
            data.batches.append(reader.read_next_batch())
        except StopIteration:
            return _snapshot(data, size, skipped), True
        first = _snapshot(data, min(BLOCK_SIZE, size), skipped)
        first.first_texts = _first_texts(data.batches[0])
        progress(first.bytes_read, size)
        progress.partial(first)
        if shown is not None:
            _wait_shown(shown, cancel)
        try:
            reader.read_next_batch()
        except StopIteration:
            return replace(first, bytes_read=size), True
        except pa.ArrowInvalid:
            pass  # reading the whole file meets (and handles) what went wrong further on
        return first, False
    finally:
        # Stop Arrow's read-ahead before the file under it goes away.
        reader.close()


def _read_all(
    path: Path,
    fmt: CsvFormat,
    types: dict[str, pa.DataType],
    first: TableData,
    progress: Any,
    cancel: CancelToken,
) -> TableData:
    """The whole file in one multi-threaded read (every core parses and converts blocks).

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
        table = pacsv.read_csv(pa.PythonFile(source, mode="r"), *_options(fmt, types, skipped))
    finally:
        source.close()
    cancel.raise_if_cancelled()
    head_rows = first.rows
    if (
        table.schema.equals(first.schema)
        and table.num_rows >= head_rows
        and table.slice(0, head_rows).equals(first.table())
    ):
        rest = table.slice(head_rows).to_batches()
        batches = [*first.batches, *(b for b in rest if b.num_rows)]
    else:
        batches = table.to_batches()
    data = TableData(fmt, batches, table.schema, _names_for(table.schema, fmt), size)
    data = _snapshot(data, size, skipped)
    data.complete = True
    progress(size, size)
    return data


def _snapshot(data: TableData, done: int, skipped: _Skipped) -> TableData:
    """A copy with the skipped-row count and notes, which the GUI thread may keep."""
    notes = list(data.fmt.notes)
    if skipped.count:
        notes.append(f"{skipped.count} malformed row(s) skipped")
    return replace(
        data,
        batches=list(data.batches),
        bytes_read=done,
        skipped=skipped.count,
        skipped_examples=list(skipped.examples),
        notes=notes,
    )
