"""The window's Data menu: retention, cache encryption, and removing everything.

- "Remove cached files not opened for": off, 7, 30, 90 days or a custom number, saved in
  the settings; applied when a library opens and daily while the window runs.
- "Encrypt cached files": converts the cache in the background with progress (turning
  it on needs the system keyring; without one the message says why).
- "Remove everything from this computer…": a confirmation listing what goes; on yes the
  window closes and the app's files and keyring entries are removed after it (see
  ``app.gui_main``), so the next start is a first run.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.crypto.state import encryption_enabled, encryption_enabled_at
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.retention import (
    CHOICES_DAYS,
    RetentionReport,
    apply_retention,
    retention_days,
    set_retention_days,
)
from artifact_viewer.core.settings import save_settings
from artifact_viewer.ui.extensions import WindowSlots

DAILY_MS = 24 * 3600 * 1000
WIPE_PROPERTY = "artifactViewerWipeRequested"  # read by app.gui_main after the loop ends


def wipe_requested(app: QApplication) -> bool:
    return bool(app.property(WIPE_PROPERTY))


def _apply(library: Any, _progress: Any, _cancel: CancelToken) -> RetentionReport | None:
    """Worker: the retention setting applied to the library's cache."""
    return apply_retention(library.catalog, library.blobs, library.settings.extra)


def _convert(library: Any, encrypt: bool, progress: Any, cancel: CancelToken) -> Any:
    """Worker: the cache converted to the wanted form."""
    from artifact_viewer.core.crypto.convert import convert_cache

    return convert_cache(
        library.catalog, library.blobs, encrypt=encrypt, progress=progress, cancel=cancel
    )


def _describe_plan() -> list[str]:
    from artifact_viewer.commands.wipe import describe
    from artifact_viewer.core.wipe import wipe_plan

    return describe(wipe_plan(app_paths()))


class DataMenuExtension(QObject):
    """Retention, encryption and wipe actions under a Data menu."""

    def __init__(self) -> None:
        super().__init__()
        self._slots: WindowSlots | None = None
        self.retention_actions: dict[int, QAction] = {}
        self.encrypt: QAction | None = None
        self.wipe: QAction | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(DAILY_MS)
        self._timer.timeout.connect(self.apply_retention)
        self._confirm: QMessageBox | None = None

    def install(self, slots: WindowSlots) -> None:
        self._slots = slots
        window = slots.window
        self.setParent(window)
        menu = slots.menu("&Data")
        retention = menu.addMenu("Remove cached files not opened for")
        group = QActionGroup(self)
        for days in (0, *CHOICES_DAYS, -1):
            text = {0: "Never (off)", -1: "Custom…"}.get(days, f"{days} days")
            action = QAction(text, window)
            action.setCheckable(True)
            action.setData(days)
            group.addAction(action)
            retention.addAction(action)
            self.retention_actions[days] = action
            action.triggered.connect(self._on_retention_chosen)
        self.encrypt = QAction("Encrypt cached files", window)
        self.encrypt.setCheckable(True)
        self.encrypt.setChecked(encryption_enabled(app_paths()))
        self.encrypt.setToolTip("AES-256-GCM at rest, key in the system keyring")
        self.encrypt.triggered.connect(self._on_encrypt)
        menu.addAction(self.encrypt)
        menu.addSeparator()
        self.wipe = QAction("Remove everything from this computer…", window)
        self.wipe.triggered.connect(self._on_wipe)
        menu.addAction(self.wipe)
        slots.events.libraryChanged.connect(self._on_library)
        self._timer.start()

    # --- retention -----------------------------------------------------------------------

    @Slot(object)
    def _on_library(self, library: object) -> None:
        if library is None:
            return
        if self.encrypt is not None:
            self.encrypt.setChecked(encryption_enabled_at(library.blobs.root.parent))  # type: ignore[attr-defined]
        days = retention_days(library.settings.extra)  # type: ignore[attr-defined]
        key = days if days in CHOICES_DAYS else (0 if days is None else -1)
        self.retention_actions[key].setChecked(True)
        self.apply_retention()

    @Slot()
    def apply_retention(self) -> None:
        assert self._slots is not None
        library = self._slots.services.library()
        if library is None or retention_days(library.settings.extra) is None:
            return
        self._slots.services.ops.run(
            _apply, library, on_result=self._on_applied, on_error=self._slots.services.bridge.error
        )

    @Slot(object)
    def _on_applied(self, report: object) -> None:
        if isinstance(report, RetentionReport) and report.removed and self._slots is not None:
            self._slots.services.bridge.show_status(
                f"Removed {len(report.removed)} cached file(s) not opened recently."
            )

    @Slot()
    def _on_retention_chosen(self) -> None:
        action = self.sender()
        if not isinstance(action, QAction) or self._slots is None:
            return
        days = int(action.data())
        if days == -1:
            dialog = QInputDialog(self._slots.window)
            dialog.setInputMode(QInputDialog.InputMode.IntInput)
            dialog.setLabelText("Remove cached files not opened for this many days:")
            dialog.setIntRange(1, 3650)
            dialog.setIntValue(14)
            dialog.intValueSelected.connect(self.set_retention)
            dialog.open()
            return
        self.set_retention(days)

    @Slot(int)
    def set_retention(self, days: int) -> None:
        assert self._slots is not None
        library = self._slots.services.library()
        if library is None:
            self._slots.services.bridge.show_status("Connect first: retention is a setting.")
            return
        set_retention_days(library.settings.extra, days or None)
        save_settings(library.settings)
        self.apply_retention()

    # --- encryption ----------------------------------------------------------------------

    @Slot(bool)
    def _on_encrypt(self, on: bool) -> None:
        assert self._slots is not None and self.encrypt is not None
        library = self._slots.services.library()
        if library is None:
            self.encrypt.setChecked(not on)
            self._slots.services.bridge.show_status(
                "Connect first: the cache belongs to a library."
            )
            return
        self.encrypt.setEnabled(False)
        bridge = self._slots.services.bridge
        bridge.show_status("Encrypting cached files…" if on else "Decrypting cached files…")
        self._slots.services.ops.run(
            _convert,
            library,
            on,
            on_result=self._on_converted,
            on_error=self._on_convert_failed,
            on_progress=self._on_convert_progress,
        )

    @Slot(int, int)
    def _on_convert_progress(self, done: int, total: int) -> None:
        if self._slots is not None and total:
            self._slots.services.bridge.show_status(f"Converting the cache: {100 * done // total}%")

    @Slot(object)
    def _on_converted(self, report: Any) -> None:
        assert self._slots is not None and self.encrypt is not None
        self.encrypt.setEnabled(True)
        self.encrypt.setChecked(bool(report.encrypt))
        state = "on" if report.encrypt else "off"
        text = f"Cache encryption is {state}: {report.converted} file(s) converted."
        if report.busy:
            text += " Some files were in use; choose the action again to finish."
        self._slots.services.bridge.info(text)

    @Slot(object)
    def _on_convert_failed(self, exc: BaseException) -> None:
        assert self._slots is not None and self.encrypt is not None
        self.encrypt.setEnabled(True)
        library = self._slots.services.library()
        if library is not None:
            self.encrypt.setChecked(encryption_enabled_at(library.blobs.root.parent))
        self._slots.services.bridge.error(exc, "Cache encryption")

    # --- wipe ----------------------------------------------------------------------------

    @Slot()
    def _on_wipe(self) -> None:
        assert self._slots is not None
        lines = _describe_plan() or ["  (no app data found)"]
        box = self._confirm = QMessageBox(self._slots.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Remove everything from this computer")
        box.setText(
            "Remove everything Artifact Viewer keeps on this computer? The window closes and"
            " the next start is a first run. Artifacts stay on the server."
        )
        box.setInformativeText("\n".join(line.strip() for line in lines))
        box.setStandardButtons(QMessageBox.StandardButton.Cancel)
        remove = box.addButton("Remove everything", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        remove.clicked.connect(self.confirm_wipe)
        box.open()

    @Slot()
    def confirm_wipe(self) -> None:
        """Close the window; ``app.gui_main`` removes everything once it is closed."""
        app = QApplication.instance()
        if app is not None:
            app.setProperty(WIPE_PROPERTY, True)
        if self._slots is not None:
            self._slots.window.close()
        if isinstance(app, QApplication):
            app.quit()
