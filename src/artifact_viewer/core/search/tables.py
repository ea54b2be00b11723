"""CSV/TSV: one index row per data row, its cells joined by CELL_SEP; the header names columns."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from artifact_viewer.core.search.rows import CELL_SEP, CHUNK_CHARS, DocInfo, Row, pieces
from artifact_viewer.core.search.textlines import read_head, sniff_encoding

#: a cell larger than this stops the table (bounded memory); what came before stays indexed
MAX_FIELD = 8 * 1024 * 1024


def _delimiter(head: str, tab_hint: bool) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields.

    (``csv.Sniffer`` takes a tenth of a second on a 32 KB head and often gives up.)
    """
    if tab_hint:
        return "\t"
    lines = head.splitlines()[:20]
    if len(lines) > 1 and not head.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of the head may be cut
    best, best_score = ",", 0
    for candidate in (",", "\t", ";", "|"):
        counts = [len(r) for r in csv.reader(lines, delimiter=candidate)]
        if not counts or counts[0] < 2:
            continue
        score = sum(c == counts[0] for c in counts)
        if score > best_score:
            best, best_score = candidate, score
    return best


def location(row: int, first_column: int) -> str:
    """``"12"`` for a row whose text starts at its first cell, ``"12:3"`` when it starts at
    cell 3 (a row too long for one index row continues in the next one)."""
    return str(row) if first_column == 0 else f"{row}:{first_column}"


def _row_rows(number: int, cells: list[str]) -> Iterator[Row]:
    """A data row as index rows: whole when it fits, else cut at cell boundaries, and a
    single huge cell cut into overlapping pieces."""
    text = CELL_SEP.join(cells)
    if len(text) <= CHUNK_CHARS:
        if text.replace(CELL_SEP, "").strip():
            yield text, str(number)
        return
    start = 0
    group: list[str] = []
    size = 0
    for index, cell in enumerate(cells):
        if len(cell) > CHUNK_CHARS:
            if group:
                yield CELL_SEP.join(group), location(number, start)
            for piece in pieces(cell):
                yield piece, location(number, index)
            group, size, start = [], 0, index + 1
            continue
        if size + len(cell) + 1 > CHUNK_CHARS and group:
            yield CELL_SEP.join(group), location(number, start)
            group, size, start = [], 0, index
        group.append(cell)
        size += len(cell) + 1
    if group:
        yield CELL_SEP.join(group), location(number, start)


def table_rows(path: Path, info: DocInfo, *, tab_hint: bool = False) -> Iterator[Row]:
    """Data rows numbered from 1 (the header excluded), cells as the file's text."""
    head_bytes = read_head(path)
    encoding = sniff_encoding(head_bytes)
    head = head_bytes.decode(encoding, errors="replace")
    delimiter = _delimiter(head, tab_hint)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, MAX_FIELD))
    with path.open("r", encoding=encoding, errors="replace", newline="") as raw:
        reader = csv.reader(raw, delimiter=delimiter)
        number = 0
        try:
            header = next(reader, None)
            if header is None:
                info.columns = []
                return
            info.columns = [name.strip() or f"column {i + 1}" for i, name in enumerate(header)]
            for cells in reader:
                number += 1
                yield from _row_rows(number, cells)
        except csv.Error as exc:
            info.skip(f"rows after data row {number} not indexed ({exc})")
