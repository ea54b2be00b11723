"""Connecting the window: saved key, the connect dialog, the demo server, and Settings."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDialog

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import user_message
from artifact_viewer.core.secrets import keyring_available, resolve_api_key
from artifact_viewer.core.settings import save_settings
from artifact_viewer.qt.worker import Progress, Task
from artifact_viewer.ui.controllers.browser import TreeRefresh, refresh_tree
from artifact_viewer.ui.controllers.sessions import Connection, Sessions, demo_paths
from artifact_viewer.ui.main_window import MainWindow

if TYPE_CHECKING:
    from pathlib import Path

    from artifact_viewer.core.library import Library
    from artifact_viewer.ui.dialogs.connect_dialog import ConnectDialog
    from artifact_viewer.ui.dialogs.settings_dialog import SettingsChange, SettingsDialog

log = logging.getLogger(__name__)

_RETIRE_POLL_MS = 200
# With the demo or a saved key the keyring (only needed once someone opens Connect…) is
# probed this long after the connection is shown: importing and probing it costs ~0.1 s of
# CPU that the first listing needs more.
_DEMO_KEYRING_PROBE_DELAY_MS = 2000


# -- work functions (pool threads) --------------------------------------------------------
def open_saved_or_offline(
    sessions: Sessions, _p: Progress, _c: CancelToken
) -> tuple[Connection, bool]:
    """(connection, has_key): the saved key's connection, else the catalog alone.

    No network call: the window lists the cached catalog first, then refreshes. Whether a
    keyring works is asked afterwards (probing backends may touch D-Bus)."""
    saved = sessions.open_saved()
    if saved is not None:
        return saved, True
    return sessions.open_offline(), False


def probe_keyring(_p: Progress, _c: CancelToken) -> bool:
    return keyring_available()


def connect(
    sessions: Sessions, base_url: str, key: str, _p: Progress, _c: CancelToken
) -> Connection:
    return sessions.connect(base_url, key)


def start_demo(sessions: Sessions, _p: Progress, _c: CancelToken) -> Connection:
    return sessions.start_demo()


def start_demo_synced(
    sessions: Sessions, progress: Progress, cancel: CancelToken
) -> tuple[Connection, TreeRefresh | None]:
    """The demo connection and its first refresh of workflows and runs, in one task: a first
    demo start has no catalog to list, so the sync runs while the window completes. The
    refresh is None when it failed: the connection's own refresh then tries again and says why.
    """
    connection = sessions.start_demo()
    try:
        refreshed = refresh_tree(connection.library, progress, cancel)
    except Exception as exc:  # noqa: BLE001 - reported by the refresh that follows
        log.info("First demo sync failed (%s); refreshing once connected", user_message(exc))
        refreshed = None
    return connection, refreshed


def apply_settings(
    sessions: Sessions, change: SettingsChange, _p: Progress, _c: CancelToken
) -> Connection | None:
    """Save the settings; reconnect when the URL or key changed (None when nothing to redo)."""
    settings = sessions.settings
    url_changed = change.base_url != settings.base_url
    settings.cache_quota_bytes = change.cache_quota_bytes
    settings.max_parallel_downloads = change.max_parallel_downloads
    if change.api_key:
        return sessions.connect(change.base_url, change.api_key)  # saves the settings too
    settings.base_url = change.base_url
    save_settings(settings, sessions.paths)
    if url_changed:
        return sessions.open_saved() or sessions.open_offline()
    return None


def library_stats(library: Library, _p: Progress, _c: CancelToken) -> object:
    return library.stats()


def release_library(sessions: Sessions, library: Library, _p: Progress, _c: CancelToken) -> None:
    sessions.release(library)


def _ignore(_exc: BaseException) -> None:
    """A failed keyring probe changes nothing: saving the key will report it."""


def _nothing() -> None:
    """What the window does once built when the connection is already on its way."""


def _ignore_result(_result: object) -> None:
    """Releasing a library has no result to show."""


def _log_release_error(exc: BaseException) -> None:
    log.warning("Closing the previous library failed: %s", user_message(exc))


class ConnectionFlow(QObject):
    """Opens the first connection and handles Connect…/Settings… for the window.

    Signals:
        attached(object): a :class:`Connection` is now shown by the window.
    """

    attached = Signal(object)

    def __init__(self, window: MainWindow, sessions: Sessions) -> None:
        super().__init__(window)
        self.window = window
        self.sessions = sessions
        self.dialog: ConnectDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.keyring_ok = True  # until the probe at start says otherwise
        # Libraries replaced by a reconnect, each with the tasks that may still be using it.
        self._retiring: list[tuple[set[Task], Any]] = []
        self._retire_timer = QTimer(self)
        self._retire_timer.setInterval(_RETIRE_POLL_MS)
        self._retire_timer.timeout.connect(self._release_idle_libraries)
        window.connectWanted.connect(self.show_connect)
        window.settingsWanted.connect(self.show_settings)

    def start(self, *, demo: bool = False) -> None:
        """Open the demo, or the saved key's connection, or the catalog plus the connect dialog.

        First the navigator lists the catalog kept from earlier sessions (read on the pool,
        with neither the library, the HTTP stack nor the keyring imported), then the
        connection opens and refreshes it. A first demo start has no catalog to list: the
        demo server's start and first sync run at once, while the window completes."""
        if demo and not self._catalog_path(demo=demo).is_file():
            self.window.ops.run(
                start_demo_synced,
                self.sessions,
                on_result=self._on_demo_synced,
                on_error=self._on_start_failed,
            )
            QTimer.singleShot(_DEMO_KEYRING_PROBE_DELAY_MS, self, self._probe_keyring)
            self.window.browser.list_cached(
                self._catalog_path(demo=demo), lambda: self.window.call_when_built(_nothing)
            )
            return
        self.window.browser.list_cached(
            self._catalog_path(demo=demo),
            # A staged window completes before the connection's imports share the CPU.
            lambda: self.window.call_when_built(lambda: self._open(demo=demo)),
        )

    def read_cached(self, *, demo: bool = False) -> None:
        """Start reading the catalog :meth:`start` lists first (on the pool, with the same
        imports), so the read overlaps the window's first paint."""
        self.window.browser.read_cached(self._catalog_path(demo=demo))

    def _catalog_path(self, *, demo: bool) -> Path:
        paths = demo_paths(self.sessions.paths) if demo else self.sessions.paths
        return paths.catalog_path

    def _open(self, *, demo: bool) -> None:
        if demo:
            self.window.show_status("Starting the demo server…")
            self.window.ops.run(
                start_demo,
                self.sessions,
                on_result=self._on_connection,
                on_error=self._on_start_failed,
            )
            QTimer.singleShot(_DEMO_KEYRING_PROBE_DELAY_MS, self, self._probe_keyring)
        else:
            self.window.ops.run(
                open_saved_or_offline,
                self.sessions,
                on_result=self._on_opened,
                on_error=self._on_start_failed,
            )

    @Slot()
    def _probe_keyring(self) -> None:
        self.window.ops.run(probe_keyring, on_result=self._on_keyring_probed, on_error=_ignore)

    @Slot(object)
    def _on_keyring_probed(self, available: bool) -> None:
        self.keyring_ok = available

    @Slot(object)
    def _on_opened(self, result: tuple[Connection, bool]) -> None:
        connection, has_key = result
        self._on_connection(connection)
        if has_key:
            QTimer.singleShot(_DEMO_KEYRING_PROBE_DELAY_MS, self, self._probe_keyring)
        else:
            # The connect dialog says whether the key will be kept: ask the keyring first.
            self.window.ops.run(
                probe_keyring, on_result=self._show_connect_probed, on_error=self._show_connect
            )

    @Slot(object)
    def _show_connect_probed(self, available: bool) -> None:
        self.keyring_ok = available
        self.show_connect()

    @Slot(object)
    def _show_connect(self, _exc: BaseException) -> None:
        self.show_connect()

    @Slot(object)
    def _on_demo_synced(self, result: tuple[Connection, TreeRefresh | None]) -> None:
        connection, refreshed = result
        self._on_connection(connection, refreshed)

    @Slot(object)
    def _on_connection(self, connection: Connection, refreshed: TreeRefresh | None = None) -> None:
        previous = self.window.connection
        self.sessions.settings.last_mode = connection.mode
        self.window.attach(connection, refreshed=refreshed)
        self.attached.emit(connection)
        if previous is not None and previous.library is not connection.library:
            self._retire(previous.library)

    def _retire(self, library: Library) -> None:
        """Close a replaced library once the work started before the switch has finished
        (a page load or download may still be reading it)."""
        self._retiring.append((self.window.ops.live_tasks(), library))
        self._release_idle_libraries()

    @Slot()
    def _release_idle_libraries(self) -> None:
        waiting: list[tuple[set[Task], Library]] = []
        for tasks, library in self._retiring:
            if all(task.finished for task in tasks):
                self.window.ops.run(
                    release_library,
                    self.sessions,
                    library,
                    on_result=_ignore_result,
                    on_error=_log_release_error,
                )
            else:
                waiting.append((tasks, library))
        self._retiring = waiting
        if waiting and not self._retire_timer.isActive():
            self._retire_timer.start()
        elif not waiting:
            self._retire_timer.stop()

    @Slot(object)
    def _on_start_failed(self, exc: BaseException) -> None:
        self.window.bridge.error(exc, "Could not open the library")

    # -- connect dialog ------------------------------------------------------------------
    @Slot()
    def show_connect(self) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            return
        from artifact_viewer.ui.dialogs.connect_dialog import ConnectDialog

        dialog = ConnectDialog(
            self.window,
            base_url=self.sessions.settings.effective_base_url(),
            keyring_available=self.keyring_ok,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.connectRequested.connect(self._on_connect_requested)
        dialog.demoRequested.connect(self._on_demo_requested)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()

    @Slot(int)
    def _on_dialog_finished(self, result: int) -> None:
        self.dialog = None
        connection = self.window.connection
        if (
            result != QDialog.DialogCode.Accepted
            and connection is not None
            and connection.mode == "offline"
        ):
            self.window.bridge.info(
                "Not connected: showing what was synced before. Connect to reach the Anon API.",
                action="reconnect",
            )

    @Slot(str, str)
    def _on_connect_requested(self, base_url: str, key: str) -> None:
        self.window.ops.run(
            connect,
            self.sessions,
            base_url,
            key,
            on_result=self._on_dialog_connected,
            on_error=self._on_dialog_failed,
        )

    @Slot()
    def _on_demo_requested(self) -> None:
        self.window.ops.run(
            start_demo,
            self.sessions,
            on_result=self._on_dialog_connected,
            on_error=self._on_dialog_failed,
        )

    @Slot(object)
    def _on_dialog_connected(self, connection: Connection) -> None:
        if self.dialog is not None:
            self.dialog.connected()
        self._on_connection(connection)

    @Slot(object)
    def _on_dialog_failed(self, exc: BaseException) -> None:
        if self.dialog is not None:
            from artifact_viewer.ui.dialogs.connect_dialog import connection_advice

            self.dialog.set_error(connection_advice(exc))
        else:
            self.window.bridge.error(exc)

    # -- settings ------------------------------------------------------------------------
    @Slot()
    def show_settings(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.raise_()
            return
        settings = self.sessions.settings
        connection = self.window.connection
        source = connection.key_source if connection else ""
        if not source:
            resolved = resolve_api_key(settings.effective_base_url())
            source = resolved.source if resolved else ""
        from artifact_viewer.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(settings, key_source=source, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(self._on_settings_applied)
        dialog.finished.connect(self._on_settings_finished)
        self.settings_dialog = dialog
        dialog.open()
        if self.window.library is not None:
            self.window.ops.run(
                library_stats,
                self.window.library,
                on_result=dialog.show_stats,
                on_error=self._on_stats_failed,
            )
        else:
            dialog.show_stats_error("Not connected yet.")

    @Slot(int)
    def _on_settings_finished(self, _result: int) -> None:
        self.settings_dialog = None

    @Slot(object)
    def _on_stats_failed(self, exc: BaseException) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.show_stats_error(user_message(exc))

    @Slot(object)
    def _on_settings_applied(self, change: SettingsChange) -> None:
        self.window.ops.set_max_downloads(change.max_parallel_downloads)
        self.window.ops.run(
            apply_settings,
            self.sessions,
            change,
            on_result=self._on_settings_saved,
            on_error=self._on_settings_failed,
        )

    @Slot(object)
    def _on_settings_saved(self, connection: Connection | None) -> None:
        self.window.show_status("Settings saved.")
        if connection is not None:
            self._on_connection(connection)

    @Slot(object)
    def _on_settings_failed(self, exc: BaseException) -> None:
        self.window.bridge.error(exc, "Settings were not applied")
