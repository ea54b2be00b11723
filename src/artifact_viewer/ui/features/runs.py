"""The run page as a window feature: selecting a run shows it in the centre, runs are
followed live while the window is open, and watched runs announce how they end."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QScrollArea

from artifact_viewer.ui.controllers.run_page_controller import RunPageController
from artifact_viewer.ui.controllers.run_watch import RunWatchController
from artifact_viewer.ui.extensions import WindowSlots
from artifact_viewer.ui.notifier import Notifier
from artifact_viewer.ui.panes.run_page import RunPage

VIEW_KEY = "run"


class RunFeature(QObject):
    """Installs the run page, the live poller and notifications into the window."""

    def __init__(self, **watcher_options: Any) -> None:
        super().__init__()
        self._watcher_options = watcher_options
        self.slots: WindowSlots | None = None

    def install(self, slots: WindowSlots) -> None:
        self.slots = slots
        # Lives as long as the window: its event filter stops the poller when it closes.
        self.setParent(slots.window)
        services = slots.services
        self.page = RunPage()
        # In a scroll area: the page is tall, and must not raise the window's minimum size.
        holder = QScrollArea()
        holder.setObjectName("runPageScroll")
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setWidget(self.page)
        self.page.setMinimumHeight(560)
        slots.add_view(VIEW_KEY, holder)
        self.watch = RunWatchController(slots.window, **self._watcher_options)
        self.notifier = Notifier(services.bridge, slots.window)
        self.controller = RunPageController(
            self.page, services.ops, services.bridge, self.watch, slots.window
        )
        self.watch.notify.connect(self.notifier.notify)
        self.watch.problem.connect(services.bridge.show_status)
        self.page.artifactActivated.connect(self._open_artifact)
        # The navigator and the artifact list read the catalog the poller writes to: redraw
        # them once per burst of changes.
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(1000)
        self._redraw.timeout.connect(self._redraw_lists)
        self.watch.runUpdated.connect(self._schedule_redraw)
        self.watch.artifactsChanged.connect(self._schedule_redraw)
        slots.events.libraryChanged.connect(self.controller.set_library)
        slots.events.scopeChanged.connect(self._on_scope)
        menu = slots.menu("&Runs")
        self.show_page = QAction("Show &run page", slots.window)
        self.show_page.setEnabled(False)
        self.show_page.triggered.connect(lambda: slots.show_view(VIEW_KEY))
        self.first_error = QAction("Open first &error", slots.window)
        self.first_error.triggered.connect(self.controller.open_first_error)
        self.watch_runs = QAction("&Watch run", slots.window)
        self.watch_runs.setToolTip("Be told when the selected runs end or need input")
        self.watch_runs.triggered.connect(self._watch_selected)
        for action in (self.show_page, self.first_error, self.watch_runs):
            menu.addAction(action)
        slots.add_run_action(self.watch_runs)
        slots.window.installEventFilter(self)
        library = services.library()
        if library is not None:
            self.controller.set_library(library)

    @Slot(str, str)
    def _on_scope(self, kind: str, ident: str) -> None:
        assert self.slots is not None
        if kind == "run":
            self.show_page.setEnabled(True)
            self.controller.show_run(ident)
            self.slots.show_view(VIEW_KEY)
        else:
            self.show_page.setEnabled(False)
            self.controller.leave()
            if self.slots.views.current_key() == VIEW_KEY:
                self.slots.show_preview()

    @Slot(object)
    def _schedule_redraw(self, _what: object) -> None:
        self._redraw.start()

    @Slot()
    def _redraw_lists(self) -> None:
        if self.slots is not None:
            self.slots.reload_lists()

    def _open_artifact(self, artifact: Any) -> None:
        if self.slots is not None:
            self.slots.open_artifact(artifact)

    @Slot()
    def _watch_selected(self) -> None:
        """The navigator's "Watch run": watch each selected run (toggles when all are)."""
        if self.slots is None:
            return
        ids = self.slots.selected_run_ids()
        on = not all(self.watch.is_run_watched(r) for r in ids)
        for run_id in ids:
            self.watch.set_run_watched(run_id, on)
        if self.controller.run_id in ids:
            self.page.watch.blockSignals(True)
            self.page.watch.setChecked(on)
            self.page.watch.blockSignals(False)
        what = "run" if len(ids) == 1 else "runs"
        self.slots.services.bridge.show_status(
            f"Watching the selected {what}." if on else f"No longer watching the selected {what}."
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.Hide, QEvent.Type.Show, QEvent.Type.WindowStateChange):
            window = self.slots.window if self.slots is not None else None
            if window is not None:
                hidden = not window.isVisible() or bool(
                    window.windowState() & Qt.WindowState.WindowMinimized
                )
                self.watch.set_hidden(hidden)
        elif kind == QEvent.Type.Close:
            self.controller.shutdown()
            self.notifier.close()
        return False
