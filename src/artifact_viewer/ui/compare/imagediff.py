"""Image diff view: side by side with synced zoom and scroll, overlay, blink, heatmap, boxes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSlider,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.compare.image import ImageDiff

SIDE, OVERLAY, BLINK, HEATMAP = "Side by side", "Overlay", "Blink", "Heatmap"
BLINK_MS = 600


@dataclass(slots=True)
class ImagePair:
    """What the view paints, made on a worker thread (QImage is safe off the GUI thread)."""

    a: QImage
    b: QImage
    heat: QImage
    diff: ImageDiff


def load_pair(path_a: Path, path_b: Path, diff: ImageDiff) -> ImagePair:
    """Both images and the heatmap of changed pixels (red where they differ)."""
    a = QImage(str(path_a)).convertToFormat(QImage.Format.Format_ARGB32)
    b = QImage(str(path_b)).convertToFormat(QImage.Format.Format_ARGB32)
    heat = QImage()
    if diff.mask is not None:
        height, width = diff.mask.shape
        rgba = np.zeros((height, width, 4), dtype=np.uint8)
        rgba[diff.mask] = (230, 40, 40, 200)
        heat = QImage(rgba.data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    return ImagePair(a, b, heat, diff)


class Canvas(QWidget):
    """Paints a base image, optionally another over it (opacity), and the changed boxes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base = QImage()
        self.over = QImage()
        self.opacity = 0.0
        self.dim = False
        self.boxes: list[tuple[int, int, int, int]] = []
        self.zoom = 1.0

    def canvas_size(self) -> QSize:
        width = max(self.base.width(), self.over.width())
        height = max(self.base.height(), self.over.height())
        return QSize(max(1, int(width * self.zoom)), max(1, int(height * self.zoom)))

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.canvas_size()

    def refresh(self) -> None:
        self.resize(self.canvas_size())
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.scale(self.zoom, self.zoom)
        if not self.base.isNull():
            painter.drawImage(QPoint(0, 0), self.base)
        if self.dim:
            painter.fillRect(self.base.rect(), QColor(255, 255, 255, 150))
        if not self.over.isNull() and self.opacity > 0:
            painter.setOpacity(self.opacity)
            painter.drawImage(QPoint(0, 0), self.over)
            painter.setOpacity(1.0)
        pen = QPen(QColor(255, 0, 160))
        pen.setWidthF(2.0 / self.zoom)
        painter.setPen(pen)
        for x, y, w, h in self.boxes:
            painter.drawRect(QRect(x, y, w, h))
        painter.end()


def _scroller(canvas: Canvas, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidget(canvas)
    area.setWidgetResizable(False)
    area.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return area


class ImageDiffView(QWidget):
    """Modes: side by side (synced zoom and scroll), overlay with opacity, blink, heatmap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.mode = QComboBox(self)
        self.mode.addItems([SIDE, OVERLAY, BLINK, HEATMAP])
        self.mode.setAccessibleName("Comparison mode")
        self.zoom = QSlider(Qt.Orientation.Horizontal, self)
        self.zoom.setRange(10, 800)
        self.zoom.setValue(100)
        self.zoom.setAccessibleName("Zoom (percent)")
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setAccessibleName("Overlay opacity of B (percent)")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(QLabel("Zoom", self))
        bar.addWidget(self.zoom)
        bar.addWidget(QLabel("B opacity", self))
        bar.addWidget(self.opacity)
        bar.addWidget(self.mode)
        self.left = Canvas(self)
        self.right = Canvas(self)
        self.single = Canvas(self)
        self.left_area = _scroller(self.left, self)
        self.right_area = _scroller(self.right, self)
        self.single_area = _scroller(self.single, self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.left_area)
        split.addWidget(self.right_area)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(split)
        self.stack.addWidget(self.single_area)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        for a, b in (
            (self.left_area.horizontalScrollBar(), self.right_area.horizontalScrollBar()),
            (self.left_area.verticalScrollBar(), self.right_area.verticalScrollBar()),
        ):
            a.valueChanged.connect(b.setValue)
            b.valueChanged.connect(a.setValue)
        self.blink_timer = QTimer(self)
        self.blink_timer.setInterval(BLINK_MS)
        self.blink_timer.timeout.connect(self._blink)
        self.mode.currentTextChanged.connect(self._apply)
        self.zoom.valueChanged.connect(self._apply)
        self.opacity.valueChanged.connect(self._apply)
        self.pair: ImagePair | None = None
        self.showing_b = False

    def show_pair(self, pair: ImagePair) -> None:
        self.pair = pair
        self.summary.setText(pair.diff.one_line())
        self._apply()

    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentText(mode)

    @Slot()
    def _apply(self) -> None:
        pair = self.pair
        if pair is None:
            return
        mode = self.mode.currentText()
        zoom = self.zoom.value() / 100
        boxes = list(pair.diff.boxes)
        self.left.base, self.left.boxes = pair.a, boxes
        self.right.base, self.right.boxes = pair.b, boxes
        single = self.single
        single.base, single.over, single.boxes, single.dim = pair.b, QImage(), boxes, False
        single.opacity = 0.0
        if mode == OVERLAY:
            single.base, single.over = pair.a, pair.b
            single.opacity = self.opacity.value() / 100
        elif mode == HEATMAP:
            single.over, single.opacity, single.dim = pair.heat, 1.0, True
        elif mode == BLINK:
            single.base = pair.b if self.showing_b else pair.a
        for canvas in (self.left, self.right, single):
            canvas.zoom = zoom
            canvas.refresh()
        self.stack.setCurrentIndex(0 if mode == SIDE else 1)
        if mode == BLINK and not self.blink_timer.isActive():
            self.blink_timer.start()
        elif mode != BLINK:
            self.blink_timer.stop()

    @Slot()
    def _blink(self) -> None:
        self.showing_b = not self.showing_b
        self._apply()

    def hideEvent(self, event: object) -> None:  # noqa: N802 - Qt's name
        self.blink_timer.stop()
        super().hideEvent(event)  # type: ignore[arg-type]
