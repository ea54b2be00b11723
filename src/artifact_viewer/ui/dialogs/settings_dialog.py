"""Settings dialog: base URL, API key (keyring), cache quota, parallel downloads, cache stats."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.settings import GIB, Settings
from artifact_viewer.ui import formatting as fmt


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What the user asked for. ``api_key`` is None when the key field was left empty."""

    base_url: str
    api_key: str | None
    cache_quota_bytes: int
    max_parallel_downloads: int

    def __repr__(self) -> str:  # the key never appears in a repr
        return f"SettingsChange(base_url={self.base_url!r}, key_changed={self.api_key is not None})"


class SettingsDialog(QDialog):
    """Edits the settings; the window applies them (and saves the key) off the GUI thread.

    Signals:
        applied(SettingsChange): OK was pressed with valid values.
    """

    applied = Signal(object)

    def __init__(self, settings: Settings, *, key_source: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self.base_url = QLineEdit(settings.base_url, self)
        self.base_url.setAccessibleName("API base URL")
        self.api_key = QLineEdit(self)
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setAccessibleName("API key")
        self.api_key.setPlaceholderText(
            {
                "keyring": "Stored in the system keyring — type to replace",
                "env": "Taken from ANON_API_KEY — type to replace",
                "session": "Kept for this session only — type to replace",
            }.get(key_source, "anon_…")
        )
        self.quota = QDoubleSpinBox(self)
        self.quota.setRange(0.1, 10_000)
        self.quota.setDecimals(1)
        self.quota.setSuffix(" GB")
        self.quota.setValue(settings.cache_quota_bytes / GIB)
        self.quota.setAccessibleName("Cache quota")
        self.parallel = QSpinBox(self)
        self.parallel.setRange(1, 16)
        self.parallel.setValue(settings.max_parallel_downloads)
        self.parallel.setAccessibleName("Maximum parallel downloads")
        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow("&Base URL:", self.base_url)
        form.addRow("API &key:", self.api_key)
        form.addRow("Cache &quota:", self.quota)
        form.addRow("Parallel &downloads:", self.parallel)
        self.stats = QLabel("Reading cache statistics…", self)
        self.stats.setObjectName("cacheStats")
        self.stats.setTextFormat(Qt.TextFormat.PlainText)
        self.stats.setWordWrap(True)
        box = QGroupBox("Cache (demo data)" if key_source == "demo" else "Cache", self)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.stats)
        # In demo mode the fields still describe the real API, which is easy to misread.
        self.note = QLabel(self)
        self.note.setObjectName("settingsNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        if key_source == "demo":
            self.note.setText(
                "You are exploring demo data from a local stand-in server. The URL and key "
                "below are for the real Anon API: entering a key here connects to it."
            )
        self.note.setVisible(bool(self.note.text()))
        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet(f"color: {fmt.error_colour(self.palette())};")
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        layout.addWidget(self.note)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    @Slot(object)
    def show_stats(self, stats: object) -> None:
        """Fill the cache box from a CacheStats (loaded off the GUI thread)."""
        total = getattr(stats, "total_bytes", 0)
        quota = getattr(stats, "quota_bytes", 0)
        lines = [
            f"{fmt.plural(getattr(stats, 'artifact_count', 0), 'artifact')} cached, "
            f"{fmt.human_size(total)} of {fmt.human_size(quota)}",
            f"{fmt.plural(getattr(stats, 'pinned_runs', 0), 'run')} pinned for offline use "
            f"({fmt.human_size(getattr(stats, 'pinned_bytes', 0))})",
            f"{fmt.plural(getattr(stats, 'catalog_artifacts', 0), 'artifact')} "
            "in the local catalog",
        ]
        bad = getattr(stats, "mismatched", 0)
        if bad:
            lines.append(f"{fmt.plural(bad, 'artifact')} failed verification")
        self.stats.setText("\n".join(lines))

    @Slot(str)
    def show_stats_error(self, text: str) -> None:
        self.stats.setText(text)

    @Slot()
    def _on_ok(self) -> None:
        url = self.base_url.text().strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            self.error.setText(
                "The base URL must start with https:// (or http:// for a local server)."
            )
            self.error.show()
            return
        key = self.api_key.text().strip() or None
        self.applied.emit(
            SettingsChange(url, key, int(self.quota.value() * GIB), self.parallel.value())
        )
        self.api_key.clear()
        self.accept()
