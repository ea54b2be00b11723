"""Where QPdfView puts each page, so pages can be scrolled to and zoom can keep its place.

QPdfView scrolls only when its navigator's page changes and ignores the location inside
the page, and it keeps the scroll offset in pixels across a zoom change (landing on
another page). Positions are therefore set on the scrollbar directly, following the
view's own layout rule: each page is its point size * dpi/72 * zoom (rounded), pages are
``pageSpacing()`` apart, below the top document margin.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.previews.pdf import probe

#: a PDF the helper process has not opened and measured within this many seconds is refused
LAYOUT_TIMEOUT_S = 5.0

#: documents whose page did not finish drawing: kept (never closed: closing waits for
#: PDFium, which is still busy) together with the name of the file
_stuck: list[tuple[QPdfDocument, str]] = []
_stuck_lock = threading.Lock()


def park_stuck_document(document: QPdfDocument, name: str) -> None:
    """Keep ``document`` aside for good: one of its pages never finished drawing, so PDFium
    (one lock for the whole process) may be busy with it from now on."""
    with _stuck_lock:
        _stuck.append((document, name))


def stuck_message() -> str | None:
    """Why no PDF may be opened in this process any more (None: PDFium is free)."""
    with _stuck_lock:
        if not _stuck:
            return None
        name = _stuck[-1][1]
    return (
        f"PDFs cannot be shown until the app is restarted: the PDF reader is still busy "
        f"drawing a page of {name} that does not finish."
    )


@dataclass(slots=True)
class PdfGeometry:
    """A PDF measured by the helper process and opened off the GUI thread: the GUI thread
    takes ``document`` (loaded, moved to it) and never asks PDFium for sizes or metadata."""

    size: int
    pages: int
    sizes: list[tuple[float, float]] = field(default_factory=list)
    title: str = ""
    has_eof: bool = True
    document: QPdfDocument | None = None


@dataclass(slots=True)
class FirstPageImage:
    """The visible top of page 1, drawn by the helper process (no PDFium call here):
    ``image`` in device pixels, of a page ``page_size`` logical pixels in all."""

    image: QImage
    page_size: tuple[int, int]
    pages: int


def first_page_image(page: probe.FirstPage) -> FirstPageImage:
    """The helper's pixels (already on white paper) as an image of its own (any thread):
    one copy, out of the memory the helper draws the next file's page into."""
    image = QImage(
        page.pixels, page.width, page.height, page.stride, QImage.Format.Format_RGB32
    ).copy()
    image.setDevicePixelRatio(page.dpr)
    return FirstPageImage(image, (page.page_width, page.page_height), page.pages)


def read_geometry(
    path: Path,
    progress: Any,
    cancel: CancelToken,
    first_page: probe.FirstPageRequest | None = None,
    on_first_page: Any = None,
) -> PdfGeometry:
    """Worker: have the helper process open and measure ``path`` (ended after
    :data:`LAYOUT_TIMEOUT_S`), then open it here for the view.

    Once the helper has answered, the same PDFium calls here return too; a file it could
    not answer in time is refused without any PDFium call in this process. With
    ``first_page``, ``on_first_page`` gets a :class:`FirstPageImage` of page 1 drawn by
    the helper as soon as it has it, before the rest of the document is measured.
    """
    from artifact_viewer.previews.pdf.search import check_pdf, load_error_message

    # The helper is asked first, so page 1 is not kept waiting for this thread; the file's
    # head and tail are looked at once it has answered, and a file without a PDF header
    # in its first KB is refused whatever the helper made of it.
    try:
        measured = probe.prober().measure(
            path,
            LAYOUT_TIMEOUT_S,
            cancel,
            first_page,
            (lambda page: on_first_page(first_page_image(page))) if on_first_page else None,
        )
    except probe.ProbeTimeout:
        check_pdf(path, progress, cancel)  # an empty file says so
        raise PreviewError(not_laid_out_message(LAYOUT_TIMEOUT_S)) from None
    check = check_pdf(path, progress, cancel)
    if not check.has_header:
        raise PreviewError(load_error_message(QPdfDocument.Error.InvalidFileFormat, check))
    if measured.load_error:
        error = getattr(QPdfDocument.Error, measured.load_error, QPdfDocument.Error.Unknown)
        raise PreviewError(load_error_message(error, check))
    if measured.error:
        raise PreviewError(measured.error)
    if measured.pages <= 0:
        raise PreviewError("The PDF has no pages.")
    cancel.raise_if_cancelled()
    stuck = stuck_message()
    if stuck is not None:
        # Opening here would wait for PDFium's lock, with the GIL held: every thread stops.
        raise PreviewError(stuck)
    document = QPdfDocument()
    if document.load(str(path)) != QPdfDocument.Error.None_ or document.pageCount() != (
        measured.pages
    ):
        document.close()
        document.deleteLater()
        raise PreviewError("The PDF changed while it was being opened; select it again.")
    # PDFium looks each page up on its first size query (about 0.1 ms a page); QPdfView
    # asks for every page's size when it gets the document, on the GUI thread. Asked here
    # first (the helper has shown these calls return), the view's queries find them known.
    for page in range(measured.pages):
        if page % 64 == 0:
            cancel.raise_if_cancelled()
        document.pagePointSize(page)
    app = QCoreApplication.instance()
    if app is not None:
        document.moveToThread(app.thread())
    return PdfGeometry(
        check.size,
        measured.pages,
        measured.sizes,
        measured.title,
        check.has_eof,
        document,
    )


class GeometryJob(QObject):
    """:func:`read_geometry` on a daemon thread of its own (GUI thread API).

    ``done`` carries the :class:`PdfGeometry`, ``failed`` the exception. A job is kept
    alive until it reports, so its last reference is dropped on the GUI thread.
    """

    done = Signal(object)
    failed = Signal(object)
    #: a :class:`FirstPageImage` (only with a ``first_page`` request), before ``done``
    firstPage = Signal(object)
    _result = Signal(object, bool)
    _first = Signal(object)

    _alive: set[GeometryJob] = set()

    def __init__(self, path: Path, first_page: probe.FirstPageRequest | None = None) -> None:
        super().__init__()
        self.path = path
        self.first_page = first_page
        self.token = CancelToken()
        self._result.connect(self._report)
        self._first.connect(self._report_first)

    def start(self) -> None:
        GeometryJob._alive.add(self)
        threading.Thread(target=self._run, name="pdf-geometry", daemon=True).start()

    def _run(self) -> None:
        try:
            geometry = read_geometry(
                self.path, _no_progress, self.token, self.first_page, self._first.emit
            )
        except BaseException as exc:  # reported on the GUI thread
            self._result.emit(exc, False)
            return
        self._result.emit(geometry, True)

    @Slot(object)
    def _report_first(self, page: object) -> None:
        if not self.token.cancelled:
            self.firstPage.emit(page)

    @Slot(object, bool)
    def _report(self, outcome: object, ok: bool) -> None:
        GeometryJob._alive.discard(self)
        if self.token.cancelled:
            if isinstance(outcome, PdfGeometry) and outcome.document is not None:
                outcome.document.close()
                outcome.document.deleteLater()
            return
        (self.done if ok else self.failed).emit(outcome)


def _no_progress(done: int, total: int = 0) -> None:
    pass


def not_laid_out_message(seconds: float) -> str:
    return (
        f"The PDF could not be laid out: it did not answer within {seconds:g} s "
        "(it may be damaged)."
    )


def points_to_pixels() -> float:
    """Pixels per point at zoom 1 (what QPdfView uses: the screen's logical DPI / 72)."""
    screen = QGuiApplication.primaryScreen()
    return (screen.logicalDotsPerInch() if screen is not None else 96.0) / 72.0


class PageLayout:
    """Page tops in scroll pixels for one document shown in one QPdfView."""

    def __init__(self, view: QPdfView) -> None:
        self._view = view
        self._heights: list[float] = []
        self._widths: list[float] = []
        self._tops: list[int] = []
        self._key: tuple[float, int, int, int] | None = None

    def reset(self, sizes: list[tuple[float, float]] | None = None) -> None:
        """Take the page sizes (points) measured by :func:`read_geometry` (None: none)."""
        sizes = sizes or []
        self._heights = [h for _w, h in sizes]
        self._widths = [w for w, _h in sizes]
        self._key = None

    @property
    def pages(self) -> int:
        return len(self._heights)

    def _scale(self) -> float:
        return points_to_pixels() * self._view.zoomFactor()

    def tops(self) -> list[int]:
        scale, spacing = self._scale(), self._view.pageSpacing()
        key = (scale, spacing, self._view.documentMargins().top(), len(self._heights))
        if self._key != key:
            tops = [key[2]]
            for height in self._heights:
                tops.append(tops[-1] + round(height * scale) + spacing)
            self._tops, self._key = tops, key
        return self._tops

    def position(self) -> tuple[int, float]:
        """(page, points below its top) at the top edge of the viewport."""
        if not self._heights:
            return 0, 0.0
        tops = self.tops()
        value = self._view.verticalScrollBar().value()
        page = max(0, min(bisect_right(tops, value) - 1, len(self._heights) - 1))
        return page, max(0.0, (value - tops[page]) / self._scale())

    def scroll_to(self, page: int, y_pts: float = 0.0) -> None:
        if not self._heights:
            return
        page = max(0, min(page, len(self._heights) - 1))
        value = self.tops()[page] + round(y_pts * self._scale())
        self._view.verticalScrollBar().setValue(value)

    def fit_width_zoom(self, page: int) -> float:
        """The zoom that makes ``page`` exactly as wide as the viewport."""
        if not self._widths:
            return 1.0
        width = self._widths[max(0, min(page, len(self._widths) - 1))]
        margins = self._view.documentMargins()
        avail = self._view.viewport().width() - margins.left() - margins.right()
        if width <= 0 or avail <= 0:
            return 1.0
        return avail / (width * points_to_pixels())

    def page_rect(self, page: int) -> tuple[float, float, float, float]:
        """(left, top, width, height) of ``page`` in viewport pixels, as QPdfView lays it
        out: pages centred in the wider of the document and the viewport, scrolled."""
        if not 0 <= page < len(self._heights):
            return 0.0, 0.0, 0.0, 0.0
        scale = self._scale()
        width = round(self._widths[page] * scale)
        height = round(self._heights[page] * scale)
        margins = self._view.documentMargins()
        widest = round(max(self._widths) * scale) + margins.left() + margins.right()
        total = max(widest, self._view.viewport().width())
        left = (total - width) // 2 - self._view.horizontalScrollBar().value()
        top = self.tops()[page] - self._view.verticalScrollBar().value()
        return float(left), float(top), float(width), float(height)
