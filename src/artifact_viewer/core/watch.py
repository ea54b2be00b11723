"""Follow workflow runs as they happen: poll, back off, and report what changed.

:class:`RunWatcher` polls one or many runs (and optionally workflows, for new runs) and
turns what it sees into :class:`WatchEvent` values: the state when watching began, status
and step changes, artifacts that appeared or changed, a run that disappeared, and polls
that failed (and recovered). It is made for a worker thread: :meth:`RunWatcher.events` is
a generator that ends when nothing is left to watch or the :class:`CancelToken` is set,
and :meth:`RunWatcher.run` hands each event to a callback instead. ``add``, ``remove``,
``set_hidden`` and ``poke`` may be called from any thread while it runs.

Timing (:class:`PollPolicy`): each watched thing is polled every ``interval`` seconds; each
poll that finds nothing new stretches its interval by ``growth`` up to ``max_interval``;
any change brings it back. While the window is hidden nothing is polled more often than
``hidden_interval``. A failed poll is reported as an event, never raised (network trouble,
5xx, 429, an odd answer): the next round waits ``interval * 2**failures`` (capped), or
exactly what ``Retry-After`` asked for on a 429 or 503. Only faults no waiting can fix
leave the loop: a rejected API key (AuthError), bad settings (ConfigError), or a
malformed id (BadRequest).

A run counts as finished on COMPLETED, FAILED or COMPLETED_WITH_NO_ACTION_TAKEN; an
unknown status counts as finished once the run has a ``completedAt`` (the status list is
documented, but the client stays tolerant). Callers choose which statuses end the watch
of a run (``stop_statuses``): the CLI adds AWAITING_USER_INPUT, the window does not (a run
waiting for input resumes once someone answers).
"""

from __future__ import annotations

import copy
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import (
    ArtifactViewerError,
    AuthError,
    BadRequest,
    ConfigError,
    NotFound,
    RateLimited,
    ServerError,
)
from artifact_viewer.core.models import Artifact, WorkflowRun, format_timestamp
from artifact_viewer.core.retry import RetryPolicy

if TYPE_CHECKING:  # the window paints before the HTTP stack is imported
    from artifact_viewer.core.client import AnonClient

log = logging.getLogger("artifact_viewer.watch")

EventKind = Literal[
    "started",  # first look at a run: ``run`` and its ``artifacts``
    "status",  # the status changed (the step may have too)
    "step",  # only currentStateName changed
    "artifact_added",
    "artifact_changed",  # same id, new size/hash/updatedAt (a log that grows)
    "gone",  # the run answered 404: deleted (``previous`` set) or never existed
    "run_added",  # a watched workflow has a run we had not seen
    "poll_failed",  # ``error`` and ``retry_in`` say what and when
    "recovered",  # the first good poll after failures
]

FINISHED_STATUSES = frozenset({"COMPLETED", "FAILED", "COMPLETED_WITH_NO_ACTION_TAKEN"})
RUNNING_STATUSES = frozenset({"PENDING", "IN_PROGRESS", "AWAITING_USER_INPUT"})
# Raised out of the loop: waiting cannot fix them.
FATAL_ERRORS = (AuthError, ConfigError, BadRequest)


def is_finished(run: WorkflowRun) -> bool:
    """True once a run will not change any more (see the module docstring for unknown ones)."""
    if run.status in FINISHED_STATUSES:
        return True
    if run.status in RUNNING_STATUSES:
        return False
    return run.completed_at is not None


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One thing the watcher saw. ``at`` is when it was seen (UTC)."""

    kind: EventKind
    run_id: str
    at: datetime
    run: WorkflowRun | None = None
    previous: WorkflowRun | None = None
    artifact: Artifact | None = None
    artifacts: tuple[Artifact, ...] = ()
    error: ArtifactViewerError | None = None
    retry_in: float | None = None
    workflow_id: str | None = None

    @property
    def status(self) -> str | None:
        return self.run.status if self.run is not None else None

    @property
    def state_name(self) -> str | None:
        return self.run.current_state_name if self.run is not None else None

    def to_json(self) -> dict[str, Any]:
        """The ``watch --json`` line: ``runId``, ``status``, ``currentStateName``, ``at``."""
        return {
            "runId": self.run_id,
            "status": self.status,
            "currentStateName": self.state_name,
            "at": format_timestamp(self.at),
        }


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often to poll, and how far to back off (seconds)."""

    interval: float = 3.0
    max_interval: float = 30.0
    growth: float = 1.5
    hidden_interval: float = 60.0
    max_failure_delay: float = 120.0
    # A Retry-After beyond this is waited for this long only, then asked again.
    max_retry_after: float = 600.0
    # Newest runs looked at per poll of a watched workflow.
    workflow_runs: int = 50

    def after_unchanged(self, delay: float) -> float:
        return min(self.max_interval, max(self.interval, delay * self.growth))

    def after_failure(self, failures: int, error: ArtifactViewerError) -> float:
        """Wait before the next round after ``failures`` failed rounds in a row."""
        if isinstance(error, RateLimited | ServerError) and error.retry_after is not None:
            return min(float(error.retry_after), self.max_retry_after)
        return min(self.max_failure_delay, self.interval * 2.0 ** max(0, failures))


@dataclass
class _Entry:
    """One watched run or workflow and its schedule."""

    key: str
    kind: Literal["run", "workflow"]
    delay: float
    due: float
    run: WorkflowRun | None = None
    artifacts: dict[str, Artifact] | None = None
    seen_runs: set[str] | None = None


@dataclass
class _Round:
    events: list[WatchEvent] = field(default_factory=list)
    failed: ArtifactViewerError | None = None
    failed_key: str = ""


class RunWatcher:
    """Polls runs (and workflows for new runs) and yields :class:`WatchEvent` values.

    ``client`` is used without its own retries: the watcher backs off itself and reports
    every failure. ``clock``/``sleep``/``now`` are injectable so tests never really wait.
    """

    def __init__(
        self,
        client: AnonClient,
        run_ids: Iterable[str] = (),
        *,
        workflow_ids: Iterable[str] = (),
        policy: PollPolicy | None = None,
        artifacts: bool = True,
        stop_statuses: Iterable[str] = FINISHED_STATUSES,
        stop_when_idle: bool = True,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        single = copy.copy(client)
        single.retry = RetryPolicy.no_retry()
        self._client = single
        self.policy = policy or PollPolicy()
        self.watch_artifacts = artifacts
        self.stop_statuses = frozenset(stop_statuses)
        self.stop_when_idle = stop_when_idle
        self._clock, self._sleep, self._now = clock, sleep, now
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._hidden = False
        self._failures = 0
        self._not_before = 0.0
        for run_id in run_ids:
            self.add(run_id)
        for workflow_id in workflow_ids:
            self.add_workflow(workflow_id)

    # -- control (any thread) ------------------------------------------------------------
    def add(self, run_id: str) -> None:
        """Watch a run; it is polled at once."""
        self._put(_Entry(run_id, "run", self.policy.interval, 0.0))

    def add_workflow(self, workflow_id: str) -> None:
        """Watch a workflow: its unfinished runs, and runs started from now on."""
        self._put(_Entry(workflow_id, "workflow", self.policy.interval, 0.0))

    def _put(self, entry: _Entry) -> None:
        with self._lock:
            self._entries.setdefault((entry.kind, entry.key), entry)
        self._wake.set()

    def remove(self, run_id: str) -> None:
        with self._lock:
            self._entries.pop(("run", run_id), None)
        self._wake.set()

    def remove_workflow(self, workflow_id: str) -> None:
        with self._lock:
            self._entries.pop(("workflow", workflow_id), None)
        self._wake.set()

    def watched(self) -> list[str]:
        """Ids of the runs being watched."""
        with self._lock:
            return [e.key for e in self._entries.values() if e.kind == "run"]

    def last_seen(self, run_id: str) -> WorkflowRun | None:
        with self._lock:
            entry = self._entries.get(("run", run_id))
            return entry.run if entry is not None else None

    @property
    def hidden(self) -> bool:
        return self._hidden

    def set_hidden(self, hidden: bool) -> None:
        """Hidden: poll no more often than ``hidden_interval``. Shown again: poll now."""
        with self._lock:
            was, self._hidden = self._hidden, hidden
            if was and not hidden:
                for entry in self._entries.values():
                    entry.due = 0.0
        self._wake.set()

    def poke(self) -> None:
        """Poll everything now (a refresh the user asked for); Retry-After still holds."""
        with self._lock:
            for entry in self._entries.values():
                entry.due, entry.delay = 0.0, self.policy.interval
        self._wake.set()

    # -- the loop --------------------------------------------------------------------------
    def events(self, cancel: CancelToken | None = None) -> Iterator[WatchEvent]:
        """Poll until nothing is left to watch (with ``stop_when_idle``) or ``cancel`` is set."""
        cancel = cancel or CancelToken()
        while not cancel.cancelled:
            with self._lock:
                if self.stop_when_idle and not self._entries:
                    return
            wait = self.next_poll_in()
            if wait > 0:
                self._pause(wait, cancel)
                continue
            yield from self.poll_due()

    def run(
        self, on_event: Callable[[WatchEvent], None], cancel: CancelToken | None = None
    ) -> None:
        """:meth:`events`, each handed to ``on_event`` (for callers that prefer callbacks)."""
        for event in self.events(cancel):
            on_event(event)

    def next_poll_in(self) -> float:
        """Seconds until the next poll is due (0: now; inf: nothing watched)."""
        with self._lock:
            if not self._entries:
                return float("inf")
            due = min(e.due for e in self._entries.values())
        return max(0.0, max(due, self._not_before) - self._clock())

    def _pause(self, seconds: float, cancel: CancelToken) -> None:
        if self._sleep is not None:
            self._sleep(seconds)
            return
        deadline = self._clock() + seconds
        while not cancel.cancelled:
            left = deadline - self._clock()
            if left <= 0:
                return
            if self._wake.wait(min(left, 0.25)):
                self._wake.clear()
                return

    def poll_due(self) -> list[WatchEvent]:
        """One round: poll whatever is due now. Stops at the first failure and reports it."""
        now = self._clock()
        if now < self._not_before:
            return []
        result = _Round()
        due: list[_Entry] = []
        # Workflows first: the runs they add are polled in the same round.
        for kind in ("workflow", "run"):
            with self._lock:
                batch = [e for e in self._entries.values() if e.kind == kind and e.due <= now]
            due += batch
            if self._poll_batch(batch, result):
                break
        if result.failed is None:
            if self._failures:
                log.info("Polling recovered after %d failed rounds", self._failures)
                key = due[0].key if due else ""
                result.events.insert(0, WatchEvent("recovered", key, self._now()))
            self._failures = 0
            return result.events
        self._failures += 1
        delay = self.policy.after_failure(self._failures, result.failed)
        self._not_before = self._clock() + delay
        log.info("Poll failed (%s); next try in %.1f s", result.failed, delay)
        result.events.append(
            WatchEvent(
                "poll_failed",
                result.failed_key,
                self._now(),
                error=result.failed,
                retry_in=delay,
            )
        )
        return result.events

    def _poll_batch(self, batch: list[_Entry], result: _Round) -> bool:
        """Poll each entry; True if one failed (the rest wait for the next round)."""
        for entry in batch:
            try:
                if entry.kind == "workflow":
                    self._poll_workflow(entry, result)
                else:
                    self._poll_run(entry, result)
            except FATAL_ERRORS:
                raise
            except ArtifactViewerError as exc:
                result.failed, result.failed_key = exc, entry.key
                return True
        return False

    # -- one run / one workflow ------------------------------------------------------------
    def _schedule(self, entry: _Entry, changed: bool) -> None:
        policy = self.policy
        entry.delay = policy.interval if changed else policy.after_unchanged(entry.delay)
        delay = max(entry.delay, policy.hidden_interval) if self._hidden else entry.delay
        entry.due = self._clock() + delay

    def _drop(self, entry: _Entry) -> None:
        with self._lock:
            self._entries.pop((entry.kind, entry.key), None)

    def _poll_run(self, entry: _Entry, out: _Round) -> None:
        try:
            run = self._client.get_workflow_run(entry.key)
        except NotFound:
            out.events.append(WatchEvent("gone", entry.key, self._now(), previous=entry.run))
            self._drop(entry)
            return
        previous, entry.run = entry.run, run
        at = self._now()
        changed = previous is None  # the first look starts at the base interval
        if previous is None:
            artifacts = self._list_artifacts(entry.key) if self.watch_artifacts else None
            entry.artifacts = artifacts
            found = tuple(artifacts.values()) if artifacts else ()
            out.events.append(WatchEvent("started", entry.key, at, run=run, artifacts=found))
        else:
            if run.status != previous.status:
                out.events.append(WatchEvent("status", entry.key, at, run=run, previous=previous))
                changed = True
            elif run.current_state_name != previous.current_state_name:
                out.events.append(WatchEvent("step", entry.key, at, run=run, previous=previous))
                changed = True
            if self.watch_artifacts:
                changed = self._artifact_events(entry, run, out) or changed
        if run.status in self.stop_statuses or (
            is_finished(run) and self.stop_statuses >= FINISHED_STATUSES
        ):
            self._drop(entry)
            return
        self._schedule(entry, changed)

    def _list_artifacts(self, run_id: str) -> dict[str, Artifact]:
        listed = self._client.list_artifacts(workflow_run_id=run_id)
        return {a.id: a.without_url() for a in listed}

    def _artifact_events(self, entry: _Entry, run: WorkflowRun, out: _Round) -> bool:
        known = entry.artifacts or {}
        current = self._list_artifacts(entry.key)
        entry.artifacts = current
        at = self._now()
        added = [a for a in current.values() if a.id not in known]
        changed = [
            a for a in current.values() if a.id in known and _version(a) != _version(known[a.id])
        ]
        for art in sorted(added, key=_created):
            out.events.append(WatchEvent("artifact_added", entry.key, at, run=run, artifact=art))
        for art in sorted(changed, key=_created):
            out.events.append(WatchEvent("artifact_changed", entry.key, at, run=run, artifact=art))
        return bool(added or changed)

    def _poll_workflow(self, entry: _Entry, out: _Round) -> None:
        listed = self._client.list_workflow_runs(workflow_id=entry.key)
        runs = list(itertools.islice(listed, self.policy.workflow_runs))
        first = entry.seen_runs is None
        seen = entry.seen_runs if entry.seen_runs is not None else set()
        changed = False
        at = self._now()
        for run in runs:
            if run.id in seen:
                continue
            seen.add(run.id)
            if not first:
                changed = True
                out.events.append(
                    WatchEvent("run_added", run.id, at, run=run, workflow_id=entry.key)
                )
            if not is_finished(run):
                self.add(run.id)
        entry.seen_runs = seen
        self._schedule(entry, changed)


def _version(art: Artifact) -> tuple[object, ...]:
    return (art.file_hash, art.file_size, art.updated_at)


def _created(art: Artifact) -> tuple[float, str]:
    return (art.created_at.timestamp() if art.created_at else 0.0, art.name)
