"""Where QPdfView puts each page, so pages can be scrolled to and zoom can keep its place.

QPdfView scrolls only when its navigator's page changes and ignores the location inside
the page, and it keeps the scroll offset in pixels across a zoom change (landing on
another page). Positions are therefore set on the scrollbar directly, following the
view's own layout rule: each page is its point size * dpi/72 * zoom (rounded), pages are
``pageSpacing()`` apart, below the top document margin.
"""

from __future__ import annotations

from bisect import bisect_right

from PySide6.QtGui import QGuiApplication
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView


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

    def reset(self, document: QPdfDocument | None = None) -> None:
        """Read the page sizes of ``document`` (None: no document)."""
        pages = document.pageCount() if document is not None else 0
        sizes = [document.pagePointSize(i) for i in range(pages)] if document else []
        self._heights = [s.height() for s in sizes]
        self._widths = [s.width() for s in sizes]
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
