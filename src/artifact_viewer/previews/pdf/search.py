"""PDF work for the thread pool: a cheap sanity check of the bytes, and full-text search."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtPdf import QPdfDocument

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError

#: the hit list stops growing here (the view still highlights every hit on screen)
MAX_HITS = 5_000
#: a search the helper process has not finished in this many seconds is given up (and the
#: helper ended): the PDF's text extraction does not return
SEARCH_TIMEOUT_S = 30.0
_CONTEXT = 40


@dataclass(frozen=True, slots=True)
class PdfHit:
    """One match: page (0-based), where on the page (points), and the text around it."""

    page: int
    x: float
    y: float
    before: str
    match: str
    after: str

    def label(self) -> str:
        # Short context before the match, so the match itself stays in view in a list.
        # Words stay apart from the match: "W-2 [Wage] and", not "W-2[Wage]and".
        before = " ".join(self.before.split())[-16:] + (" " if self.before[-1:].isspace() else "")
        after = (" " if self.after[:1].isspace() else "") + " ".join(self.after.split())
        return f"p. {self.page + 1}: …{before}[{self.match}]{after}…"


@dataclass(frozen=True, slots=True)
class PdfCheck:
    size: int
    has_header: bool
    has_eof: bool


def check_pdf(path: Path, progress: Any, cancel: CancelToken) -> PdfCheck:
    """Look at the first and last KB: empty files and non-PDFs are refused early."""
    size = path.stat().st_size
    if size == 0:
        raise PreviewError("The file is empty.")
    with path.open("rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    return PdfCheck(size, b"%PDF-" in head, b"%%EOF" in tail)


def load_error_message(error: QPdfDocument.Error, check: PdfCheck | None) -> str:
    """What to tell a person when QPdfDocument refused the file."""
    E = QPdfDocument.Error
    if check is not None and not check.has_header:
        return "This is not a PDF: the file does not start with a PDF header."
    if error == E.IncorrectPassword:
        return "The PDF is password protected; open it externally to enter the password."
    if error == E.UnsupportedSecurityScheme:
        return "The PDF uses an encryption scheme that cannot be opened here."
    if error == E.FileNotFound:
        return "The file is missing."
    if check is not None and not check.has_eof:
        return "The PDF is damaged: it looks truncated (no end-of-file marker)."
    return "The PDF is damaged and cannot be read."


def page_texts(path: Path, cancel: CancelToken) -> Iterator[str]:
    """The text of every page, in order, from a document of its own (any thread)."""
    doc = QPdfDocument()
    try:
        if doc.load(str(path)) != QPdfDocument.Error.None_:
            raise PreviewError("The PDF could not be opened for its text.")
        for page in range(doc.pageCount()):
            cancel.raise_if_cancelled()
            yield doc.getAllText(page).text()
    finally:
        doc.close()


def search_pdf(path: Path, query: str, progress: Any, cancel: CancelToken) -> list[PdfHit]:
    """Every case-insensitive match of ``query``, in page order.

    Runs on its own QPdfDocument in the worker thread (pdfium calls are serialised by
    QtPdf), because QPdfSearchModel searches only one page per 100 ms timer tick.
    """
    doc = QPdfDocument()
    try:
        if doc.load(str(path)) != QPdfDocument.Error.None_:
            raise PreviewError("The PDF could not be opened for searching.")
        pattern = re.compile(re.escape(query), re.IGNORECASE)
        pages = doc.pageCount()
        hits: list[PdfHit] = []
        for page in range(pages):
            cancel.raise_if_cancelled()
            text = doc.getAllText(page).text()
            for m in pattern.finditer(text):
                box = doc.getSelectionAtIndex(page, m.start(), m.end() - m.start())
                rect = box.boundingRectangle()
                hits.append(
                    PdfHit(
                        page,
                        rect.x(),
                        rect.y(),
                        text[max(0, m.start() - _CONTEXT) : m.start()],
                        m.group(0),
                        text[m.end() : m.end() + _CONTEXT],
                    )
                )
                if len(hits) >= MAX_HITS:
                    return hits
            progress(page + 1, pages)
        return hits
    finally:
        doc.close()
