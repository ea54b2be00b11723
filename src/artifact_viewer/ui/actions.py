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
        self.connect_api = self._make(
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
        self.focus_preview = self._make(
            "Go to &preview", ["Alt+4"], "Move the focus to the preview"
        )
        self.next_pane = self._make("Next pane", ["F6"], "Move the focus to the next pane")
        self.previous_pane = self._make(
            "Previous pane", ["Shift+F6"], "Move the focus to the previous pane"
        )
        self.show_navigator = self._make(
            "Show &navigator", ["Ctrl+B"], "Show or hide the workflow tree"
        )
        self.show_details = self._make(
            "Show &details", ["Ctrl+I"], "Show or hide the details panel"
        )
        self.details_under_list = self._make(
            "Details &under the list",
            [],
            "Put the details under the artifact list (the preview then takes the full height)",
        )
        for toggle in (self.show_navigator, self.show_details, self.details_under_list):
            toggle.setCheckable(True)
        self.show_navigator.setChecked(True)
        self.show_details.setChecked(True)
        self.group_by_run = self._make(
            "&Group artifacts by run", [], "List artifacts run by run, the newest run first"
        )
        self.group_by_run.setCheckable(True)
        self.focus_mode = self._make(
            "&Focus on the preview",
            ["F11", "Ctrl+Shift+Return"],
            "Give the preview the whole window (Esc or F11 comes back)",
        )
        self.focus_mode.setCheckable(True)
        # Takes Esc from "Cancel download" while focus mode is on (see set_focus_mode), so no
        # two actions ever hold one key.
        self.leave_focus_mode = self._make("Leave focus mode", [], "Show every pane again (Esc)")
        self.leave_focus_mode.setEnabled(False)
        self.shortcuts = self._make(
            "&Keyboard shortcuts",
            [QKeySequence.StandardKey.HelpContents, "Ctrl+/"],
            "Every shortcut of the window",
        )
        self.about = self._make("&About Artifact Viewer", [], "Versions and where files are kept")
        self.open_log_folder = self._make(
            "Open &log folder", [], "Open the folder that holds the app's (redacted) logs"
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

    def give_escape_to_focus_mode(self, on: bool) -> None:
        """Esc leaves focus mode while it is on; otherwise it cancels a download."""
        escape = QKeySequence("Esc")
        if on:
            self.cancel_download.setShortcuts([])
            self.leave_focus_mode.setShortcuts([escape])
        else:
            self.leave_focus_mode.setShortcuts([])
            self.cancel_download.setShortcuts([escape])
        self.leave_focus_mode.setEnabled(on)

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
        file_menu.addActions([self.connect_api, self.settings])
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.copy_id, self.find])
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.refresh])
        view_menu.addSeparator()
        view_menu.addActions([self.show_navigator, self.show_details, self.details_under_list])
        view_menu.addAction(self.group_by_run)
        view_menu.addActions([self.focus_mode, self.leave_focus_mode])
        view_menu.addSeparator()
        view_menu.addActions(
            [self.focus_navigator, self.focus_list, self.focus_details, self.focus_preview]
        )
        view_menu.addActions([self.next_pane, self.previous_pane])
        artifact_menu = bar.addMenu("&Artifact")
        artifact_menu.addActions([self.verify, self.pin, self.unpin])
        artifact_menu.addSeparator()
        artifact_menu.addAction(self.cancel_download)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.shortcuts, self.open_log_folder])
        help_menu.addSeparator()
        help_menu.addAction(self.about)
        return {
            "&Help": help_menu,
            "&File": file_menu,
            "&Edit": edit_menu,
            "&View": view_menu,
            "&Artifact": artifact_menu,
        }
