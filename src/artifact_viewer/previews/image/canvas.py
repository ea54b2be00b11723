"""A zoomable, pannable image canvas that paints only the visible part of a (huge) QImage.

No QPixmap conversion of the full image (a 256 MB copy would stall the GUI thread): the
visible source rectangle is drawn straight from the QImage, and a smaller copy made in
the background is used whenever the zoom is low enough for it.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

MIN_ZOOM = 0.01
MAX_ZOOM = 32.0
_STEP = 1.25


class ImageCanvas(QAbstractScrollArea):
    """Shows one image. Emits ``zoomChanged(zoom)``, and ``painted`` once a newly set image
    has been drawn; starts in fit mode."""

    zoomChanged = Signal(float)
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # Fixed policies: a scrollbar appearing on fit would change the viewport and
        # re-trigger fit, looping; with them always there the geometry is stable.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._image = QImage()
        self._preview: QImage | None = None
        self._zoom = 1.0
        self._fit = True
        self._drag_from: QPoint | None = None
        self._announce = False  # emit ``painted`` after the next paint that draws the image
        self._marks: list[QRectF] = []  # outlined on the image (image pixels)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)

    def set_image(self, image: QImage, *, keep_view: bool = False) -> None:
        same_size = image.size() == self._image.size()
        self._image = image
        self._announce = not image.isNull()
        if not (keep_view and same_size):
            self._preview = None
            self._marks = []
            if self._fit:
                self._apply_fit()
        self._sync_bars()
        self.viewport().update()

    def set_preview(self, preview: QImage | None) -> None:
        """A downscaled copy used for low zoom levels (smooth and cheap to paint)."""
        self._preview = preview
        self.viewport().update()

    def image(self) -> QImage:
        return self._image

    def preview(self) -> QImage | None:
        """The downscaled copy used at low zoom, if made yet."""
        return self._preview

    # --- marks (a search hit's box) ------------------------------------------------------

    def set_marks(self, rects: list[QRectF]) -> None:
        """Outline these rectangles (image pixels) over the image; [] removes them."""
        self._marks = [QRectF(r) for r in rects]
        self.viewport().update()

    def marks(self) -> list[QRectF]:
        return list(self._marks)

    def mark_rect_in_view(self, rect: QRectF) -> QRectF:
        """Where ``rect`` (image pixels) is drawn in the viewport at the current zoom."""
        origin = self._origin()
        return QRectF(
            origin.x() + rect.x() * self._zoom,
            origin.y() + rect.y() * self._zoom,
            rect.width() * self._zoom,
            rect.height() * self._zoom,
        )

    def center_on(self, rect: QRectF) -> None:
        """Scroll so that ``rect`` (image pixels) is in the middle of the viewport."""
        view = self.viewport().size()
        centre = rect.center() * self._zoom + self._origin(ignore_scroll=True)
        self.horizontalScrollBar().setValue(round(centre.x() - view.width() / 2))
        self.verticalScrollBar().setValue(round(centre.y() - view.height() / 2))
        self.viewport().update()

    def zoom(self) -> float:
        return self._zoom

    def is_fit(self) -> bool:
        return self._fit

    # --- zoom ----------------------------------------------------------------------------

    def fit_zoom(self) -> float:
        if self._image.isNull():
            return 1.0
        size = self.viewport().size()
        scale = min(size.width() / self._image.width(), size.height() / self._image.height())
        return max(MIN_ZOOM, min(1.0, scale))

    def fit(self) -> None:
        self._fit = True
        self._apply_fit()

    def _apply_fit(self) -> None:
        self._set_zoom(self.fit_zoom(), None)

    def actual_size(self) -> None:
        self._fit = False
        self._set_zoom(1.0, None)

    def zoom_in(self) -> None:
        self._fit = False
        self._set_zoom(self._zoom * _STEP, None)

    def zoom_out(self) -> None:
        self._fit = False
        self._set_zoom(self._zoom / _STEP, None)

    def set_zoom(self, zoom: float) -> None:
        self._fit = False
        self._set_zoom(zoom, None)

    def _set_zoom(self, zoom: float, anchor: QPointF | None) -> None:
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        view = self.viewport().size()
        if anchor is None:
            anchor = QPointF(view.width() / 2, view.height() / 2)
        # Keep the image point under the anchor where it is.
        origin = self._origin()
        point = (anchor - origin) / self._zoom
        old = self._zoom
        self._zoom = zoom
        self._sync_bars()
        # Scroll so that origin + point * zoom == anchor (the bars clamp to their range).
        target = point * zoom + self._origin(ignore_scroll=True) - anchor
        self.horizontalScrollBar().setValue(round(target.x()))
        self.verticalScrollBar().setValue(round(target.y()))
        if zoom != old:
            self.zoomChanged.emit(zoom)
        self.viewport().update()

    def _content_size(self) -> tuple[float, float]:
        return self._image.width() * self._zoom, self._image.height() * self._zoom

    def _origin(self, *, ignore_scroll: bool = False) -> QPointF:
        """Viewport position of the image's top-left corner."""
        width, height = self._content_size()
        view = self.viewport().size()
        x = (view.width() - width) / 2 if width < view.width() else 0.0
        y = (view.height() - height) / 2 if height < view.height() else 0.0
        if not ignore_scroll:
            x -= self.horizontalScrollBar().value()
            y -= self.verticalScrollBar().value()
        return QPointF(x, y)

    def _sync_bars(self) -> None:
        width, height = self._content_size()
        view = self.viewport().size()
        for bar, content, page in (
            (self.horizontalScrollBar(), width, view.width()),
            (self.verticalScrollBar(), height, view.height()),
        ):
            bar.setRange(0, max(0, int(content - page + 0.5)))
            bar.setPageStep(max(1, page))
            bar.setSingleStep(max(1, page // 20))

    # --- painting and input --------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image.isNull():
            return
        painter = QPainter(self.viewport())
        origin = self._origin()
        width, height = self._content_size()
        target = QRectF(origin.x(), origin.y(), width, height).intersected(
            QRectF(self.viewport().rect())
        )
        if target.isEmpty():
            return
        source = QRectF(
            (target.x() - origin.x()) / self._zoom,
            (target.y() - origin.y()) / self._zoom,
            target.width() / self._zoom,
            target.height() / self._zoom,
        )
        image = self._image
        preview = self._preview
        if preview is not None and not preview.isNull():
            ratio = preview.width() / image.width()
            if self._zoom <= ratio:
                image = preview
                source = QRectF(
                    source.x() * ratio,
                    source.y() * ratio,
                    source.width() * ratio,
                    source.height() * ratio,
                )
        # Smooth scaling of a huge source is slow; only smooth when the source is small.
        smooth = image is self._preview or self._image.width() * self._image.height() <= 4096 * 4096
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth and self._zoom < 4)
        painter.drawImage(target, image, source)
        if self._marks:
            self._paint_marks(painter)
        painter.end()
        if self._announce:
            self._announce = False
            self.painted.emit()

    def _paint_marks(self, painter: QPainter) -> None:
        colour = self.palette().color(QPalette.ColorRole.Highlight)
        fill = QColor(colour)
        fill.setAlpha(60)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(colour, 3))
        painter.setBrush(fill)
        for rect in self._marks:
            # a few pixels of room, so the outline does not cover the word's edges
            painter.drawRect(self.mark_rect_in_view(rect).adjusted(-3, -3, 3, 3))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit:
            self._apply_fit()
        else:
            self._sync_bars()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self._fit = False
            self._set_zoom(self._zoom * (_STEP**steps), event.position())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif key == Qt.Key.Key_0:
            self.fit()
        elif key == Qt.Key.Key_1:
            self.actual_size()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            now = event.position().toPoint()
            delta = now - self._drag_from
            self._drag_from = now
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        self.viewport().unsetCursor()
