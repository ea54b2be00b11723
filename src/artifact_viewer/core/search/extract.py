"""Which extractor reads a cached file: by its bytes first, then its MIME type and name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.search.jsondoc import json_rows
from artifact_viewer.core.search.ocr import ocr_rows
from artifact_viewer.core.search.pdftext import pdf_rows
from artifact_viewer.core.search.rows import DocInfo, Row
from artifact_viewer.core.search.tables import table_rows
from artifact_viewer.core.search.textlines import line_rows, looks_binary, read_head

# Kinds as stored in the index; each decides how a row's location key reads.
TABLE = "table"
JSON = "json"
TEXT = "text"
PDF = "pdf"
IMAGE = "image"
BINARY = "binary"

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00")
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".jsonlines"}
_TABLE_SUFFIXES = {".csv": False, ".tsv": True, ".tab": True}


@dataclass(frozen=True, slots=True)
class FileHints:
    """What the catalog says about a file: its display name and MIME type (labels can lie)."""

    name: str = ""
    mime: str = ""


def _is_image(head: bytes) -> bool:
    if head.startswith(_IMAGE_MAGIC):
        return True
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP" or head.startswith(b"MM\x00*")


def detect(path: Path, hints: FileHints) -> tuple[str, dict[str, bool]]:
    """(kind, options for its extractor)."""
    head = read_head(path, 8192)
    suffix = PurePosixPath(hints.name.lower()).suffix
    mime = hints.mime.lower().split(";")[0].strip()
    if head.startswith(b"%PDF-"):
        return PDF, {}
    if _is_image(head):
        return IMAGE, {}
    if looks_binary(head):
        return BINARY, {}
    if suffix in _JSONL_SUFFIXES or mime in {"application/x-ndjson", "application/jsonl"}:
        return JSON, {"lines": True}
    if suffix == ".json" or mime == "application/json" or mime.endswith("+json"):
        return JSON, {"lines": False}
    if suffix in _TABLE_SUFFIXES:
        return TABLE, {"tab_hint": _TABLE_SUFFIXES[suffix]}
    if mime in {"text/csv", "application/csv"}:
        return TABLE, {"tab_hint": False}
    if mime == "text/tab-separated-values":
        return TABLE, {"tab_hint": True}
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"[") and not suffix:
        return JSON, {"lines": False}
    return TEXT, {}


def extract(
    path: Path, hints: FileHints, cancel: CancelToken | None = None
) -> tuple[DocInfo, Iterator[Row]]:
    """The file's kind and a stream of its rows; ``DocInfo`` fills in while it is consumed.
    ``cancel`` stops the child processes that read PDFs and images (Cancelled is raised)."""
    kind, options = detect(path, hints)
    info = DocInfo(kind)
    if kind == PDF:
        return info, pdf_rows(path, info, cancel)
    if kind == IMAGE:
        return info, ocr_rows(path, info, cancel)
    if kind == JSON:
        return info, json_rows(path, info, lines=options["lines"])
    if kind == TABLE:
        return info, table_rows(path, info, tab_hint=options["tab_hint"])
    if kind == TEXT:
        return info, line_rows(path, info)
    info.skip("binary content: indexed by name only")
    return info, iter(())
