"""Desktop notifications: through the system tray (with the app's icon) where there is one,
else a line in the status bar; every notification is also emitted for whoever listens."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QSystemTrayIcon

from artifact_viewer.core.redact import redact
from artifact_viewer.ui.icons import app_icon
from artifact_viewer.ui.messages import MessageBridge

log = logging.getLogger(__name__)

SHOW_MS = 8000


class Notifier(QObject):
    """Shows short notifications; the tray icon is made on first use and only if available.

    Signals:
        notified(str, str): title and text of each notification shown.
    """

    notified = Signal(str, str)

    def __init__(self, bridge: MessageBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._tray: QSystemTrayIcon | None = None

    @property
    def uses_tray(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    @Slot(str, str)
    def notify(self, title: str, text: str) -> None:
        title, text = redact(title), redact(text)
        log.info("Notification: %s: %s", title, text)
        if self.uses_tray:
            if self._tray is None:
                self._tray = QSystemTrayIcon(app_icon(), self)
                self._tray.setToolTip("Artifact Viewer")
                self._tray.show()
            self._tray.showMessage(title, text, app_icon(), SHOW_MS)
        else:
            self._bridge.show_status(f"{title}: {text}")
        self.notified.emit(title, text)

    def close(self) -> None:
        if self._tray is not None:
            self._tray.hide()
            self._tray.deleteLater()
            self._tray = None
