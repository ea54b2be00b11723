"""One message bridge: every error or notice the window shows passes through here.

Errors become text with :func:`artifact_viewer.core.errors.user_message` (already
redacted); the :class:`Banner` shows them inline, non-modal, with an optional action
(e.g. "Reconnect…") and the technical detail on demand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QToolButton,
    QWidget,
)

from artifact_viewer.core.errors import (
    ArtifactViewerError,
    AuthError,
    Cancelled,
    ConfigError,
    NetworkError,
    NotAvailableOffline,
    OfflineError,
    user_message,
)
from artifact_viewer.core.redact import redact

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Notice:
    """What the banner shows. ``action`` names a follow-up the window knows how to do."""

    level: str  # "info" | "warning" | "error"
    text: str
    detail: str = ""
    action: str = ""  # "" | "reconnect"
    connection: bool = False  # about the API being unreachable: cleared when it returns


class MessageBridge(QObject):
    """Turns exceptions and notes into :class:`Notice` objects.

    Signals:
        notice(Notice): show this to the user (non-modal).
        status(str): a short transient line for the status bar.
    """

    notice = Signal(object)
    status = Signal(str)

    @Slot(object)
    def error(self, exc: BaseException, context: str = "") -> None:
        """Report a failure; cancellations are quiet, offline is a warning, bad keys offer reconnect."""
        if isinstance(exc, Cancelled):
            self.status.emit("Cancelled.")
            return
        text = user_message(exc)
        if context:
            text = f"{context}: {text}"
        level = "warning" if isinstance(exc, OfflineError) else "error"
        action = "reconnect" if isinstance(exc, (AuthError, ConfigError)) else ""
        detail = type(exc).__name__
        if not isinstance(exc, ArtifactViewerError):
            # Unexpected: keep the traceback in the log (redacted by the log filter).
            log.error("unexpected error%s", f" ({context})" if context else "", exc_info=exc)
        else:
            log.info("%s: %s", detail, redact(str(exc)))
        connection = isinstance(exc, (NetworkError, NotAvailableOffline))
        self.notice.emit(Notice(level, redact(text), detail, action, connection))

    def info(self, text: str, action: str = "") -> None:
        self.notice.emit(Notice("info", redact(text), action=action))

    def show_status(self, text: str) -> None:
        self.status.emit(redact(text))


class Banner(QFrame):
    """An inline strip above the content: level icon, text, an optional action, a close button.

    Signals:
        actionRequested(str): the user pressed the action button (e.g. "reconnect").
    """

    actionRequested = Signal(str)

    _COLOURS = {
        "info": ("#e8f1fd", "#1d4f91", "#24416b", "#d6e6fb"),
        "warning": ("#fff4e0", "#7a4b00", "#4d3a12", "#ffe3b0"),
        "error": ("#fde8e8", "#8f1d1d", "#5a2020", "#fbd0d0"),
    }

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._icon = QLabel(self)
        self._icon.setObjectName("bannerIcon")
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._action = QPushButton(self)
        self._action.clicked.connect(self._on_action)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setToolTip("Dismiss")
        self._close.setAccessibleName("Dismiss message")
        self._close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self._icon)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._action)
        layout.addWidget(self._close)
        self._notice: Notice | None = None
        self._styled: tuple[str, bool] | None = None
        # Kept even if a layout reparents us: the window the banner was made for.
        self._palette_source = parent
        if parent is not None:
            parent.installEventFilter(self)
        self.hide()

    @property
    def text(self) -> str:
        return self._label.text()

    @property
    def notice(self) -> Notice | None:
        return self._notice

    @Slot(object)
    def show_notice(self, notice: Notice) -> None:
        self._notice = notice
        self._label.setText(notice.text)
        self._label.setToolTip(notice.detail)
        self._action.setVisible(bool(notice.action))
        self._action.setText("Connect…" if notice.action == "reconnect" else notice.action)
        pixmap = {
            "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
            "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
        }.get(notice.level, QStyle.StandardPixmap.SP_MessageBoxInformation)
        self._icon.setPixmap(self.style().standardIcon(pixmap).pixmap(16, 16))
        self._apply_colours()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The system switched light/dark: our style sheet pins our own palette, so the
        # change shows on the parent, not here.
        if (
            watched is self._palette_source
            and event.type() == QEvent.Type.PaletteChange
            and self._notice is not None
        ):
            self._apply_colours()
        return super().eventFilter(watched, event)

    def _surroundings_dark(self) -> bool:
        # Our own palette reflects our style sheet; the parent's is the system's.
        parent = self.parentWidget()
        palette = parent.palette() if parent is not None else QApplication.palette()
        return palette.window().color().lightness() < 128

    def _apply_colours(self) -> None:
        notice = self._notice
        if notice is None:
            return
        dark = self._surroundings_dark()
        if (notice.level, dark) == self._styled:
            return  # setting the style sheet sends another PaletteChange
        self._styled = (notice.level, dark)
        bg, fg, dark_bg, _ = self._COLOURS.get(notice.level, self._COLOURS["info"])
        if dark:
            bg, fg = dark_bg, "#f2f2f2"
        self.setStyleSheet(
            f"QFrame#banner {{ background: {bg}; border: none; border-radius: 4px; }}"
            f"QFrame#banner QLabel {{ color: {fg}; }}"
        )

    @Slot()
    def _on_action(self) -> None:
        if self._notice and self._notice.action:
            self.actionRequested.emit(self._notice.action)
            self.hide()
