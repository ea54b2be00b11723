"""Live runs for the stand-in server: workflow runs that move through their states over time.

A live run starts PENDING, becomes IN_PROGRESS and walks its workflow's states (one state
per ``ServerConfig.live_step`` seconds), adding a screenshot per state and rewriting its log
as lines appear, then ends as planned: COMPLETED (with the workflow's data files),
COMPLETED_WITH_NO_ACTION_TAKEN, FAILED (at its middle state, with an error and a stack
trace in the log), AWAITING_USER_INPUT (after its first state), or DELETED (the run and its
artifacts disappear: the API answers 404 for it).

Nothing moves on its own thread: :meth:`LiveRuns.tick` runs at the start of every API
request and applies every step that has fallen due since the last one, stamped with the
time it was due. So a client sees exactly what it would have seen had the server changed
the run in the background, and the data set is only ever changed on the server's event
loop (the request handlers never see a half-made change).
"""

from __future__ import annotations

import functools
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from artifact_viewer.demo import content, images
from artifact_viewer.demo.artifact import DemoArtifact
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.dataset import Dataset, _maker
from artifact_viewer.demo.world import WORKFLOWS, WorkflowSpec

Outcome = Literal[
    "COMPLETED", "COMPLETED_WITH_NO_ACTION_TAKEN", "FAILED", "AWAITING_USER_INPUT", "DELETED"
]
OUTCOMES: tuple[str, ...] = (
    "COMPLETED",
    "COMPLETED_WITH_NO_ACTION_TAKEN",
    "FAILED",
    "AWAITING_USER_INPUT",
    "DELETED",
)
# What --live-runs N starts when no outcomes are given: one of each way a watch can end.
DEFAULT_OUTCOMES: tuple[Outcome, ...] = ("COMPLETED", "FAILED", "AWAITING_USER_INPUT")
PENDING_STATE = "waiting_for_worker"
AWAITING_STATE = "awaiting_mfa_code"
SHOT_SIZE = (960, 600)  # smaller than the seeded screenshots: made on the server's loop


@dataclass(frozen=True, slots=True)
class Step:
    """One change to a live run: its new status and state, and what it produces."""

    status: str
    state: str
    screenshot: bool = False  # a screenshot of ``state`` appears
    log: tuple[tuple[str, str], ...] = ()  # (level, message) lines appended to the log
    trace: bool = False  # a stack trace follows the lines
    outputs: bool = False  # the workflow's data files appear
    finished: bool = False
    deleted: bool = False


def plan(spec: WorkflowSpec, outcome: Outcome) -> list[Step]:
    """The steps of a live run of ``spec`` after its PENDING start, ending in ``outcome``."""
    states = list(spec.states)
    if outcome == "FAILED":
        states = states[: max(1, (len(states) + 1) // 2)]
    elif outcome == "AWAITING_USER_INPUT":
        states = states[:1]
    steps = []
    for n, state in enumerate(states):
        lines = [("INFO", f"entering state {state}")]
        if n == 0:
            lines.insert(0, ("INFO", "workflow run started"))
        lines.append(("DEBUG", f"{state}: selector resolved in {40 + 37 * n}ms"))
        if n == 1:
            lines.append(("WARNING", f"{state}: slow page load (4.2s), retrying once"))
        steps.append(Step("IN_PROGRESS", state, screenshot=True, log=tuple(lines)))
    last = states[-1]
    if outcome == "FAILED":
        lines = [("ERROR", f"step {last} failed")]
        steps.append(
            Step("FAILED", last, screenshot=True, log=tuple(lines), trace=True, finished=True)
        )
    elif outcome == "AWAITING_USER_INPUT":
        lines = [("WARNING", "multi-factor prompt shown; waiting for user input")]
        steps.append(Step("AWAITING_USER_INPUT", AWAITING_STATE, screenshot=True, log=tuple(lines)))
    elif outcome == "DELETED":
        steps.append(Step("IN_PROGRESS", last, deleted=True))
    else:
        lines = [("INFO", f"workflow run finished: {outcome}")]
        steps.append(
            Step(
                outcome,
                last,
                log=tuple(lines),
                outputs=outcome == "COMPLETED",
                finished=True,
            )
        )
    return steps


@dataclass
class _Live:
    """A live run in flight: its record in the data set, its plan and where it is in it."""

    run_id: str
    spec: WorkflowSpec
    workflow_id: str
    outcome: Outcome
    started: float
    user_id: str
    steps: list[Step]
    done: int = 0  # steps applied
    next_at: float = 0.0
    record: dict[str, Any] | None = None
    log_lines: list[str] = field(default_factory=list)
    log_id: str | None = None


class LiveRuns:
    """Live runs of one server's data set (which must not be shared with other servers)."""

    def __init__(self, dataset: Dataset, config: ServerConfig) -> None:
        self.dataset = dataset
        self.config = config
        self._lock = threading.Lock()
        self._rng = random.Random(f"live-{dataset.seed}")
        self._waiting: list[_Live] = []  # started, not yet in the data set
        self._active: list[_Live] = []
        self._storage: dict[str, DemoArtifact] | None = None
        self._by_key = {spec.key: spec for spec in WORKFLOWS}
        self._users = sorted({str(r["createdByUserId"]) for r in dataset.workflow_runs})

    def attach_storage(self, by_path: dict[str, DemoArtifact]) -> None:
        """The object store's path index, kept up to date as artifacts appear and vanish."""
        self._storage = by_path

    # -- starting ------------------------------------------------------------------------
    def start_run(self, outcome: Outcome = "COMPLETED", workflow: str = "gusto_login") -> str:
        """Start a live run of ``workflow`` (a key of ``world.WORKFLOWS``); returns its id.

        The run exists from the next request on; thread-safe (tests call it from their own
        thread while the server serves).
        """
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
        spec = self._by_key[workflow]
        workflow_id = next(w["id"] for w in self.dataset.workflows if w["name"] == spec.name)
        with self._lock:
            run_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
            user = self._rng.choice(self._users) if self._users else str(uuid.uuid4())
            now = self.config.now()
            live = _Live(run_id, spec, workflow_id, outcome, now, user, plan(spec, outcome))
            live.next_at = now + self.config.live_step
            self._waiting.append(live)
        return run_id

    def start_many(self, count: int, outcomes: tuple[str, ...] = DEFAULT_OUTCOMES) -> list[str]:
        """``count`` live runs, outcomes taken in turn, on workflows that take screenshots."""
        keys = [s.key for s in WORKFLOWS if any(o.maker == "screenshot" for o in s.outputs)]
        chosen = outcomes or DEFAULT_OUTCOMES
        return [
            self.start_run(chosen[i % len(chosen)], keys[i % len(keys)])  # type: ignore[arg-type]
            for i in range(count)
        ]

    @property
    def run_ids(self) -> list[str]:
        with self._lock:
            return [live.run_id for live in self._waiting + self._active]

    def plan_of(self, run_id: str) -> tuple[str, str]:
        """(planned outcome, workflow id) of a live run."""
        with self._lock:
            for live in self._waiting + self._active:
                if live.run_id == run_id:
                    return live.outcome, live.workflow_id
        raise KeyError(run_id)

    # -- advancing -----------------------------------------------------------------------
    def tick(self) -> None:
        """Apply every step due by now (call on the server's loop before serving a request)."""
        with self._lock:
            now = self.config.now()
            for live in self._waiting:
                self._create(live)
                self._active.append(live)
            self._waiting.clear()
            still: list[_Live] = []
            for live in self._active:
                while live.done < len(live.steps) and live.next_at <= now:
                    self._apply(live, live.steps[live.done], live.next_at)
                    live.done += 1
                    live.next_at += max(0.0, self.config.live_step)
                if live.done < len(live.steps):
                    still.append(live)
            self._active = still

    def _create(self, live: _Live) -> None:
        ds = self.dataset
        stamp = _iso(live.started)
        record: dict[str, Any] = {
            "id": live.run_id,
            "workflowId": live.workflow_id,
            "status": "PENDING",
            "currentStateName": PENDING_STATE,
            "jobRunId": None,
            "organizationId": ds.organization_id,
            "createdByUserId": live.user_id,
            "createdAt": stamp,
            "updatedAt": stamp,
            "completedAt": None,
            "_ts": live.started,
        }
        live.record = record
        ds.workflow_runs.insert(0, record)
        ds.by_id[live.run_id], ds.kind_of[live.run_id] = record, "workflow run"

    def _apply(self, live: _Live, step: Step, at: float) -> None:
        record = live.record
        assert record is not None
        if step.deleted:
            self._delete(live)
            return
        record["status"], record["currentStateName"] = step.status, step.state
        record["updatedAt"] = _iso(at)
        if step.finished:
            record["completedAt"] = record["updatedAt"]
        if step.screenshot:
            seed = self._rng.getrandbits(32)
            make = functools.partial(
                images.screenshot_png, seed, live.spec.provider, live.spec.name, SHOT_SIZE
            )
            self._add(live, "screenshot", f"{step.state}.png", "image/png", at + 0.2, make)
        if step.log:
            stamp_at = at
            for level, message in step.log:
                stamp_at += 0.05
                live.log_lines.append(f"{_log_stamp(stamp_at)} {level:<7} {message}")
            if step.trace:
                live.log_lines.append(content._TRACE.format(state=step.state).rstrip("\n"))
            self._write_log(live, at + 0.3)
        if step.outputs:
            data = [o for o in live.spec.outputs if o.maker not in ("screenshot", "log")]
            for k, out in enumerate(data):
                seed = self._rng.getrandbits(32)
                made = _maker(out, seed, live.spec, step.state, [], step.status, live.started)
                self._add(live, out.type, out.filename, out.mime, at + 0.4 + k * 0.1, made)

    def _add(
        self, live: _Live, kind: str, name: str, mime: str, at: float, make: Any, aid: str = ""
    ) -> DemoArtifact:
        ds = self.dataset
        aid = aid or str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        art = DemoArtifact(
            id=aid,
            workflow_id=live.workflow_id,
            workflow_run_id=live.run_id,
            organization_id=ds.organization_id,
            type=kind,
            display_name=name,
            mime_type=mime,
            storage_path=f"{ds.organization_id}/{live.run_id}/{aid}/{name}",
            created_at=_iso(at),
            updated_at=_iso(at),
            sort_key=at,
            make=make,
        )
        ds.artifacts.insert(0, art)
        ds.artifacts_by_run.setdefault(live.run_id, []).insert(0, art)
        ds.artifacts_by_workflow.setdefault(live.workflow_id, []).insert(0, art)
        ds.by_id[aid], ds.kind_of[aid] = art, "artifact"
        if self._storage is not None:
            self._storage[art.storage_path] = art
        return art

    def _write_log(self, live: _Live, at: float) -> None:
        """The run's log as it stands: made on the first line, replaced as lines appear
        (same id and path; new size, hash and ``updatedAt``)."""
        data = ("\n".join(live.log_lines) + "\n").encode()
        if live.log_id is None:
            art = self._add(live, "log_file", "run.log", "text/plain", at, lambda: data)
            live.log_id = art.id
            return
        ds = self.dataset
        old = ds.artifact(live.log_id)
        new = DemoArtifact(
            id=old.id,
            workflow_id=old.workflow_id,
            workflow_run_id=old.workflow_run_id,
            organization_id=old.organization_id,
            type=old.type,
            display_name=old.display_name,
            mime_type=old.mime_type,
            storage_path=old.storage_path,
            created_at=old.created_at,
            updated_at=_iso(at),
            sort_key=old.sort_key,
            make=lambda: data,
        )
        for group in (
            ds.artifacts,
            ds.artifacts_by_run[live.run_id],
            ds.artifacts_by_workflow[live.workflow_id],
        ):
            group[group.index(old)] = new
        ds.by_id[old.id] = new
        if self._storage is not None:
            self._storage[new.storage_path] = new

    def _delete(self, live: _Live) -> None:
        ds = self.dataset
        if live.record is not None:
            ds.workflow_runs.remove(live.record)
        ds.by_id.pop(live.run_id, None)
        ds.kind_of.pop(live.run_id, None)
        gone = ds.artifacts_by_run.pop(live.run_id, [])
        ids = {a.id for a in gone}
        ds.artifacts[:] = [a for a in ds.artifacts if a.id not in ids]
        by_workflow = ds.artifacts_by_workflow.get(live.workflow_id, [])
        by_workflow[:] = [a for a in by_workflow if a.id not in ids]
        for art in gone:
            ds.by_id.pop(art.id, None)
            ds.kind_of.pop(art.id, None)
            if self._storage is not None:
                self._storage.pop(art.storage_path, None)


def _iso(epoch: float) -> str:
    """API time with its real milliseconds: live runs' times must agree with their logs'
    (the seeded data set derives its milliseconds from the second instead)."""
    return _log_stamp(epoch)


def _log_stamp(epoch: float) -> str:
    when = datetime.fromtimestamp(epoch, tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
