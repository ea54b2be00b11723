"""Where sensitive values sit on a rendered page or a screenshot, as boxes to paint over.

PDF pages: the page's text and the position of every character come from pdfium
(``pypdfium2``'s text page); the detectors run on the page text and every value found
becomes one box per line it spans, in points from the page's top-left corner (the page as
it is shown, crop box applied). A page with no text at all (a scan) cannot be read this
way, and a page turned by its /Rotate entry is laid out differently by different viewers:
both are marked to be covered whole.

Screenshots: the words and their boxes come from ``tesseract`` (the content search's OCR);
the detectors run on each line of words and every word a value touches is covered.

Both run on worker threads (no Qt); views paint the boxes.
"""

from __future__ import annotations

import ctypes
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.masking import Masker
from artifact_viewer.core.masking.kinds import Kind
from artifact_viewer.core.pdfium import PDFIUM_LOCK

#: device units per point when pdfium maps page coordinates to the shown page
_DEVICE_SCALE = 16
#: a box grows by this many points (PDF) or pixels (image) on every side, so glyph edges
#: (descenders, anti-aliasing) never peek out
PAD_POINTS = 1.5
PAD_PIXELS = 2


class MaskingError(Exception):
    """The file's text positions could not be read (the view then stays covered)."""


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle to cover: left, top, width, height (points on a page, pixels on an image)."""

    x: float
    y: float
    w: float
    h: float
    kind: Kind

    def scaled(self, factor: float) -> Box:
        return Box(self.x * factor, self.y * factor, self.w * factor, self.h * factor, self.kind)


@dataclass(frozen=True, slots=True)
class PageBoxes:
    """The boxes of one PDF page (0-based) of ``width`` x ``height`` points."""

    page: int
    width: float
    height: float
    boxes: tuple[Box, ...] = ()
    #: the page has no text layer: nothing on it can be checked, so it is covered whole
    cover_all: bool = False


@dataclass(slots=True)
class ImageBoxes:
    """The boxes of a screenshot, in pixels of the image as stored."""

    boxes: list[Box] = field(default_factory=list)
    words: int = 0  # words read, to tell "nothing sensitive" from "no text read"


def _padded(left: float, top: float, right: float, bottom: float, pad: float, kind: Kind) -> Box:
    return Box(left - pad, top - pad, right - left + 2 * pad, bottom - top + 2 * pad, kind)


# --- PDF ---------------------------------------------------------------------------------


def _page_text(textpage: object, count: int) -> str:
    """The page's characters, one per pdfium character index (so spans map back exactly)."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw  # type: ignore[attr-defined]
    chars = []
    for index in range(count):
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        # Surrogate halves and control codes stay one character wide, as a space.
        chars.append(chr(code) if 32 <= code < 0xD800 or 0xE000 <= code < 0x110000 else " ")
    return "".join(chars)


def _to_shown(
    page: object, width: float, height: float
) -> Callable[[float, float], tuple[float, float]]:
    """Page space (PDF units, origin bottom-left of the media box) to the shown page (points
    from its top-left corner, rotation and crop box applied), through pdfium's own mapping."""
    import pypdfium2.raw as pdfium_c

    raw = page.raw  # type: ignore[attr-defined]
    size_x, size_y = round(width * _DEVICE_SCALE), round(height * _DEVICE_SCALE)
    dx, dy = ctypes.c_int(), ctypes.c_int()

    def convert(x: float, y: float) -> tuple[float, float]:
        pdfium_c.FPDF_PageToDevice(
            raw, 0, 0, size_x, size_y, 0, x, y, ctypes.byref(dx), ctypes.byref(dy)
        )
        return dx.value / _DEVICE_SCALE, dy.value / _DEVICE_SCALE

    return convert


def _page_boxes(pdf: object, index: int, masker: Masker) -> PageBoxes:
    page = pdf[index]  # type: ignore[index]
    try:
        width, height = (float(v) for v in page.get_size())
        if page.get_rotation() % 360:
            # Viewers differ on how they lay out a turned page: cover it rather than guess.
            return PageBoxes(index, width, height, cover_all=True)
        textpage = page.get_textpage()
        try:
            count = textpage.count_chars()
            text = _page_text(textpage, count) if count > 0 else ""
            if not text.strip():
                return PageBoxes(index, width, height, cover_all=True)
            convert = _to_shown(page, width, height)
            boxes: list[Box] = []
            for span in masker.spans(text):
                for rect_index in range(textpage.count_rects(span.start, len(span))):
                    left, bottom, right, top = textpage.get_rect(rect_index)
                    corners = [convert(left, bottom), convert(right, top)]
                    xs = [p[0] for p in corners]
                    ys = [p[1] for p in corners]
                    boxes.append(_padded(min(xs), min(ys), max(xs), max(ys), PAD_POINTS, span.kind))
            return PageBoxes(index, width, height, tuple(boxes))
        finally:
            textpage.close()
    finally:
        page.close()


def pdf_boxes(
    path: Path,
    masker: Masker,
    cancel: CancelToken | None = None,
    on_page: Callable[[PageBoxes, int], None] | None = None,
) -> list[PageBoxes]:
    """The boxes of every page of the PDF at ``path``, page by page (``on_page(boxes,
    page_count)`` after each). Raises :class:`MaskingError` when pdfium cannot open it."""
    import pypdfium2 as pdfium

    # PDFium is not thread-safe: the lock is held for each step (opening, a page, closing),
    # so a comparison reading another PDF interleaves rather than waits for all pages.
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except (pdfium.PdfiumError, OSError, ValueError) as exc:
            raise MaskingError(f"the PDF's text could not be read ({exc})") from exc
        pages = len(pdf)
    try:
        out: list[PageBoxes] = []
        for index in range(pages):
            if cancel is not None:
                cancel.raise_if_cancelled()
            with PDFIUM_LOCK:
                try:
                    boxes = _page_boxes(pdf, index, masker)
                except pdfium.PdfiumError:
                    boxes = PageBoxes(index, 0.0, 0.0, cover_all=True)
            out.append(boxes)
            if on_page is not None:
                on_page(boxes, pages)
        return out
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def pdf_page_boxes(path: Path, index: int, masker: Masker) -> PageBoxes | None:
    """The boxes of one page (0-based; None when the document has no such page). Raises
    :class:`MaskingError` when pdfium cannot open it."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except (pdfium.PdfiumError, OSError, ValueError) as exc:
            raise MaskingError(f"the PDF's text could not be read ({exc})") from exc
        try:
            if not 0 <= index < len(pdf):
                return None
            try:
                return _page_boxes(pdf, index, masker)
            except pdfium.PdfiumError:
                return PageBoxes(index, 0.0, 0.0, cover_all=True)
        finally:
            pdf.close()


# --- screenshots -------------------------------------------------------------------------


def ocr_available() -> bool:
    """True when screenshots can be masked word by word (``tesseract`` is installed)."""
    from artifact_viewer.core.search.ocr import tesseract_path

    return tesseract_path() is not None


def line_boxes(words: list[str], boxes: list[list[int]], masker: Masker) -> Iterator[Box]:
    """The boxes of the words (joined by single spaces into one line) that a sensitive
    value found in the line touches."""
    starts: list[int] = []
    pos = 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    text = " ".join(words)
    for span in masker.spans(text):
        for start, word, (left, top, width, height) in zip(starts, words, boxes, strict=True):
            if start < span.end and start + len(word) > span.start:
                yield _padded(left, top, left + width, top + height, PAD_PIXELS, span.kind)


def image_boxes(path: Path, masker: Masker) -> ImageBoxes:
    """OCR the image at ``path`` and return the boxes over the words the detectors flag.

    Raises :class:`MaskingError` when tesseract is missing or could not read the image
    (the view then keeps the image covered).
    """
    from artifact_viewer.core.search.ocr import ocr_rows
    from artifact_viewer.core.search.rows import DocInfo

    info = DocInfo("image")
    out = ImageBoxes()
    for line, location in ocr_rows(path, info):
        words = line.split(" ")
        boxes = json.loads(location)
        if len(words) != len(boxes):  # a word with a space in it: cover the whole line
            words = [line.replace(" ", "_")]
            left = min(b[0] for b in boxes)
            top = min(b[1] for b in boxes)
            right = max(b[0] + b[2] for b in boxes)
            bottom = max(b[1] + b[3] for b in boxes)
            boxes = [[left, top, right - left, bottom - top]]
        out.words += len(words)
        out.boxes.extend(line_boxes(words, boxes, masker))
    if info.skipped:
        raise MaskingError(info.skipped[0])
    return out
