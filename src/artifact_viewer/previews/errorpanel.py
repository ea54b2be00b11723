"""The panel shown instead of a preview that failed: what is wrong, where, and what to do."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.redact import redact


class ErrorPanel(QWidget):
    """Message plus actions. Emits ``viewRawRequested``, ``viewHexRequested``,
    ``openExternallyRequested``; which buttons show is chosen per message."""

    viewRawRequested = Signal()
    viewHexRequested = Signal()
    openExternallyRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel(self)
        self.title = QLabel(self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.raw_button = QPushButton("View raw", self)
        self.hex_button = QPushButton("View hex", self)
        self.open_button = QPushButton("Open externally", self)
        self.raw_button.clicked.connect(self.viewRawRequested)
        self.hex_button.clicked.connect(self.viewHexRequested)
        self.open_button.clicked.connect(self.openExternallyRequested)

        heading = QHBoxLayout()
        heading.addWidget(self.icon)
        heading.addWidget(self.title, 1)
        buttons = QHBoxLayout()
        for button in (self.raw_button, self.hex_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addStretch(1)
        layout.addLayout(heading)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addStretch(2)

    def show_error(
        self,
        title: str,
        message: str,
        *,
        raw: bool = True,
        hex_: bool = True,
        open_externally: bool = True,
        icon: QStyle.StandardPixmap = QStyle.StandardPixmap.SP_MessageBoxWarning,
    ) -> None:
        """Fill the panel; every text passes the redactor (a message may quote a URL)."""
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(size, size))
        self.title.setText(redact(title))
        self.message.setText(redact(message))
        self.raw_button.setVisible(raw)
        self.hex_button.setVisible(hex_)
        self.open_button.setVisible(open_externally)

    def show_info(self, title: str, message: str) -> None:
        """A neutral message without actions (e.g. "Not available offline")."""
        self.show_error(
            title,
            message,
            raw=False,
            hex_=False,
            open_externally=False,
            icon=QStyle.StandardPixmap.SP_MessageBoxInformation,
        )
