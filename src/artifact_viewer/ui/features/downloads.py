"""The Downloads pane (View menu, Ctrl+J, or the status bar's "Downloads…" button)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot

from artifact_viewer.ui.extensions import WindowSlots
from artifact_viewer.ui.panes.downloads_panel import DownloadsPanel


class DownloadsFeature(QObject):
    """Adds the downloads panel over the window's download indicator."""

    def install(self, slots: WindowSlots) -> None:
        self.setParent(slots.window)  # lives as long as the window it serves
        indicator = slots.window.downloads
        self.panel = DownloadsPanel(indicator)
        self.dock = slots.add_pane(
            "downloads",
            "Downloads",
            self.panel,
            area=Qt.DockWidgetArea.BottomDockWidgetArea,
            shortcut="Ctrl+J",
        )
        indicator.detailsRequested.connect(self.show_panel)

    @Slot()
    def show_panel(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.panel.table.setFocus()
