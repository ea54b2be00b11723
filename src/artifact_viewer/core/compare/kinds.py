"""Which comparison fits a file: table, JSON, text, image, PDF or binary.

The same clues, in the same order, as the previews' sniffer (content signatures beat labels,
then the MIME label, the extension and the text's shape), kept here in a small Qt-free form
because core does not import the previews package. XML and logs compare as text.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

from artifact_viewer.core.compare.model import BINARY, IMAGE, JSON, PDF, TABLE, TEXT

HEAD_BYTES = 64 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", IMAGE),
    (b"\xff\xd8\xff", IMAGE),
    (b"GIF87a", IMAGE),
    (b"GIF89a", IMAGE),
    (b"II*\x00", IMAGE),
    (b"MM\x00*", IMAGE),
    (b"%PDF-", PDF),
    (b"PK\x03\x04", BINARY),
    (b"\x1f\x8b", BINARY),
    (b"7z\xbc\xaf\x27\x1c", BINARY),
    (b"\x7fELF", BINARY),
    (b"SQLite format 3\x00", BINARY),
)

_EXT: dict[str, str] = {
    ".json": JSON,
    ".jsonl": JSON,
    ".ndjson": JSON,
    ".geojson": JSON,
    ".csv": TABLE,
    ".tsv": TABLE,
    ".tab": TABLE,
    ".png": IMAGE,
    ".jpg": IMAGE,
    ".jpeg": IMAGE,
    ".gif": IMAGE,
    ".webp": IMAGE,
    ".bmp": IMAGE,
    ".tif": IMAGE,
    ".tiff": IMAGE,
    ".pdf": PDF,
}

_MIME: dict[str, str] = {
    "application/json": JSON,
    "text/json": JSON,
    "application/x-ndjson": JSON,
    "application/ndjson": JSON,
    "application/jsonl": JSON,
    "text/csv": TABLE,
    "application/csv": TABLE,
    "text/tab-separated-values": TABLE,
    "text/tsv": TABLE,
    "application/pdf": PDF,
}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class FileKind:
    """The comparison a file gets, its text encoding (text kinds) and its table delimiter."""

    kind: str
    encoding: str | None = None
    delimiter: str | None = None


def text_encoding(head: bytes) -> str | None:
    """The codec to read ``head``'s file with, or None when it reads as binary."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if b"\x00" in head:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return None if controls > 0.1 * max(1, len(sample)) else "latin-1"


def table_delimiter(text: str, suffix: str = "") -> str | None:
    """The delimiter of CSV/TSV text, or None when it does not look like a table."""
    lines = [ln for ln in text[:16384].splitlines()[:30] if ln.strip()]
    if suffix in (".tsv", ".tab") and lines and "\t" in lines[0]:
        return "\t"
    if not lines:
        return None
    if len(lines) < 2:
        return "," if suffix == ".csv" else None
    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|")
    except csv.Error:
        return "," if suffix == ".csv" else None
    counts = [ln.count(dialect.delimiter) for ln in lines[:10]]
    if counts[0] >= 1 and sum(1 for c in counts if c == counts[0]) >= 0.6 * len(counts):
        return str(dialect.delimiter)
    return "," if suffix == ".csv" else None


def kind_for_label(mime: str | None, name: str | None) -> str | None:
    """The kind a file's MIME label or name promises (before its bytes are at hand)."""
    labelled = _MIME.get((mime or "").split(";", 1)[0].strip().lower())
    return labelled or _EXT.get(Path(name or "").suffix.lower())


def kind_of(path: Path, mime: str | None = None, name: str | None = None) -> FileKind:
    """Classify the file at ``path`` from its first bytes, its MIME label and its name."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    for signature, kind in _MAGIC:
        if head.startswith(signature):
            return FileKind(kind)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind(IMAGE)
    if head[:2] == b"BM" and len(head) > 26 and head[6:10] == b"\x00\x00\x00\x00":
        return FileKind(IMAGE)
    if b"%PDF-" in head[:1024]:
        return FileKind(PDF)
    encoding = text_encoding(head)
    if encoding is None:
        return FileKind(BINARY)
    suffix = Path(name or path.name).suffix.lower()
    labelled = _MIME.get((mime or "").split(";", 1)[0].strip().lower()) or _EXT.get(suffix)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if labelled in (IMAGE, PDF):
        labelled = None  # a label claiming an image or PDF on text: the text wins
    if labelled == JSON or (labelled is None and stripped[:1] in ("{", "[")):
        return FileKind(JSON, encoding)
    if labelled in (None, TABLE):
        delimiter = table_delimiter(text, suffix if labelled == TABLE else "")
        if delimiter is not None and (labelled == TABLE or not _looks_like_log(text)):
            return FileKind(TABLE, encoding, delimiter)
    return FileKind(TEXT, encoding)


def _looks_like_log(text: str) -> bool:
    import re

    lines = text[:8192].splitlines()[:50]
    stamp = re.compile(r"^\S*\s*\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\b(ERROR|WARN|INFO|DEBUG)\b")
    hits = sum(1 for ln in lines if stamp.search(ln))
    return bool(lines) and hits / len(lines) >= 0.3
