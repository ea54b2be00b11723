"""First-run connect dialog: base URL and API key, or one click to explore the demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core import errors
from artifact_viewer.core.settings import DEFAULT_BASE_URL
from artifact_viewer.core.urls import UnsafeUrl, check_base_url
from artifact_viewer.ui.formatting import error_colour, warning_colour


def connection_advice(exc: BaseException) -> str:
    """Why connecting failed, with advice that fits the connect dialog: the fields are right
    there, so it points at them rather than at Settings or environment variables."""
    if isinstance(exc, errors.AuthError):
        hint = (
            "Check the API key above: it starts with anon_ and must belong to the "
            "organisation this base URL serves."
        )
    elif isinstance(exc, errors.NotFound):
        hint = "Check the base URL above: it usually ends in /api/v2."
    elif isinstance(exc, errors.NetworkError):
        hint = "Check the base URL above and your network connection, then connect again."
    elif isinstance(exc, errors.ConfigError):
        hint = "Check the base URL and the key above."
    elif isinstance(exc, errors.ArtifactViewerError):
        return exc.user_message()
    else:
        return errors.user_message(exc)
    return f"{exc.message} {hint}"


class ConnectDialog(QDialog):
    """Asks for the API key. The dialog checks nothing itself: the window tries the key off
    the GUI thread and calls :meth:`connected` or :meth:`set_error`.

    Signals:
        connectRequested(base_url, api_key): the user pressed Connect.
        demoRequested(): the user chose to explore the demo data.
    """

    connectRequested = Signal(str, str)
    demoRequested = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        note: str = "",
        keyring_available: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to Anon")
        self.setModal(True)
        self.setMinimumWidth(520)
        intro = QLabel(
            "Enter your organisation's Anon API key (it starts with anon_ and is shown once "
            "when the key is created).",
            self,
        )
        intro.setWordWrap(True)
        # Where the key will live, said before the user types it, not after.
        self.storage_note = QLabel(self)
        self.storage_note.setObjectName("keyStorageNote")
        self.storage_note.setWordWrap(True)
        self.storage_note.setTextFormat(Qt.TextFormat.PlainText)
        if keyring_available:
            self.storage_note.setText("The key is kept in the system keyring, never in a file.")
        else:
            self.storage_note.setText(
                "No system keyring is available: the key is kept for this session only and "
                "never written to a file. Set ANON_API_KEY to avoid typing it each time."
            )
            self.storage_note.setStyleSheet(f"color: {warning_colour(self.palette())};")
        self.base_url = QLineEdit(base_url, self)
        self.base_url.setAccessibleName("API base URL")
        self.api_key = QLineEdit(self)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("anon_…")
        self.api_key.setAccessibleName("API key")
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("&Base URL:", self.base_url)
        form.addRow("API &key:", self.api_key)
        self.message = QLabel(note, self)
        self.message.setObjectName("connectMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setVisible(bool(note))
        self.buttons = QDialogButtonBox(self)
        self.connect_button = self.buttons.addButton(
            "&Connect", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.connect_button.setDefault(True)
        self.demo_button = QPushButton("Explore &demo data", self)
        self.demo_button.setToolTip("Start a local stand-in server with sample workflows and runs.")
        self.buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_connect)
        self.buttons.rejected.connect(self.reject)
        self.demo_button.clicked.connect(self._on_demo)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.storage_note)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.api_key.setFocus()

    @Slot()
    def _on_connect(self) -> None:
        key = self.api_key.text().strip()
        url = self.base_url.text().strip()
        if not key:
            self.set_error("Enter an API key, or explore the demo data.")
            return
        try:
            check_base_url(url)
        except UnsafeUrl as exc:
            self.set_error(str(exc))  # the same reason the command line gives
            return
        self.set_busy(True)
        self.connectRequested.emit(url, key)

    @Slot()
    def _on_demo(self) -> None:
        self.set_busy(True)
        self.demoRequested.emit()

    def set_busy(self, busy: bool) -> None:
        for widget in (self.connect_button, self.demo_button, self.base_url, self.api_key):
            widget.setEnabled(not busy)
        if busy:
            self.message.setStyleSheet("")
            self.message.setText("Connecting…")
            self.message.show()
            self._fit_height()

    @Slot(str)
    def set_error(self, text: str) -> None:
        """Show why connecting failed; everything typed stays."""
        self.set_busy(False)
        self.message.setStyleSheet(f"color: {error_colour(self.palette())};")
        self.message.setText(text)
        self.message.show()
        self._fit_height()
        self.api_key.setFocus()

    def _fit_height(self) -> None:
        """Grow to fit a message of several lines instead of squeezing the fields."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = layout.totalHeightForWidth(self.width())
        if wanted > self.height():
            self.resize(self.width(), wanted)

    @Slot()
    def connected(self) -> None:
        self.api_key.clear()
        self.accept()
