"""The redacted view on PDF pages: filled boxes over sensitive values, painted over the
pages QPdfView renders.

The boxes come from :func:`artifact_viewer.core.masking.boxes.pdf_boxes` on a worker; a
page whose boxes are not known yet, or that has no text layer (a scan), is covered whole,
so nothing sensitive shows while the work runs.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QWidget

from artifact_viewer.core.masking.boxes import PageBoxes
from artifact_viewer.previews.pdf.layout import PageLayout

BOX_COLOR = QColor(20, 20, 20)
COVER_COLOR = QColor(90, 90, 90)


class MaskedPdfView(QPdfView):
    """A QPdfView that, while masking, paints boxes over what the page boxes name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]  # the stub wants a parent
        self.page_layout: PageLayout | None = None  # set by the previewer
        self._masking = False
        self._pages: dict[int, PageBoxes] = {}
        self._failed = False

    @property
    def masking(self) -> bool:
        return self._masking

    def set_masking(self, on: bool) -> None:
        """Start (every page covered until its boxes arrive) or stop masking."""
        self._masking = on
        self._failed = False
        self._pages = {}
        self.viewport().update()

    def set_failed(self, failed: bool) -> None:
        """The text could not be read: pages without boxes stay covered for good."""
        self._failed = failed
        self.viewport().update()

    def add_page_boxes(self, boxes: PageBoxes) -> None:
        self._pages[boxes.page] = boxes
        self.viewport().update()

    def page_boxes(self) -> dict[int, PageBoxes]:
        return dict(self._pages)

    def masked_rects(self, page: int) -> list[QRectF]:
        """What is painted over ``page``, in viewport pixels (the whole page while its
        boxes are unknown or it has no text layer)."""
        layout = self.page_layout
        if not self._masking or layout is None:
            return []
        left, top, width, height = layout.page_rect(page)
        known = self._pages.get(page)
        if known is None or known.cover_all or known.width <= 0:
            return [QRectF(left, top, width, height)]
        scale = width / known.width
        return [
            QRectF(left + b.x * scale, top + b.y * scale, b.w * scale, b.h * scale)
            for b in known.boxes
        ]

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        layout = self.page_layout
        if not self._masking or layout is None or not layout.pages:
            return
        painter = QPainter(self.viewport())
        try:
            visible = QRectF(self.viewport().rect())
            for page in range(layout.pages):
                _l, top, _w, height = layout.page_rect(page)
                if top > visible.bottom() or top + height < visible.top():
                    continue
                known = self._pages.get(page)
                whole = known is None or known.cover_all or known.width <= 0
                for rect in self.masked_rects(page):
                    painter.fillRect(rect, COVER_COLOR if whole else BOX_COLOR)
                    if whole:
                        painter.setPen(QColor(235, 235, 235))
                        painter.drawText(
                            rect,
                            Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                            self._cover_text(known),
                        )
        finally:
            painter.end()

    def _cover_text(self, known: PageBoxes | None) -> str:
        if known is not None:
            return "Page hidden in redacted view (no text to check)"
        if self._failed:
            return "Page hidden in redacted view (its text could not be read)"
        return "Checking this page…"
