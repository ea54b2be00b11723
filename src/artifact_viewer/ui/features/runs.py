"""The run page as a window feature: selecting a run shows it in the centre, runs are
followed live while the window is open, and watched runs announce how they end."""

from __future__ import annotations

import hashlib
import logging
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
PAGE_ROOM = 560  # height the run page asks of the centre (header, artifacts, timeline)
log = logging.getLogger(__name__)


def watch_key(connection: Any) -> str:
    """Where a connection's watch choices are kept in the window state: run ids belong to
    one API (the demo's to the demo), so each API has its own list."""
    if connection is None:
        return ""
    if getattr(connection, "mode", "") == "demo":
        return "demo"
    base_url = str(getattr(connection, "base_url", "") or "")
    return hashlib.sha256(base_url.encode()).hexdigest()[:16] if base_url else ""


def _watch_names(
    library: Any, runs: list[str], workflows: list[str], _progress: Any, _cancel: Any
) -> dict[str, str]:
    """Workflow names of remembered runs and workflows, from the catalog (for notifications)."""
    names: dict[str, str] = {}
    for workflow_id in workflows:
        workflow = library.workflow(workflow_id)
        if workflow is not None and workflow.name:
            names[workflow_id] = workflow.name
    for run_id in runs:
        run = library.run(run_id)
        workflow = library.workflow(run.workflow_id) if run and run.workflow_id else None
        if workflow is not None and workflow.name:
            names[run_id] = workflow.name
    return names


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
        self.page.setMinimumHeight(420)
        self._holder = holder
        slots.add_view(VIEW_KEY, holder)
        slots.views.currentChanged.connect(self._on_view_changed)
        self.watch = RunWatchController(slots.window, **self._watcher_options)
        self.notifier = Notifier(services.bridge, slots.window)
        self.controller = RunPageController(
            self.page, services.ops, services.bridge, self.watch, slots.window
        )
        self.watch.notify.connect(self.notifier.notify)
        self.watch.problem.connect(services.bridge.show_status)
        self.page.artifactActivated.connect(self._open_artifact)
        self.page.saveRunRequested.connect(self.save_run)
        self.page.compareRequested.connect(self.compare_with_previous)
        self.page.editNoteRequested.connect(self.edit_note)
        slots.events.noteChanged.connect(self._on_note_changed)
        # The navigator and the artifact list read the catalog the poller writes to: redraw
        # them once per burst of changes.
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(1000)
        self._redraw.timeout.connect(self._redraw_lists)
        self.controller.statesChanged.connect(self._redraw.start)
        self.watch.runUpdated.connect(self._schedule_redraw)
        self.watch.artifactsChanged.connect(self._schedule_redraw)
        # Remembered watch choices first, so the new poller starts with them.
        self._watch_key = ""
        slots.events.libraryChanged.connect(self._restore_watched)
        slots.events.libraryChanged.connect(self.controller.set_library)
        self.watch.watchedChanged.connect(self._remember_watched)
        slots.events.shuttingDown.connect(self._shut_down)
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
        self.page.installEventFilter(self)
        library = services.library()
        if library is not None:
            self._restore_watched(library)
            self.controller.set_library(library)

    @Slot(str, str)
    def _on_scope(self, kind: str, ident: str) -> None:
        assert self.slots is not None
        if kind == "run":
            self._offer_other_features()
            self.show_page.setEnabled(True)
            self.controller.show_run(ident)
            self.slots.show_view(VIEW_KEY)
        else:
            self.show_page.setEnabled(False)
            self.controller.leave()
            if self.slots.views.current_key() == VIEW_KEY:
                self.slots.show_preview()

    # -- watch choices, remembered per API across launches ---------------------------------
    @Slot(object)
    def _restore_watched(self, library: Any) -> None:
        assert self.slots is not None
        self._watch_key = watch_key(getattr(self.slots.window, "connection", None))
        state = self.slots.services.state
        key = self._watch_key
        runs = state.list_value(f"watch_runs_{key}") if key and library is not None else []
        flows = state.list_value(f"watch_workflows_{key}") if key and library is not None else []
        self.watch.restore(runs, flows)
        if library is not None and (runs or flows):
            self.slots.services.ops.run(
                _watch_names,
                library,
                runs,
                flows,
                on_result=self.watch.set_names,
                on_error=lambda exc: log.info("Names of watched runs unknown: %s", exc),
            )

    @Slot()
    def _remember_watched(self) -> None:
        assert self.slots is not None
        if not self._watch_key:
            return
        state = self.slots.services.state
        state.set_value(f"watch_runs_{self._watch_key}", sorted(self.watch.watched_runs))
        state.set_value(f"watch_workflows_{self._watch_key}", sorted(self.watch.watched_workflows))
        state.sync()

    # -- actions other features carry out -------------------------------------------------
    def _save_feature(self) -> Any:
        from artifact_viewer.ui.features.save_many import SaveManyFeature

        assert self.slots is not None
        return self.slots.window.findChild(SaveManyFeature)

    def _compare_controller(self) -> Any:
        from artifact_viewer.ui.compare.feature import CompareController

        assert self.slots is not None
        return self.slots.window.findChild(CompareController)

    def _offer_other_features(self) -> None:
        """The page offers saving, comparing and notes only where the window has them."""
        assert self.slots is not None
        self.page.save_run.setVisible(self._save_feature() is not None)
        self.page.compare.setVisible(self._compare_controller() is not None)
        self.page.edit_note.setVisible("notes" in self.slots.panes)

    @Slot()
    def save_run(self) -> None:
        """Save every artifact of the run on show into a folder (asks for the folder)."""
        feature = self._save_feature()
        if feature is not None and self.controller.run_id:
            feature.ask_for_runs([self.controller.run_id])

    @Slot()
    def compare_with_previous(self) -> None:
        """Compare the run on show with the previous run of its workflow."""
        controller = self._compare_controller()
        if controller is not None and self.controller.run_id:
            controller.compare_run_with_previous(self.controller.run_id)

    @Slot()
    def edit_note(self) -> None:
        """Open the Notes pane (it follows the run on show) with the cursor in the note."""
        assert self.slots is not None
        dock = self.slots.panes.get("notes")
        if dock is None:
            return
        dock.show()
        dock.raise_()
        dock.widget().setFocus()
        editor = getattr(dock.widget(), "editor", None)
        if editor is not None:
            editor.setFocus()

    @Slot(str)
    def _on_note_changed(self, target_id: str) -> None:
        if target_id == self.controller.run_id:
            self.controller.load_note()

    @Slot(int)
    def _on_view_changed(self, _index: int) -> None:
        """On show, the page takes the height it needs from the artifact list above (the
        page lists the run's artifacts itself); it gives it back when another view shows."""
        assert self.slots is not None
        if self.slots.views.currentWidget() is self._holder:
            self._ask_room()
        else:
            self.slots.give_view_room(0)

    def _ask_room(self) -> None:
        assert self.slots is not None
        needed = self.page.minimumSizeHint().height() + 2 * self._holder.frameWidth() + 4
        self.slots.give_view_room(max(PAGE_ROOM, needed))

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
        if watched is self.page:
            # What the page holds (a long title, a picture) can make it need more height.
            if (
                kind == QEvent.Type.LayoutRequest
                and self.slots is not None
                and self.slots.views.currentWidget() is self._holder
            ):
                self._ask_room()
            return False
        if kind in (QEvent.Type.Hide, QEvent.Type.Show, QEvent.Type.WindowStateChange):
            window = self.slots.window if self.slots is not None else None
            if window is not None:
                hidden = not window.isVisible() or bool(
                    window.windowState() & Qt.WindowState.WindowMinimized
                )
                self.watch.set_hidden(hidden)
        elif kind == QEvent.Type.Close:
            if self.slots is not None:
                self.slots.give_view_room(0)  # the person's own sizes are the ones saved
            self._shut_down()
        return False

    @Slot()
    def _shut_down(self) -> None:
        """The poller's thread and the notifier end with the window (twice is harmless)."""
        if self.slots is not None:
            # No Python event filter may outlive the interpreter's last event loop.
            self.slots.window.removeEventFilter(self)
        self.controller.shutdown()
        self.notifier.close()
