"""What the run page shows, gathered off the GUI thread: the run, its artifacts grouped by
type with their cache states, and its timeline (log indexed, screenshots timed)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, IntegrityError, NotFound
from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun
from artifact_viewer.core.store_models import ArtifactQuery, CacheState
from artifact_viewer.core.timeline import (
    Screenshot,
    Timeline,
    find_step_line,
    index_log,
    screenshot_from_file,
)
from artifact_viewer.core.watch import is_finished

log = logging.getLogger("artifact_viewer.runs")

ProgressFn = Callable[[int, int], None]
LOG_TYPES = ("log_file", "log", "logs")


def is_screenshot(art: Artifact) -> bool:
    return art.type == "screenshot" or (art.mime_type or "").startswith("image/")


def is_log(art: Artifact) -> bool:
    name = (art.display_name or "").lower()
    return art.type in LOG_TYPES or name.endswith((".log", ".log.txt"))


@dataclass
class RunSummary:
    """The run page's header and artifact list."""

    run: WorkflowRun
    workflow: Workflow | None
    artifacts: list[Artifact]
    states: dict[str, CacheState]
    pinned: bool

    def groups(self) -> list[tuple[str, list[Artifact]]]:
        """Artifacts by type (types in order of first appearance, oldest first inside)."""
        groups: dict[str, list[Artifact]] = {}
        for art in sorted(self.artifacts, key=lambda a: (a.created_at is None, a.created_at)):
            groups.setdefault(art.type or "other", []).append(art)
        return list(groups.items())

    def first_log(self) -> Artifact | None:
        return next((a for a in self.artifacts if is_log(a)), None)


def load_run_summary(library: Any, run_id: str, refresh: bool = False) -> RunSummary:
    """The run from the catalog (from the API when it is not there yet, or with ``refresh``)."""
    run: WorkflowRun | None = None if refresh else library.run(run_id)
    if run is None:
        run = library.refresh_run(run_id)
    if refresh:
        try:
            library.refresh_artifacts(run_id=run_id)
        except NotFound:
            raise
        except ArtifactViewerError as exc:
            log.info("Artifacts of run %s not refreshed: %s", run_id, exc)
    workflow = library.workflow(run.workflow_id) if run.workflow_id else None
    artifacts = list(library.artifacts(ArtifactQuery(run_id=run_id, order_by="created_at")))
    states = library.cache_states([a.id for a in artifacts])
    return RunSummary(run, workflow, artifacts, states, bool(library.is_pinned(run_id)))


@dataclass
class TimelineData:
    """A built timeline plus the local files the page needs to draw it."""

    timeline: Timeline
    log_path: Path | None = None
    log_name: str = ""
    # Start offset of every line of the log (for a virtual view of any size).
    line_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    problems: list[str] = field(default_factory=list)


def line_starts_of(path: Path, cancel: CancelToken | None = None) -> np.ndarray:
    """Byte offset where each line of the file begins (numpy; about a second per GB)."""
    size = path.stat().st_size
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    parts = [np.zeros(1, dtype=np.int64)]
    step = 64 << 20
    with path.open("rb") as fh:
        offset = 0
        while chunk := fh.read(step):
            if cancel is not None:
                cancel.raise_if_cancelled()
            ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10).astype(np.int64)
            parts.append(ends + offset + 1)
            offset += len(chunk)
    starts = np.concatenate(parts)
    return starts[starts < size]


def _fetch_log(
    library: Any,
    run: WorkflowRun,
    log_id: str,
    progress: ProgressFn | None,
    cancel: CancelToken | None,
) -> Path:
    """The log's file. A run still going rewrites its log as lines appear, so the catalog's
    hash may be a poll behind the server's: its artifacts are listed again, and the log
    fetched once more (a finished run's changed log stays an error)."""
    try:
        path: Path = library.fetch(log_id, progress, cancel)
        return path
    except IntegrityError:
        if is_finished(run) or getattr(library, "client", None) is None:
            raise
        log.info("The log of running run %s changed meanwhile; listing its artifacts again", run.id)
        library.refresh_artifacts(run_id=run.id)
        path = library.fetch(log_id, progress, cancel)
        return path


def load_timeline(
    library: Any,
    summary: RunSummary,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> TimelineData:
    """Fetch the run's log (cached, or downloaded with progress), index it, and time every
    screenshot (EXIF only from files already cached: screenshots are fetched when shown)."""
    run = summary.run
    problems: list[str] = []
    log_art = summary.first_log()
    log_path: Path | None = None
    if log_art is not None:
        try:
            log_path = _fetch_log(library, run, log_art.id, progress, cancel)
        except ArtifactViewerError as exc:
            problems.append(f"The log is not shown: {exc.user_message()}")
    index = None
    starts = np.zeros(0, dtype=np.int64)
    step_line = None
    if log_path is not None:
        index = index_log(log_path, reference=run.created_at, cancel=cancel)
        starts = line_starts_of(log_path, cancel)
        if run.current_state_name:
            step_line = find_step_line(log_path, run.current_state_name)
    shots: list[Screenshot] = []
    for art in summary.artifacts:
        if not is_screenshot(art):
            continue
        cached = library.cached_path(art.id)
        shot = screenshot_from_file(art.id, art.name, art.created_at, cached)
        if shot is not None:
            shots.append(shot)
    timeline = Timeline(
        run,
        shots,
        index,
        log_artifact_id=log_art.id if log_art is not None else None,
        step_line=step_line,
    )
    name = log_art.name if log_art is not None else ""
    return TimelineData(timeline, log_path, name, starts, problems)
