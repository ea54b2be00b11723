"""Guess what a file is from its MIME label, its extension and its first bytes (labels can lie).

Used by the previews (which view a file gets) and by compare (which diff it gets).
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 64 * 1024

# Preview kinds (the registry maps each to a previewer class).
JSON, TABLE, IMAGE, PDF, XML, LOG, TEXT, HEX = (
    "json",
    "table",
    "image",
    "pdf",
    "xml",
    "log",
    "text",
    "hex",
)
TEXT_KINDS = frozenset({JSON, TABLE, XML, LOG, TEXT})

# Signatures that identify a format beyond doubt: when one matches, it beats any label.
_MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, IMAGE, "image/png"),
    (b"\xff\xd8\xff", 0, IMAGE, "image/jpeg"),
    (b"GIF87a", 0, IMAGE, "image/gif"),
    (b"GIF89a", 0, IMAGE, "image/gif"),
    (b"II*\x00", 0, IMAGE, "image/tiff"),
    (b"MM\x00*", 0, IMAGE, "image/tiff"),
    (b"%PDF-", 0, PDF, "application/pdf"),
    (b"PK\x03\x04", 0, HEX, "application/zip"),
    (b"\x1f\x8b", 0, HEX, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, HEX, "application/x-7z-compressed"),
    (b"\x7fELF", 0, HEX, "application/x-executable"),
    (b"SQLite format 3\x00", 0, HEX, "application/vnd.sqlite3"),
)

_MIME_KINDS: dict[str, str] = {
    "application/json": JSON,
    "text/json": JSON,
    "application/x-ndjson": JSON,
    "application/ndjson": JSON,
    "application/jsonl": JSON,
    "application/x-jsonlines": JSON,
    "application/jsonlines": JSON,
    "text/csv": TABLE,
    "application/csv": TABLE,
    "text/tab-separated-values": TABLE,
    "text/tsv": TABLE,
    "application/pdf": PDF,
    "application/xml": XML,
    "text/xml": XML,
    "text/x-log": LOG,
    "text/log": LOG,
    "application/x-log": LOG,
    "text/plain": TEXT,
}

_EXT_KINDS: dict[str, str] = {
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
    ".xml": XML,
    ".xsd": XML,
    ".svg": XML,
    ".log": LOG,
    ".out": LOG,
    ".err": LOG,
    ".txt": TEXT,
    ".md": TEXT,
    ".ini": TEXT,
    ".yaml": TEXT,
    ".yml": TEXT,
    ".html": TEXT,
    ".htm": TEXT,
}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_LOG_LINE = re.compile(
    rb"^(\S+\s+)?\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\b(ERROR|WARN(ING)?|INFO|DEBUG|TRACE|CRITICAL|FATAL)\b",
    re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class Encoding:
    """How a text file is encoded: codec name, BOM length to skip, and how we know."""

    name: str
    bom: int = 0
    how: str = "utf-8"

    def label(self) -> str:
        return f"{self.name} ({self.how})" if self.how != self.name else self.name


@dataclass(frozen=True, slots=True)
class Sniffed:
    """What the sniffer concluded. ``kind`` is the best guess, the others are the clues."""

    kind: str
    mime: str
    label_kind: str | None
    ext_kind: str | None
    content_kind: str | None
    magic_wins: bool
    encoding: Encoding | None
    description: str
    size: int


def detect_encoding(head: bytes) -> Encoding | None:
    """Text encoding of ``head``, or None when it looks binary.

    Order: BOM, strict UTF-8, BOM-less UTF-16 (NUL pattern), charset-normalizer, and
    Latin-1 as the last resort for NUL-free heads that nothing else claims.
    """
    for bom, name in _BOMS:
        if head.startswith(bom):
            return Encoding(name, len(bom), "BOM")
    if not head:
        return Encoding("utf-8", 0, "empty")
    utf16 = _utf16_without_bom(head)
    if utf16 is not None:
        return Encoding(utf16, 0, "NUL pattern")
    if b"\x00" in head:
        return None
    try:
        # Non-final decode: a multi-byte character cut at the end of the head is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return Encoding("utf-8", 0, "utf-8")
    except UnicodeDecodeError:
        pass
    if _control_ratio(head) > 0.1:
        return None
    import charset_normalizer  # ~50 ms to import: only for text that is not UTF-8

    best = charset_normalizer.from_bytes(head[:16384]).best()
    if best is not None and best.encoding and best.encoding not in ("utf_8", "ascii"):
        return Encoding(codecs.lookup(best.encoding).name, 0, "detected")
    return Encoding("latin-1", 0, "fallback")


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nuls = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _control_ratio(head: bytes) -> float:
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / max(1, len(sample))


def kind_for_mime(mime: str | None) -> str | None:
    """Preview kind a MIME label asks for, or None for unknown/generic labels."""
    if not mime:
        return None
    base = mime.split(";", 1)[0].strip().lower()
    if base in _MIME_KINDS:
        return _MIME_KINDS[base]
    if base.startswith("image/") and base != "image/svg+xml":
        return IMAGE
    if base.endswith("+json"):
        return JSON
    if base.endswith("+xml"):
        return XML
    if base.startswith("text/"):
        return TEXT
    return None


def kind_for_name(name: str | None) -> str | None:
    if not name:
        return None
    return _EXT_KINDS.get(Path(name).suffix.lower())


def magic(head: bytes) -> tuple[str, str] | None:
    """Kind and MIME type from a signature at the start of ``head``, beyond doubt."""
    for signature, offset, kind, mime in _MAGIC:
        if head[offset : offset + len(signature)] == signature:
            return kind, mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return IMAGE, "image/webp"
    if head[:2] == b"BM" and len(head) > 26 and head[6:10] == b"\x00\x00\x00\x00":
        return IMAGE, "image/bmp"
    # PDFs may carry a little junk before the header; readers accept it within 1 KiB.
    if b"%PDF-" in head[:1024]:
        return PDF, "application/pdf"
    return None


def _describe_binary(head: bytes) -> str:
    import puremagic  # imported on first use: the window starts without it

    try:
        matches = puremagic.magic_string(head[:8192])
    except (puremagic.PureError, ValueError):
        return "binary data"
    return matches[0].name if matches else "binary data"


def _text_kind(text: str) -> tuple[str, str]:
    """Kind and MIME for decoded text, from its shape."""
    stripped = text.lstrip()
    if not stripped:
        return TEXT, "text/plain"
    first = stripped[0]
    if first in "{[":
        lines = [ln for ln in stripped.splitlines()[:20] if ln.strip()]
        if len(lines) > 1 and all(ln.lstrip()[:1] in "{[" for ln in lines):
            # Several lines each starting a value: JSON Lines (or pretty JSON with
            # nested arrays, which the JSON view also reads).
            return JSON, "application/x-ndjson" if _one_value_per_line(
                lines
            ) else "application/json"
        return JSON, "application/json"
    if first == "<":
        head = stripped[:200].lower()
        if head.startswith(("<!doctype html", "<html")):
            return TEXT, "text/html"
        if head.startswith(("<?xml", "<!--", "<!doctype")) or re.match(
            r"<[A-Za-z_][\w.:-]*[\s/>]", stripped
        ):
            return XML, "application/xml"
    if looks_like_log(text):
        return LOG, "text/x-log"
    delimiter = table_delimiter(text)
    if delimiter is not None:
        return TABLE, "text/tab-separated-values" if delimiter == "\t" else "text/csv"
    return TEXT, "text/plain"


def looks_like_log(text: str) -> bool:
    """Three lines in ten or more of the head start with a timestamp or carry a level word."""
    if not _LOG_LINE.search(text[:8192].encode("utf-8", "replace")):
        return False
    lines = text[:8192].splitlines()[:50]
    hits = sum(1 for ln in lines if _LOG_LINE.search(ln.encode("utf-8", "replace")))
    return bool(lines) and hits / len(lines) >= 0.3


def _one_value_per_line(lines: list[str]) -> bool:
    closing = {"{": "}", "[": "]"}
    return all(ln.rstrip().endswith(closing[ln.lstrip()[0]]) for ln in lines)


def table_delimiter(text: str) -> str | None:
    """The delimiter of CSV/TSV-shaped text (two or more lines alike), else None."""
    lines = [ln for ln in text[:16384].splitlines()[:30] if ln.strip()]
    if len(lines) < 2:
        return None
    sample = "\n".join(lines)
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return None
    counts = [ln.count(dialect.delimiter) for ln in lines[:10]]
    # Consistent column counts on the first lines; quoted newlines may spoil a few.
    if counts[0] >= 1 and sum(1 for c in counts if c == counts[0]) >= 0.6 * len(counts):
        return str(dialect.delimiter)
    return None


def read_head(path: Path, limit: int = HEAD_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(limit)


def sniff_bytes(
    head: bytes, mime: str | None = None, name: str | None = None, size: int = -1
) -> Sniffed:
    """Classify a file from its first bytes plus its (possibly wrong) label and name."""
    label_kind = kind_for_mime(mime)
    ext_kind = kind_for_name(name)
    size = len(head) if size < 0 else size
    found = magic(head)
    if found is not None:
        kind, found_mime = found
        description = _describe_binary(head) if kind == HEX else found_mime
        return Sniffed(kind, found_mime, label_kind, ext_kind, kind, True, None, description, size)
    encoding = detect_encoding(head)
    if encoding is None:
        content_kind, found_mime, description = (
            HEX,
            "application/octet-stream",
            _describe_binary(head),
        )
    elif not head:
        content_kind, found_mime, description = None, "application/x-empty", "empty file"
    else:
        text = head[encoding.bom :].decode(encoding.name, errors="replace")
        content_kind, found_mime = _text_kind(text)
        description = f"{found_mime} text, {encoding.label()}"
    kind = label_kind or ext_kind or content_kind or TEXT
    # PDFs and the images we know always carry their magic: a label or name claiming one on
    # what reads as plain text is wrong, and the text is worth more than a refusal.
    if kind in (PDF, IMAGE) and content_kind in TEXT_KINDS:
        kind = content_kind
    # A generic text label on something clearly structured: show the structure.
    if kind == TEXT and content_kind not in (None, TEXT, HEX):
        kind = content_kind
    if kind == TEXT and ext_kind == LOG:
        kind = LOG
    return Sniffed(
        kind,
        found_mime if content_kind is not None else (mime or found_mime),
        label_kind,
        ext_kind,
        content_kind,
        False,
        encoding,
        description,
        size,
    )


def sniff(path: Path, mime: str | None = None, name: str | None = None) -> Sniffed:
    """Classify the file at ``path`` (reads only its head)."""
    size = path.stat().st_size
    return sniff_bytes(read_head(path), mime, name or path.name, size)
