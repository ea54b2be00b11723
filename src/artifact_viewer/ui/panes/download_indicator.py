"""Status-bar download indicator: what is transferring, how far along, and a Cancel button."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.ui import formatting as fmt


class DownloadIndicator(QWidget):
    """Shows one transfer at a time (the latest); Cancel sets its token.

    Signals:
        cancelled(): the user pressed Cancel.
        activeChanged(bool): a transfer started showing, or none is shown any more.
    """

    cancelled = Signal()
    activeChanged = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(180)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel download")
        self.cancel_button.setToolTip("Stop this download (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self._token: CancelToken | None = None
        self._name = ""
        self.hide()

    @property
    def active(self) -> bool:
        return self._token is not None

    def begin(self, name: str, token: CancelToken, size: int | None = None) -> None:
        self._token = token
        self._name = name
        self.bar.setRange(0, 0)  # busy until the first progress tick
        self.label.setText(f"Downloading {name}" + (f" ({fmt.human_size(size)})" if size else ""))
        self.show()
        self.activeChanged.emit(True)

    @Slot(int, int)
    def set_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))
            percent = 100 * min(done, total) // total
            self.label.setText(f"Downloading {self._name}: {percent}%")
        else:
            self.bar.setRange(0, 0)

    def finish(self, token: CancelToken | None = None) -> None:
        """Hide, unless a newer transfer took over the indicator."""
        if token is not None and token is not self._token:
            return
        self._token = None
        self.hide()
        self.activeChanged.emit(False)

    @Slot()
    def cancel(self) -> None:
        if self._token is not None:
            self._token.cancel()
            self.cancelled.emit()
        self.finish()
