"""Guess a delimited file's encoding, delimiter, quote character and header from its head.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

DELIMITERS = (",", ";", "\t", "|")
HEAD_BYTES = 64 * 1024
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(slots=True)
class CsvFormat:
    """How to read the file. ``encoding`` is a Python codec name; ``bom`` its BOM length."""

    encoding: str = "utf-8"
    bom: int = 0
    delimiter: str = ","
    quotechar: str = '"'
    header: bool = True
    names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def delimiter_name(self) -> str:
        return _NAMES.get(self.delimiter, repr(self.delimiter))

    @property
    def arrow_encoding(self) -> str:
        # pyarrow reads UTF-8 natively (and skips its BOM); other codecs go through Python.
        return "utf8" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding


def sniff_encoding(head: bytes) -> tuple[str, int, str]:
    """(codec, bom length, note). BOMs first, then UTF-8, then a detector, then Latin-1."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name, len(bom), ""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the head is fine
        return "utf-8", 0, ""
    except UnicodeDecodeError:
        pass
    best = from_bytes(head).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        name = codecs.lookup(best.encoding).name
        return name, 0, f"Not UTF-8; read as {name}."
    return "latin-1", 0, "Not UTF-8; read as Latin-1."


def decode_head(head: bytes, encoding: str, bom: int) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text: str = decoder.decode(head[bom:] if encoding != "utf-16" else head, final=False)
    return text.lstrip("\ufeff")


def _complete_lines(text: str, whole_file: bool) -> str:
    if whole_file:
        return text
    cut = max(text.rfind("\n"), text.rfind("\r"))
    return text[:cut] if cut > 0 else text


def _rows(sample: str, delimiter: str, quotechar: str, limit: int = 200) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, quotechar=quotechar)
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a broken quote late in the sample: judge on the rows read so far
    return rows


def sniff_delimiter(sample: str, suffix: str = "") -> str:
    """The candidate giving the most consistent number (> 1) of fields per row."""
    if suffix in (".tsv", ".tab"):
        default = "\t"
    elif suffix == ".psv":
        default = "|"
    else:
        default = ","
    best, best_score = default, 0.0
    for delim in DELIMITERS:
        rows = _rows(sample, delim, '"')
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        width, hits = counts.most_common(1)[0]
        if width < 2:
            continue
        # Consistency first, then more columns; the suffix's delimiter wins ties.
        score = hits / len(rows) * 1000 + min(width, 999) + (0.5 if delim == default else 0)
        if score > best_score:
            best, best_score = delim, score
    return best


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True


def sniff_header(rows: list[list[str]]) -> bool:
    """True when the first row looks like names: non-empty, distinct and not numbers."""
    if not rows:
        return False
    first = [c.strip() for c in rows[0]]
    if any(not c or _is_number(c) for c in first) or len(set(first)) != len(first):
        return False
    if len(rows) == 1:
        return True
    # A numeric column below a textual first row is the strongest sign of a header.
    body = rows[1:]
    for col in range(len(first)):
        values = [r[col].strip() for r in body if col < len(r) and r[col].strip()]
        if values and all(_is_number(v) for v in values):
            return True
    # All text in every row: a header is by far the usual case for exported data.
    return True


def sniff_format(
    head: bytes, suffix: str = "", whole_file: bool = False, header: bool | None = None
) -> CsvFormat:
    """Encoding, dialect and header of a file from its first bytes (``header`` overrides)."""
    encoding, bom, note = sniff_encoding(head)
    text = _complete_lines(decode_head(head, encoding, bom), whole_file)
    delimiter = sniff_delimiter(text, suffix)
    rows = _rows(text, delimiter, '"')
    if header is None:
        header = sniff_header(rows)
    width = Counter(len(r) for r in rows).most_common(1)[0][0] if rows else 1
    if header:
        names = [c.strip() or f"column {i + 1}" for i, c in enumerate(rows[0])]
    else:
        names = [f"column {i + 1}" for i in range(width)]
    fmt = CsvFormat(encoding, bom, delimiter, '"', header, names)
    if note:
        fmt.notes.append(note)
    return fmt
