"""Status-bar download indicator: what is transferring, how far along, Cancel, and the way
to the downloads panel. Every transfer is also recorded in :attr:`DownloadIndicator.log`
(bytes, speed, time left, outcome), which the downloads panel shows."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.models.downloads_model import (
    CANCELLED,
    DONE,
    DownloadsModel,
    Transfer,
)


class DownloadIndicator(QWidget):
    """Shows the newest running transfer; Cancel sets its token.

    Signals:
        cancelled(): the user cancelled a transfer (here or in the downloads panel).
        activeChanged(bool): a transfer started showing, or none runs any more.
        detailsRequested(): the user asked for the downloads panel.
    """

    cancelled = Signal()
    activeChanged = Signal(bool)
    detailsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log = DownloadsModel(self)
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
        self.details_button = QToolButton(self)
        self.details_button.setText("Downloads…")
        self.details_button.setAccessibleName("Show downloads")
        self.details_button.setToolTip("Every download with its speed and time left (Ctrl+J)")
        self.details_button.clicked.connect(self.detailsRequested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.details_button)
        self._shown: Transfer | None = None
        self.hide()

    @property
    def active(self) -> bool:
        return bool(self.log.running)

    def _find(self, token: CancelToken | None) -> Transfer | None:
        if token is None:
            return self._shown
        return next((t for t in self.log.transfers if t.token is token and not t.finished), None)

    def begin(
        self,
        name: str,
        token: CancelToken,
        size: int | None = None,
        retry: Callable[[], None] | None = None,
    ) -> Transfer:
        """Record and show a transfer; ``retry`` starts it again (from the panel)."""
        was_active = self.active
        transfer = self.log.add(name, token, size, retry)
        self._show(transfer)
        if not was_active:
            self.activeChanged.emit(True)
        return transfer

    def progress_of(self, token: CancelToken) -> Callable[[int, int], None]:
        """A progress slot for the transfer that ``token`` stops."""

        def report(done: int, total: int) -> None:
            transfer = self._find(token)
            if transfer is not None:
                self._progress(transfer, done, total)

        return report

    @Slot(int, int)
    def set_progress(self, done: int, total: int) -> None:
        """Progress of the transfer shown."""
        if self._shown is not None:
            self._progress(self._shown, done, total)

    def _progress(self, transfer: Transfer, done: int, total: int) -> None:
        self.log.progress(transfer, done, total if total > 0 else None)
        if transfer is self._shown:
            self._update_label()

    def _show(self, transfer: Transfer | None) -> None:
        self._shown = transfer
        if transfer is None:
            self.hide()
            return
        self._update_label()
        self.show()

    def _update_label(self) -> None:
        transfer = self._shown
        if transfer is None:
            return
        text = f"Downloading {transfer.name}"
        if transfer.total and transfer.done:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(transfer.done, transfer.total) / transfer.total))
            text += f": {100 * min(transfer.done, transfer.total) // transfer.total}%"
            left = transfer.time_left_text()
            if left != "—":
                text += f" · {left} left"
        else:
            self.bar.setRange(0, 0)  # busy until the first progress tick
            if transfer.total:
                text += f" ({fmt.human_size(transfer.total)})"
        self.label.setText(text)
        self.label.setToolTip(f"{transfer.progress_text()} · {transfer.speed_text()}")

    def finish(
        self, token: CancelToken | None = None, state: str = DONE, message: str = ""
    ) -> None:
        """The transfer that ``token`` stops ended (``done``, ``cancelled`` or ``failed``);
        the indicator moves on to another running transfer, or hides."""
        transfer = self._find(token)
        if transfer is None:
            return
        self.log.end(transfer, state, message)
        if transfer is self._shown:
            running = self.log.running
            self._show(running[0] if running else None)
        if not self.active:
            self.activeChanged.emit(False)

    @Slot()
    def cancel(self) -> None:
        """Cancel the transfer shown."""
        if self._shown is not None:
            self.cancel_transfer(self._shown)

    def cancel_transfer(self, transfer: Transfer) -> None:
        if transfer.finished:
            return
        transfer.token.cancel()
        self.cancelled.emit()
        self.finish(transfer.token, CANCELLED)

    def retry(self, transfer: Transfer) -> bool:
        """Start a cancelled or failed transfer again (its row gives way to the new one)."""
        if not transfer.can_retry or transfer.retry is None:
            return False
        again = transfer.retry
        self.log.remove(transfer)
        again()
        return True
