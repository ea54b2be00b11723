"""Live runs in the window: one poller on its own thread follows the run on show and every
watched run or workflow, updates the catalog, and tells the window what changed.

The poller is :class:`artifact_viewer.core.watch.RunWatcher` (back-off when unchanged or
hidden, Retry-After, failures reported, never raised); its events cross to the GUI thread
as queued signals. Catalog writes happen on the poller's thread, never the GUI's.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError
from artifact_viewer.core.watch import RunWatcher, WatchEvent
from artifact_viewer.qt.worker import Progress, Task, run_in_pool
from artifact_viewer.ui import formatting as fmt

log = logging.getLogger(__name__)

# Statuses a watched run is announced for.
NOTIFY = {
    "COMPLETED": "completed",
    "COMPLETED_WITH_NO_ACTION_TAKEN": "completed with no action taken",
    "FAILED": "failed",
    "AWAITING_USER_INPUT": "is waiting for input",
}


def _poll(watcher: RunWatcher, library: Any, progress: Progress, cancel: CancelToken) -> None:
    """On the poller's thread: every event is written to the catalog, then sent on."""
    for event in watcher.events(cancel):
        try:
            if event.run is not None and event.kind in ("started", "status", "step", "run_added"):
                library.catalog.upsert_runs([event.run])
            if event.artifact is not None:
                library.catalog.upsert_artifacts([event.artifact])
            if event.kind == "started" and event.artifacts:
                library.catalog.upsert_artifacts(list(event.artifacts))
        except (ArtifactViewerError, OSError) as exc:  # the catalog is a cache: keep polling
            log.info("Could not record a run update: %s", exc)
        progress.partial(event)


class RunWatchController(QObject):
    """Which runs are polled, and what their changes mean for the window.

    Signals:
        runUpdated(object): a followed or watched run's new state (a WorkflowRun).
        artifactsChanged(str): a run has new or changed artifacts (run id).
        runGone(str): a run answered 404 (deleted, or not visible any more).
        problem(str): a poll failed; text for the status bar (polling goes on).
        notify(str, str): title and text for a desktop notification.
        watchedChanged(): the watched runs or workflows changed (to be remembered).
    """

    runUpdated = Signal(object)
    artifactsChanged = Signal(str)
    runGone = Signal(str)
    problem = Signal(str)
    notify = Signal(str, str)
    watchedChanged = Signal()

    def __init__(self, parent: QObject | None = None, **watcher_options: Any) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._options = watcher_options
        self._library: Any = None
        self._watcher: RunWatcher | None = None
        self._task: Task | None = None
        self._followed: str | None = None
        self.watched_runs: set[str] = set()
        self.watched_workflows: set[str] = set()
        self._names: dict[str, str] = {}
        self._hidden = False

    # -- connection ----------------------------------------------------------------------
    def set_library(self, library: Any) -> None:
        """Poll through this library's API client (none: nothing is polled)."""
        self.stop()
        self._library = library
        client = getattr(library, "client", None) if library is not None else None
        if client is None:
            return
        self._watcher = RunWatcher(client, stop_when_idle=False, **self._options)
        self._watcher.set_hidden(self._hidden)
        followed = {self._followed} if self._followed else set()
        for run_id in sorted(self.watched_runs | followed):
            self._watcher.add(run_id)
        for workflow_id in sorted(self.watched_workflows):
            self._watcher.add_workflow(workflow_id)
        self._task = run_in_pool(
            _poll,
            self._watcher,
            library,
            on_result=self._on_stopped,
            on_error=self._on_failed,
            on_partial=self._on_event,
            pool=self._pool,
        )
        # If this object goes without stop() (its window destroyed unclosed), the pool it
        # owns waits for the poller as it is destroyed: make sure the poller ends.
        token = self._task.token
        self.destroyed.connect(lambda *_args: token.cancel())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._pool.waitForDone(5000)
        self._watcher = None

    @property
    def watcher(self) -> RunWatcher | None:
        return self._watcher

    # -- what is polled --------------------------------------------------------------------
    def follow(self, run_id: str | None, name: str = "") -> None:
        """The run on show: polled (while unfinished) without being watched."""
        previous, self._followed = self._followed, run_id
        if run_id and name:
            self._names[run_id] = name
        if self._watcher is None:
            return
        if previous and previous != run_id and previous not in self.watched_runs:
            self._watcher.remove(previous)
        if run_id:
            self._watcher.add(run_id)

    def restore(
        self, runs: list[str], workflows: list[str], names: dict[str, str] | None = None
    ) -> None:
        """Watch exactly these runs and workflows (the choices remembered for a connection)."""
        for run_id in sorted(self.watched_runs - set(runs)):
            self.set_run_watched(run_id, False, announce=False)
        for workflow_id in sorted(self.watched_workflows - set(workflows)):
            self.set_workflow_watched(workflow_id, False, announce=False)
        self._names.update(names or {})
        for run_id in runs:
            self.set_run_watched(run_id, True, announce=False)
        for workflow_id in workflows:
            self.set_workflow_watched(workflow_id, True, announce=False)

    def set_names(self, names: dict[str, str]) -> None:
        """What runs and workflows are called in notifications (ids to workflow names)."""
        for ident, name in names.items():
            if name:
                self._names.setdefault(ident, name)

    def set_run_watched(
        self, run_id: str, on: bool, name: str = "", *, announce: bool = True
    ) -> None:
        if name:
            self._names[run_id] = name
        changed = on != (run_id in self.watched_runs)
        if on:
            self.watched_runs.add(run_id)
            if self._watcher is not None:
                self._watcher.add(run_id)
        else:
            self.watched_runs.discard(run_id)
            if self._watcher is not None and run_id != self._followed:
                self._watcher.remove(run_id)
        if changed and announce:
            self.watchedChanged.emit()

    def set_workflow_watched(
        self, workflow_id: str, on: bool, name: str = "", *, announce: bool = True
    ) -> None:
        if name:
            self._names[workflow_id] = name
        changed = on != (workflow_id in self.watched_workflows)
        if on:
            self.watched_workflows.add(workflow_id)
            if self._watcher is not None:
                self._watcher.add_workflow(workflow_id)
        else:
            self.watched_workflows.discard(workflow_id)
            if self._watcher is not None:
                self._watcher.remove_workflow(workflow_id)
        if changed and announce:
            self.watchedChanged.emit()

    def is_run_watched(self, run_id: str) -> bool:
        return run_id in self.watched_runs

    def is_workflow_watched(self, workflow_id: str) -> bool:
        return workflow_id in self.watched_workflows

    @Slot(bool)
    def set_hidden(self, hidden: bool) -> None:
        """The window was hidden or minimised (poll slowly), or shown again (poll now)."""
        self._hidden = hidden
        if self._watcher is not None:
            self._watcher.set_hidden(hidden)

    @Slot()
    def poke(self) -> None:
        if self._watcher is not None:
            self._watcher.poke()

    # -- events (GUI thread) ---------------------------------------------------------------
    def _announced(self, event: WatchEvent) -> bool:
        run = event.run
        if run is None:
            return False
        return run.id in self.watched_runs or (
            run.workflow_id is not None and run.workflow_id in self.watched_workflows
        )

    def _name(self, run_id: str, workflow_id: str | None) -> str:
        label = self._names.get(run_id) or self._names.get(workflow_id or "") or "A run"
        return f"{label} ({fmt.short_id(run_id)})"

    @Slot(object)
    def _on_event(self, event: object) -> None:
        if not isinstance(event, WatchEvent):
            return
        kind = event.kind
        if kind in ("started", "status", "step", "run_added") and event.run is not None:
            self.runUpdated.emit(event.run)
            if kind == "started":
                # The first look lists the run's artifacts into the catalog: the catalog
                # may have known fewer.
                self.artifactsChanged.emit(event.run_id)
            if kind == "status" and event.run.status in NOTIFY and self._announced(event):
                name = self._name(event.run.id, event.run.workflow_id)
                # Where it stopped matters when it failed or waits; not when it is done.
                stopped = event.run.status in ("FAILED", "AWAITING_USER_INPUT")
                step = fmt.state_label(event.run.current_state_name) if stopped else ""
                text = f"{name} {NOTIFY[event.run.status]}" + (f" at {step}." if step else ".")
                self.notify.emit(fmt.status_label(event.run.status), text)
            if kind == "run_added" and event.run.workflow_id in self.watched_workflows:
                self._names.setdefault(event.run.id, self._names.get(event.run.workflow_id, ""))
        elif kind in ("artifact_added", "artifact_changed"):
            self.artifactsChanged.emit(event.run_id)
        elif kind == "gone":
            self.runGone.emit(event.run_id)
            if event.run_id in self.watched_runs:
                self.watched_runs.discard(event.run_id)
                self.watchedChanged.emit()
                name = self._name(event.run_id, None)
                self.notify.emit("Run deleted", f"{name} no longer exists.")
        elif kind == "poll_failed" and event.error is not None:
            wait = f" Trying again in {event.retry_in:.0f} s." if event.retry_in else ""
            self.problem.emit(f"Could not check runs: {event.error.user_message()}{wait}")
        elif kind == "recovered":
            self.problem.emit("Run updates resumed.")

    @Slot(object)
    def _on_stopped(self, _value: object) -> None:
        self._task = None

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        # Only faults no waiting can fix end the poller (a rejected key, bad settings).
        self._task = None
        self.problem.emit(f"Run updates stopped: {getattr(exc, 'message', str(exc))}")
