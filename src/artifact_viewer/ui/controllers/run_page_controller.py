"""Fills the run page: loads the run and its timeline off the GUI thread, makes thumbnails
and screenshots there too, follows the run live, and carries out the page's actions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QImageReader

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, NotFound
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.watch import is_finished
from artifact_viewer.qt.worker import Task
from artifact_viewer.ui.controllers.ops import Ops
from artifact_viewer.ui.controllers.run_watch import RunWatchController
from artifact_viewer.ui.messages import MessageBridge
from artifact_viewer.ui.models.filmstrip_model import THUMB_SIZE
from artifact_viewer.ui.panes.run_page import RunPage

if TYPE_CHECKING:
    # numpy comes with these: imported by the work functions below, on the pool.
    from artifact_viewer.core.run_story import RunSummary, TimelineData

log = logging.getLogger(__name__)

MAX_PIXELS = 100_000_000  # bigger screenshots are not decoded for the page (bomb guard)
LARGE = QSize(1600, 1200)


def read_image(path: Path, box: QSize) -> QImage:
    """The image at ``path`` decoded at most ``box`` big (QImage: safe off the GUI thread)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if not size.isValid() or size.width() * size.height() > MAX_PIXELS:
        raise ArtifactViewerError("This screenshot is too large to show here.")
    if size.width() > box.width() or size.height() > box.height():
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise ArtifactViewerError(f"The screenshot could not be read ({reader.errorString()}).")
    return image


def _summary(library: Any, run_id: str, refresh: bool, _progress: Any, _cancel: Any) -> RunSummary:
    from artifact_viewer.core.run_story import load_run_summary

    return load_run_summary(library, run_id, refresh)


def _timeline(
    library: Any, summary: RunSummary, progress: Any, cancel: CancelToken
) -> TimelineData:
    from artifact_viewer.core.run_story import load_timeline

    return load_timeline(library, summary, progress, cancel)


def _picture(
    library: Any, artifact_id: str, box: QSize, _progress: Any, cancel: CancelToken
) -> tuple[str, QImage]:
    return artifact_id, read_image(library.fetch(artifact_id, None, cancel), box)


def _note(library: Any, run_id: str, _progress: Any, _cancel: Any) -> tuple[str, str]:
    try:
        note = library.note(run_id)
    except NotFound:  # not in the catalog (yet): no note either
        note = None
    return run_id, note.text if note is not None else ""


def _states(library: Any, ids: list[str], _progress: Any, _cancel: Any) -> dict[str, Any]:
    return dict(library.cache_states(ids))


def _pin(library: Any, run_id: str, on: bool, progress: Any, cancel: CancelToken) -> bool:
    if on:
        library.pin_run(run_id, progress, cancel)
    else:
        library.unpin_run(run_id)
    return on


class RunPageController(QObject):
    """The run page's worker side (see the module docstring).

    Signals:
        statesChanged(): files of the run were fetched (the window's lists may redraw).
    """

    statesChanged = Signal()

    def __init__(
        self,
        page: RunPage,
        ops: Ops,
        bridge: MessageBridge,
        watch: RunWatchController,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page, self.ops, self.bridge, self.watch = page, ops, bridge, watch
        self.library: Any = None
        self.run_id: str | None = None
        self._generation = 0
        self._summary_task: Task | None = None
        self._timeline_task: Task | None = None
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(800)  # new artifacts come in bursts: one reload per burst
        self._reload.timeout.connect(self._reload_now)
        # Building the timeline and its pictures fetches files: their cache states are read
        # again once per burst.
        self._states_timer = QTimer(self)
        self._states_timer.setSingleShot(True)
        self._states_timer.setInterval(500)
        self._states_timer.timeout.connect(self._refresh_states_now)
        t = page.timeline
        t.thumbnailWanted.connect(self._make_thumbnail)
        t.imageWanted.connect(self._make_image)
        page.pinToggled.connect(self._pin)
        page.watchToggled.connect(self._watch_run)
        page.watchWorkflowToggled.connect(self._watch_workflow)
        page.openFirstErrorRequested.connect(self.open_first_error)
        watch.runUpdated.connect(self._on_run_updated)
        watch.artifactsChanged.connect(self._on_artifacts_changed)
        watch.runGone.connect(self._on_run_gone)

    def set_library(self, library: Any) -> None:
        self.library = library
        self.watch.set_library(library)
        if self.run_id and library is not None:
            self.show_run(self.run_id)

    # -- loading ---------------------------------------------------------------------------
    def show_run(self, run_id: str) -> None:
        """Show ``run_id``: its catalog entry at once, the timeline when its log is read."""
        self.run_id = run_id
        self._generation += 1
        self.page.show_loading(run_id)
        self.watch.follow(run_id)
        self._load(refresh=False)

    def leave(self) -> None:
        """The page is no longer on show: stop following its run (unless watched)."""
        self.run_id = None
        self._generation += 1
        self.watch.follow(None)
        for task in (self._summary_task, self._timeline_task):
            if task is not None:
                task.cancel()

    def _load(self, *, refresh: bool) -> None:
        if self.library is None or self.run_id is None:
            return
        if self._summary_task is not None:
            self._summary_task.cancel()
        generation = self._generation
        self._summary_task = self.ops.run(
            _summary,
            self.library,
            self.run_id,
            refresh,
            on_result=lambda s: self._on_summary(generation, s),  # noqa: B023
            on_error=self._on_error,
        )

    def _on_summary(self, generation: int, summary: RunSummary) -> None:
        if generation != self._generation:
            return
        run = summary.run
        workflow_name = summary.workflow.name if summary.workflow and summary.workflow.name else ""
        # Only a run that may still change is polled: a finished one would be looked at
        # again (and reloaded) each time its page is.
        self.watch.follow(None if is_finished(run) else run.id, workflow_name)
        self.page.set_summary(
            summary,
            watched=self.watch.is_run_watched(run.id),
            workflow_watched=bool(run.workflow_id)
            and self.watch.is_workflow_watched(run.workflow_id or ""),
        )
        self.load_note()
        self._load_timeline(summary)

    def _load_timeline(self, summary: RunSummary) -> None:
        if self._timeline_task is not None:
            self._timeline_task.cancel()
        generation = self._generation
        self._timeline_task = self.ops.run(
            _timeline,
            self.library,
            summary,
            on_result=lambda d: self._on_timeline(generation, d),  # noqa: B023
            on_error=self._on_timeline_error,
            on_progress=self._on_progress,
            download=True,
        )

    def _on_timeline(self, generation: int, data: TimelineData) -> None:
        if generation != self._generation:
            return
        keep_line = self.page.timeline.current_line()
        self.page.timeline.set_data(data)
        if keep_line >= 0:
            self.page.timeline.select_line(
                min(keep_line, data.timeline.log.line_count - 1) if data.timeline.log else -1
            )
        self.bridge.show_status("")
        self._states_timer.start()

    @Slot()
    def _refresh_states_now(self) -> None:
        summary = self.page.summary
        if self.library is None or summary is None:
            return
        generation = self._generation
        self.ops.run(
            _states,
            self.library,
            [a.id for a in summary.artifacts],
            on_result=lambda states: self._on_states(generation, states),
            on_error=log.info,
        )

    def _on_states(self, generation: int, states: dict[str, Any]) -> None:
        summary = self.page.summary
        if generation != self._generation or summary is None:
            return
        changed = any(summary.states.get(i) != state for i, state in states.items())
        self.page.set_cache_states(states)
        if changed:
            self.statesChanged.emit()

    @Slot()
    def load_note(self) -> None:
        """Read the person's note on the run again (after it was shown or edited)."""
        if self.library is None or self.run_id is None:
            return
        self.ops.run(_note, self.library, self.run_id, on_result=self._on_note, on_error=log.info)

    def _on_note(self, result: tuple[str, str]) -> None:
        run_id, text = result
        if run_id == self.run_id:
            self.page.set_user_note(text)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total:
            self.bridge.show_status(f"Reading the run's log: {done * 100 // total}%")

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, NotFound):
            self.page.show_gone()
            return
        self.page.status.setText("Could not be loaded")
        self.bridge.error(exc)

    @Slot(object)
    def _on_timeline_error(self, exc: BaseException) -> None:
        text = exc.user_message() if isinstance(exc, ArtifactViewerError) else "See the log file."
        self.page.timeline.clear(f"The timeline could not be built: {text}")

    # -- images (off the GUI thread) -------------------------------------------------------
    @Slot(str)
    def _make_thumbnail(self, artifact_id: str) -> None:
        if self.library is None:
            return
        self.ops.run(
            _picture,
            self.library,
            artifact_id,
            QSize(*THUMB_SIZE),
            on_result=self._on_thumbnail,
            on_error=lambda _exc: self.page.timeline.shots.forget_request(artifact_id),  # noqa: B023
            download=True,
        )

    def _on_thumbnail(self, result: tuple[str, QImage]) -> None:
        self.page.timeline.set_thumbnail(*result)
        self._states_timer.start()

    @Slot(str)
    def _make_image(self, artifact_id: str) -> None:
        if self.library is None:
            return
        self.ops.run(
            _picture,
            self.library,
            artifact_id,
            LARGE,
            on_result=self._on_image,
            on_error=lambda exc: self.page.timeline.set_image(  # noqa: B023
                artifact_id, None, getattr(exc, "message", "This screenshot could not be shown.")
            ),
            download=True,
        )

    def _on_image(self, result: tuple[str, QImage]) -> None:
        self.page.timeline.set_image(*result)
        self._states_timer.start()

    # -- live --------------------------------------------------------------------------------
    @Slot(object)
    def _on_run_updated(self, run: WorkflowRun) -> None:
        summary = self.page.summary
        if run.id != self.run_id or summary is None:
            return
        before = summary.run
        self.page.update_run(run)
        moved = (before.status, before.current_state_name) != (run.status, run.current_state_name)
        if moved and is_finished(run):
            self._reload.start()  # its last artifacts, and the timeline's end

    @Slot(str)
    def _on_artifacts_changed(self, run_id: str) -> None:
        if run_id == self.run_id:
            self._reload.start()

    @Slot()
    def _reload_now(self) -> None:
        self._load(refresh=False)

    @Slot(str)
    def _on_run_gone(self, run_id: str) -> None:
        if run_id == self.run_id:
            self.page.show_gone()

    # -- actions -----------------------------------------------------------------------------
    @Slot()
    def open_first_error(self) -> None:
        timeline = self.page.timeline
        log_index = timeline.timeline.log if timeline.timeline is not None else None
        if log_index is None or not len(log_index.errors):
            self.bridge.show_status("No errors in this run's log.")
            return
        timeline.select_line(log_index.errors[0])
        timeline.log_view.setFocus()

    @Slot(bool)
    def _pin(self, on: bool) -> None:
        if self.library is None or self.run_id is None:
            return
        self.bridge.show_status("Pinning the run for offline use…" if on else "Unpinned.")
        self.ops.run(
            _pin,
            self.library,
            self.run_id,
            on,
            on_result=lambda done: self.bridge.show_status(
                "Pinned: the run is kept for offline use." if done else "Unpinned."
            ),
            on_error=self.bridge.error,
            download=True,
        )

    @Slot(bool)
    def _watch_run(self, on: bool) -> None:
        summary = self.page.summary
        if summary is None:
            return
        name = summary.workflow.name if summary.workflow and summary.workflow.name else ""
        self.watch.set_run_watched(summary.run.id, on, name)
        self.bridge.show_status(
            "Watching this run: you will be told when it ends or needs input."
            if on
            else "No longer watching this run."
        )

    @Slot(bool)
    def _watch_workflow(self, on: bool) -> None:
        summary = self.page.summary
        if summary is None or not summary.run.workflow_id:
            return
        name = summary.workflow.name if summary.workflow and summary.workflow.name else ""
        self.watch.set_workflow_watched(summary.run.workflow_id, on, name)
        self.bridge.show_status(
            "Watching this workflow's runs." if on else "No longer watching this workflow."
        )

    def shutdown(self) -> None:
        self.leave()
        self.watch.stop()
        self.page.timeline.lines.close()
