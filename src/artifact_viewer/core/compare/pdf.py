"""PDF diff: the text of each page (pypdfium2) compared line by line, and page count changes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from artifact_viewer.core.compare.model import (
    PDF,
    CompareError,
    CompareOptions,
    Diff,
    JsonObj,
    Steps,
)
from artifact_viewer.core.compare.text import TextDiff, diff_lines
from artifact_viewer.core.units import plural

# PDFium is not thread-safe: one document operation at a time in this process.
_PDFIUM = threading.Lock()


@dataclass(slots=True)
class PageDiff:
    page: int  # 1-based
    op: str  # "add" | "remove" | "change"
    text: TextDiff

    def to_json(self) -> JsonObj:
        return {
            "page": self.page,
            "op": self.op,
            "linesAdded": self.text.lines_added,
            "linesRemoved": self.text.lines_removed,
            "hunks": [h.to_json() for h in self.text.hunks],
        }


@dataclass(slots=True)
class PdfDiff(Diff):
    pages_a: int = 0
    pages_b: int = 0
    pages: list[PageDiff] = field(default_factory=list)

    def summary(self) -> JsonObj:
        return {
            "pagesA": self.pages_a,
            "pagesB": self.pages_b,
            "pagesChanged": len(self.pages),
            "linesAdded": sum(p.text.lines_added for p in self.pages),
            "linesRemoved": sum(p.text.lines_removed for p in self.pages),
        }

    def changes(self) -> list[JsonObj]:
        return [p.to_json() for p in self.pages]

    def one_line(self) -> str:
        if self.identical:
            return "identical text"
        count = (
            f"{self.pages_a} -> {plural(self.pages_b, 'page')}, "
            if self.pages_a != self.pages_b
            else ""
        )
        s = self.summary()
        return (
            f"{count}{plural(len(self.pages), 'page')} changed"
            f" (+{plural(s['linesAdded'], 'line')}, -{plural(s['linesRemoved'], 'line')})"
        )


@dataclass(frozen=True, slots=True)
class PageImage:
    """One rendered page: ``width`` x ``height`` pixels, 4 bytes each (B, G, R, unused),
    rows ``stride`` bytes apart (QImage's RGB32 on little-endian machines)."""

    width: int
    height: int
    stride: int
    data: bytes


def render_page(path: Path, index: int, width: int) -> PageImage | None:
    """Page ``index`` (0-based) of a PDF rendered ``width`` pixels wide on white; None when
    the document has no such page. Raises CompareError for a file PDFium cannot read.
    PDFium releases the GIL while it draws: call from a worker thread."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise CompareError(f"{path.name} cannot be read as a PDF ({exc}).") from None
        try:
            if not 0 <= index < len(document):
                return None
            page = document[index]
            try:
                points = max(1.0, float(page.get_width()))
                bitmap = page.render(scale=max(1, width) / points, prefer_bgrx=True)
                try:
                    data = bytes(bitmap.buffer)
                    return PageImage(bitmap.width, bitmap.height, bitmap.stride, data)
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()


def page_texts(path: Path, steps: Steps | None = None) -> list[str]:
    """The text of every page, in order."""
    import pypdfium2 as pdfium

    texts: list[str] = []
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as exc:
            raise CompareError(f"{path.name} cannot be read as a PDF ({exc}).") from None
        try:
            for index in range(len(document)):
                if steps is not None:
                    steps.check()
                page = document[index]
                textpage = page.get_textpage()
                try:
                    texts.append(textpage.get_text_range().replace("\r\n", "\n"))
                finally:
                    textpage.close()
                    page.close()
        finally:
            document.close()
    return texts


def diff_pages(a: list[str], b: list[str], options: CompareOptions, steps: Steps) -> PdfDiff:
    pages: list[PageDiff] = []
    for index in range(max(len(a), len(b))):
        steps.check()
        text_a = a[index].splitlines() if index < len(a) else []
        text_b = b[index].splitlines() if index < len(b) else []
        result = diff_lines(text_a, text_b, options)
        op = "add" if index >= len(a) else "remove" if index >= len(b) else "change"
        if not result.identical or op != "change":
            pages.append(PageDiff(index + 1, op, result))
    return PdfDiff(PDF, not pages, [], pages_a=len(a), pages_b=len(b), pages=pages)


def compare_pdfs(path_a: Path, path_b: Path, options: CompareOptions, steps: Steps) -> PdfDiff:
    a = page_texts(path_a, steps)
    steps.advance(40)
    b = page_texts(path_b, steps)
    steps.advance(80)
    result = diff_pages(a, b, options, steps)
    steps.advance(100)
    return result
