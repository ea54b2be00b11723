"""The redacted view on PDF pages: filled boxes over sensitive values, painted over the
pages QPdfView renders.

The boxes come from :func:`artifact_viewer.core.masking.boxes.pdf_boxes` on a worker; a
page whose boxes are not known yet, or that has no text layer (a scan), is covered whole,
so nothing sensitive shows while the work runs.

The same view also shows page 1 as the helper process drew it (see
:func:`artifact_viewer.previews.pdf.layout.read_geometry`) until its own render of that
page has come back, and says when a page has been painted.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QWidget

from artifact_viewer.core.masking.boxes import PageBoxes
from artifact_viewer.previews.pdf.layout import PageLayout

BOX_COLOR = QColor(20, 20, 20)
COVER_COLOR = QColor(90, 90, 90)


class MaskedPdfView(QPdfView):
    """A QPdfView that, while masking, paints boxes over what the page boxes name, and
    shows a first-page image of its own until its renderer has drawn that page."""

    #: a paint drew page content (after :meth:`announce_next_page_paint`)
    pagePainted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]  # the stub wants a parent
        self.page_layout: PageLayout | None = None  # set by the previewer
        self._masking = False
        self._pages: dict[int, PageBoxes] = {}
        self._failed = False
        self._first_image: QImage | None = None
        self._first_size: tuple[int, int] = (0, 0)
        self._announce = False
        self._page_drawn = False  # the view's own render of a page on screen has come back

    # --- page 1 before the view has drawn it ---------------------------------------------
    def set_first_page(self, image: QImage | None, page_size: tuple[int, int] = (0, 0)) -> None:
        """Show ``image`` (the top of page 1, for a page ``page_size`` pixels in all) where
        page 1 goes, until :meth:`page_drawn`; None: no such image."""
        self._first_image = image
        self._first_size = page_size
        self.viewport().update()

    @property
    def showing_first_page(self) -> bool:
        return self._first_image is not None

    def announce_next_page_paint(self) -> None:
        """Emit :attr:`pagePainted` after the next paint that shows page content."""
        self._announce = True
        self._page_drawn = False

    def page_drawn(self) -> None:
        """The view's renderer has drawn the page on screen: its image replaces ours."""
        self._page_drawn = True
        self._first_image = None
        self.viewport().update()

    def _first_page_rect(self) -> QRectF:
        width, height = self._first_size
        layout = self.page_layout
        if layout is not None and layout.pages:
            left, top, page_w, _page_h = layout.page_rect(0)
            scale = page_w / width if width > 0 else 1.0
        else:  # not measured yet: where the view will put it, fit to the width and
            # scrolled to page 1's top edge
            left = (self.viewport().width() - width) // 2
            top, scale = 0, 1.0
        image = self._first_image
        shown = image.height() / image.devicePixelRatio() if image is not None else height
        return QRectF(left, top, width * scale, min(shown, height) * scale)

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
        drew_page = self._page_drawn
        if self._first_image is not None and not self._masking:
            painter = QPainter(self.viewport())
            try:
                painter.drawImage(self._first_page_rect(), self._first_image)
            finally:
                painter.end()
            drew_page = True
        if drew_page and self._announce:
            self._announce = False
            self.pagePainted.emit()
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
