"""A one-line label that shortens its text with an ellipsis instead of widening its pane."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFocusEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """``text()`` stays whole (and is the tooltip); only the painting is shortened, so a long
    file name or summary never sets the minimum width of the preview."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
    ) -> None:
        super().__init__(text, parent)
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(24)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        super().setText(text)
        self.setToolTip(text)

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()


class ElidedField(QLineEdit):
    """A read-only one-line value (an id, a hash, a path) that fits its pane.

    Unfocused, it shows the value shortened in the middle with an ellipsis (tooltip: the whole
    value); focused, the whole value, selected, to copy. Leaving it scrolls it back.
    """

    def __init__(self, value: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self._value = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(24)
        self.set_value(value)

    def value(self) -> str:
        return self._value

    def set_value(self, value: str) -> None:
        self._value = value
        self.setToolTip(value)
        self._show()

    def _show(self) -> None:
        if self.hasFocus():
            shown = self._value
        else:
            room = self.contentsRect().width() - 8
            shown = self.fontMetrics().elidedText(self._value, Qt.TextElideMode.ElideMiddle, room)
        if self.text() != shown:
            super().setText(shown)
        if not self.hasFocus():
            self.setCursorPosition(0)

    def is_elided(self) -> bool:
        return self.text() != self._value

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._show()
        self.selectAll()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._show()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()
