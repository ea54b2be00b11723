"""Which comparison fits a file: table, JSON, text, image, PDF or binary.

The same clues, in the same order, as the previews: content signatures beat labels, then the
MIME label, the extension and the text's shape, through the shared sniffer (``core.sniff``);
what differs is the answer: XML and logs compare as text, anything else binary as bytes.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from artifact_viewer.core import sniff
from artifact_viewer.core.compare.model import BINARY, IMAGE, JSON, PDF, TABLE, TEXT

HEAD_BYTES = 64 * 1024

# The shared sniffer's kinds, as the comparisons they get (None: decided by the content).
_AS_COMPARED: dict[str, str] = {
    sniff.JSON: JSON,
    sniff.TABLE: TABLE,
    sniff.IMAGE: IMAGE,
    sniff.PDF: PDF,
    sniff.HEX: BINARY,
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
    """The delimiter of CSV/TSV text, or None when it does not look like a table; a
    ``.csv`` name makes one-line or unsniffable text comma-separated."""
    lines = [ln for ln in text[:16384].splitlines()[:30] if ln.strip()]
    if suffix in (".tsv", ".tab") and lines and "\t" in lines[0]:
        return "\t"
    if not lines:
        return None
    found = sniff.table_delimiter(text)
    return found if found is not None else ("," if suffix == ".csv" else None)


def kind_for_label(mime: str | None, name: str | None) -> str | None:
    """The kind a file's MIME label or name promises (before its bytes are at hand)."""
    label = sniff.kind_for_mime(mime) or sniff.kind_for_name(name)
    return _AS_COMPARED.get(label) if label is not None else None


def kind_of(path: Path, mime: str | None = None, name: str | None = None) -> FileKind:
    """Classify the file at ``path`` from its first bytes, its MIME label and its name."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    found = sniff.magic(head)
    if found is not None:
        return FileKind(_AS_COMPARED[found[0]])
    encoding = text_encoding(head)
    if encoding is None:
        return FileKind(BINARY)
    suffix = Path(name or path.name).suffix.lower()
    labelled = kind_for_label(mime, name or path.name)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    stripped = text.lstrip()
    if labelled in (IMAGE, PDF):
        labelled = None  # a label claiming an image or PDF on text: the text wins
    if labelled == JSON or (labelled is None and stripped[:1] in ("{", "[")):
        return FileKind(JSON, encoding)
    if labelled in (None, TABLE):
        delimiter = table_delimiter(text, suffix if labelled == TABLE else "")
        if delimiter is not None and (labelled == TABLE or not sniff.looks_like_log(text)):
            return FileKind(TABLE, encoding, delimiter)
    return FileKind(TEXT, encoding)
