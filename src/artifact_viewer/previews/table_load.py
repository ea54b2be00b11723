"""Stream a CSV/TSV file into Arrow record batches: first screen early, the rest with progress."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.previews.table_sniff import HEAD_BYTES, CsvFormat, sniff_format

#: a snapshot of the rows read so far goes to the GUI at most this often while loading
PARTIAL_INTERVAL_S = 1.0
BLOCK_SIZE = 1 << 20
_MAX_EXAMPLES = 5
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

    @property
    def rows(self) -> int:
        return sum(b.num_rows for b in self.batches)

    def table(self) -> pa.Table:
        return pa.Table.from_batches(self.batches, schema=self.schema)


class _Counting(io.RawIOBase):
    """A file reader that counts bytes handed to pyarrow (for progress)."""

    def __init__(self, path: Path) -> None:
        self._fh = path.open("rb")
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)
        self.count += n or 0
        return n or 0

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Skipped:
    """pyarrow's invalid-row handler: skip rows with the wrong field count, remember some."""

    def __init__(self) -> None:
        self.count = 0
        self.examples: list[str] = []

    def __call__(self, row: Any) -> str:
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


def load_table(
    path: Path, suffix: str, header: bool | None, progress: Any, cancel: CancelToken
) -> TableData:
    """Worker function: sniff, stream batches (first one sent via ``progress.partial``).

    ``header`` None sniffs whether the first row names the columns; True/False decide.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise PreviewError("The file is empty." if not head else "The file holds only whitespace.")
    fmt = sniff_format(head, suffix, whole_file=len(head) >= size, header=header)
    types: dict[str, pa.DataType] = {}
    for _attempt in range(64):
        cancel.raise_if_cancelled()
        try:
            return _stream(path, fmt, types, size, progress, cancel)
        except pa.ArrowInvalid as exc:
            text = str(exc)
            if "Empty CSV file" in text:
                return _empty(fmt, size)
            match = _CONVERSION_RE.search(text)
            if "conversion error" in text and match:
                # Types come from the first block; a later value that does not fit
                # makes that column text, and the file is read again.
                types[f"f{match.group(1)}"] = pa.string()
                continue
            return _fallback(path, fmt, size, text.splitlines()[0][:120])
    return _fallback(path, fmt, size, "too many type changes")


def _stream(
    path: Path,
    fmt: CsvFormat,
    types: dict[str, pa.DataType],
    size: int,
    progress: Any,
    cancel: CancelToken,
) -> TableData:
    skipped = _Skipped()
    source = _Counting(path)
    reader = None
    try:
        reader = pacsv.open_csv(
            pa.PythonFile(io.BufferedReader(source, BLOCK_SIZE), mode="r"),
            *_options(fmt, types, skipped),
        )
        names = _names_for(reader.schema, fmt)
        data = TableData(fmt, [], reader.schema, names, size)
        sent_first = False
        last_sent = time.monotonic()
        for batch in reader:
            cancel.raise_if_cancelled()
            data.batches.append(batch)
            # pyarrow reads ahead of parsing; each batch stands for about one input block.
            progress(min(source.count, len(data.batches) * BLOCK_SIZE, size), size)
            now = time.monotonic()
            if not sent_first or now - last_sent >= PARTIAL_INTERVAL_S:
                sent_first, last_sent = True, now
                progress.partial(_snapshot(data, source.count, skipped))
    finally:
        # Stop Arrow's read-ahead before the file under it goes away.
        if reader is not None:
            reader.close()
        source.close()
    data = _snapshot(data, size, skipped)
    data.complete = True
    progress(size, size)
    return data


def _snapshot(data: TableData, done: int, skipped: _Skipped) -> TableData:
    """A copy the GUI thread may keep while the worker goes on appending."""
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
