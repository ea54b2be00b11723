"""Remembers window geometry, splitters, column widths and the last selection across launches.

Stored with ``QSettings`` as an INI file in the app's config folder. Only layout and ids
go in; never a key, a URL or anything from an artifact's contents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

FILE_NAME = "window.ini"


class WindowState:
    """A thin, typed wrapper over one ``QSettings`` INI file."""

    def __init__(self, config_dir: Path) -> None:
        config_dir.mkdir(parents=True, exist_ok=True)
        self.path = config_dir / FILE_NAME
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)

    def save_window(self, window: QMainWindow) -> None:
        self._qs.setValue("window/geometry", window.saveGeometry())
        self._qs.setValue("window/state", window.saveState())

    def restore_window(self, window: QMainWindow) -> bool:
        ok = self.restore_geometry(window)
        self.restore_docks(window)
        return ok

    def restore_geometry(self, window: QMainWindow) -> bool:
        """The saved size and place of the window."""
        geometry = self._qs.value("window/geometry")
        return isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)

    def restore_docks(self, window: QMainWindow) -> bool:
        """The saved layout of its toolbars and dock panes (those that exist by now)."""
        state = self._qs.value("window/state")
        return isinstance(state, QByteArray) and window.restoreState(state)

    def save_splitter(self, name: str, splitter: QSplitter) -> None:
        self._qs.setValue(f"splitters/{name}", splitter.saveState())

    def restore_splitter(self, name: str, splitter: QSplitter) -> bool:
        value = self._qs.value(f"splitters/{name}")
        return isinstance(value, QByteArray) and splitter.restoreState(value)

    def save_header(self, name: str, header: QHeaderView) -> None:
        self._qs.setValue(f"headers/{name}", header.saveState())

    def restore_header(self, name: str, header: QHeaderView) -> bool:
        value = self._qs.value(f"headers/{name}")
        return isinstance(value, QByteArray) and header.restoreState(value)

    def set_value(self, key: str, value: Any) -> None:
        self._qs.setValue(f"selection/{key}", value)

    def value(self, key: str, default: str = "") -> str:
        value = self._qs.value(f"selection/{key}", default)
        return value if isinstance(value, str) else default

    def list_value(self, key: str) -> list[str]:
        value = self._qs.value(f"selection/{key}", [])
        if isinstance(value, str):
            return [value] if value else []
        return [str(v) for v in value] if isinstance(value, list) else []

    def sync(self) -> None:
        self._qs.sync()
