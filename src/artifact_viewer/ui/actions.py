"""Every window action with its shortcut, and the menus that hold them."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar


class Actions(QObject):
    """Plain QActions; the main window connects their ``triggered`` to controllers' slots."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.refresh = self._make(
            "&Refresh",
            [QKeySequence.StandardKey.Refresh, "Ctrl+R"],
            "Ask the API for new workflows, runs and artifacts",
        )
        self.find = self._make(
            "&Find…",
            [QKeySequence.StandardKey.Find],
            "Filter the lists (name, type:, mime:, status:)",
        )
        self.save_as = self._make(
            "&Save as…",
            [QKeySequence.StandardKey.Save],
            "Save the artifact to a file of your choice",
        )
        self.open_external = self._make(
            "&Open externally", ["Ctrl+E"], "Open the cached file in its usual application"
        )
        self.copy_id = self._make(
            "&Copy artifact id", ["Ctrl+Shift+C"], "Copy the artifact's id to the clipboard"
        )
        self.pin = self._make(
            "&Pin run for offline",
            ["Ctrl+P"],
            "Download every artifact of the run and keep it cached",
        )
        self.unpin = self._make(
            "&Unpin run", ["Ctrl+Shift+P"], "Let the cache evict this run's artifacts again"
        )
        self.verify = self._make(
            "&Verify", ["Ctrl+Shift+V"], "Re-hash the cached file against the API's hash"
        )
        self.settings = self._make(
            "Se&ttings…",
            [QKeySequence.StandardKey.Preferences, "Ctrl+,"],
            "Base URL, API key, cache quota, downloads",
        )
        self.connect = self._make(
            "&Connect…", ["Ctrl+Shift+K"], "Enter an API key or explore the demo data"
        )
        self.quit = self._make(
            "&Quit", [QKeySequence.StandardKey.Quit, "Ctrl+Q"], "Close the window"
        )
        self.cancel_download = self._make(
            "C&ancel download", ["Esc"], "Stop the transfer shown in the status bar"
        )
        self.cancel_download.setEnabled(False)  # only while a transfer runs, so Esc is free
        self.focus_navigator = self._make(
            "Go to &workflows", ["Alt+1"], "Move the focus to the workflow tree"
        )
        self.focus_list = self._make(
            "Go to &artifacts", ["Alt+2"], "Move the focus to the artifact list"
        )
        self.focus_details = self._make(
            "Go to &details", ["Alt+3"], "Move the focus to the details panel"
        )
        self.artifact_actions = [self.save_as, self.open_external, self.copy_id, self.verify]
        self.set_artifact_enabled(False)
        self.set_run_enabled(False, False)

    def _make(self, text: str, keys: list[QKeySequence.StandardKey | str], tip: str) -> QAction:
        action = QAction(text, self)
        sequences: list[QKeySequence] = []
        for key in keys:
            if isinstance(key, str):
                sequences.append(QKeySequence(key))
            else:
                sequences.extend(QKeySequence.keyBindings(key))
        unique: list[QKeySequence] = []
        for seq in sequences:
            if not seq.isEmpty() and seq not in unique:
                unique.append(seq)
        action.setShortcuts(unique)
        shortcut = unique[0].toString(QKeySequence.SequenceFormat.NativeText) if unique else ""
        action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        action.setStatusTip(tip)
        return action

    def all_actions(self) -> list[QAction]:
        return [a for a in vars(self).values() if isinstance(a, QAction)]

    def set_artifact_enabled(self, enabled: bool) -> None:
        for action in self.artifact_actions:
            action.setEnabled(enabled)

    def set_run_enabled(self, has_run: bool, pinned: bool) -> None:
        self.pin.setEnabled(has_run and not pinned)
        self.unpin.setEnabled(has_run and pinned)

    def build_menus(self, bar: QMenuBar) -> dict[str, QMenu]:
        """The window's menus, by title, so features can add to them."""
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.save_as, self.open_external])
        file_menu.addSeparator()
        file_menu.addActions([self.connect, self.settings])
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.copy_id, self.find])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.refresh])
        view_menu.addSeparator()
        view_menu.addActions([self.focus_navigator, self.focus_list, self.focus_details])
        artifact_menu = bar.addMenu("&Artifact")
        artifact_menu.addActions([self.verify, self.pin, self.unpin])
        artifact_menu.addSeparator()
        artifact_menu.addAction(self.cancel_download)
        return {
            "&File": file_menu,
            "&Edit": edit_menu,
            "&View": view_menu,
            "&Artifact": artifact_menu,
        }
