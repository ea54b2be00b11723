"""Fixtures for window tests: a fake library for model tests, a full app against the stand-in server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun
from artifact_viewer.core.store_models import ArtifactQuery, CacheState

# The offscreen platform says what it cannot do (size hints, raising a window, a popup's
# keyboard grab); that is not our bug.
_BENIGN_QT_MESSAGES = (
    "propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(*_BENIGN_QT_MESSAGES))


@pytest.fixture(autouse=True)
def _no_background_work_left() -> Iterator[None]:
    """After each window test (and its windows' teardown): no pool work and no new threads."""
    from PySide6.QtCore import QThreadPool

    before = {t.ident for t in threading.enumerate()}
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(10_000), "preview work still running after the test"
    # Python threads the test started (servers, helpers) must be gone; pool threads that
    # merely ran Python code show up as dummy threads and are Qt's to keep.
    left = [
        t
        for t in threading.enumerate()
        if t.ident not in before and t.is_alive() and not t.name.startswith("Dummy-")
    ]
    for thread in left:
        thread.join(timeout=5)
    assert [t.name for t in left if t.is_alive()] == []


T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def make_workflow(i: int, provider: str = "gusto") -> Workflow:
    return Workflow(
        id=f"wf-{i}", name=f"Export payroll {i}", source_provider=provider, type="USER_DEFINED"
    )


def make_run(i: int, workflow_id: str, status: str = "COMPLETED", **kw: Any) -> WorkflowRun:
    start = T0 + timedelta(hours=i)
    done = start + timedelta(minutes=3) if status != "IN_PROGRESS" else None
    return WorkflowRun(
        id=f"run-{i}",
        workflow_id=workflow_id,
        status=status,
        created_at=start,
        completed_at=done,
        current_state_name=kw.get("state"),
    )


def make_artifact(
    i: int, run: WorkflowRun, mime: str = "text/csv", kind: str = "extracted_data"
) -> Artifact:
    ext = {"text/csv": "csv", "image/png": "png", "application/json": "json"}.get(mime, "bin")
    return Artifact(
        id=f"art-{i:06d}",
        workflow_id=run.workflow_id,
        workflow_run_id=run.id,
        type=kind,
        display_name=f"file_{i:06d}.{ext}",
        mime_type=mime,
        file_size=1000 + i,
        file_hash="0" * 64,
        created_at=T0 + timedelta(seconds=i),
    )


class FakeLibrary:
    """The library surface the window reads, over in-memory lists (no I/O, no threads)."""

    def __init__(
        self, workflows: list[Workflow], runs: list[WorkflowRun], artifacts: list[Artifact]
    ):
        self._workflows = workflows
        self._runs = runs
        self._artifacts = artifacts
        self.states: dict[str, CacheState] = {}
        self.online = True
        self.pinned: set[str] = set()
        self.queries: list[ArtifactQuery] = []
        self.reachable = True

    def workflows(self) -> list[Workflow]:
        return list(self._workflows)

    def runs(self, workflow_id: str | None = None, status: str | None = None) -> list[WorkflowRun]:
        return [r for r in self._runs if workflow_id in (None, r.workflow_id)]

    def offline_runs(self) -> list[WorkflowRun]:
        return [r for r in self._runs if r.id in self.pinned]

    def is_pinned(self, run_id: str) -> bool:
        return run_id in self.pinned

    def _match(self, query: ArtifactQuery) -> list[Artifact]:
        out = [
            a
            for a in self._artifacts
            if (query.run_id in (None, a.workflow_run_id))
            and (query.workflow_id in (None, a.workflow_id))
            and (not query.text or query.text.lower() in a.name.lower())
            and (query.mime is None or query.mime in (a.mime_type or ""))
        ]
        key = {"name": lambda a: a.name, "file_size": lambda a: a.file_size or 0}.get(
            query.order_by, lambda a: a.created_at
        )
        return sorted(out, key=key, reverse=query.descending)

    def artifacts(self, query: ArtifactQuery) -> list[Artifact]:
        self.queries.append(query)
        rows = self._match(query)[query.offset :]
        return rows[: query.limit] if query.limit is not None else rows

    def count_artifacts(self, query: ArtifactQuery) -> int:
        return len(self._match(replace(query, limit=None, offset=0)))

    def cache_states(self, ids: list[str]) -> dict[str, CacheState]:
        return {i: self.states.get(i, CacheState.NOT_CACHED) for i in ids}

    def cache_state(self, artifact_id: str) -> CacheState:
        return self.states.get(artifact_id, CacheState.NOT_CACHED)

    def check_online(self) -> bool:
        self.online = self.reachable
        return self.online


@pytest.fixture
def small_world() -> tuple[list[Workflow], list[WorkflowRun], list[Artifact]]:
    workflows = [make_workflow(1), make_workflow(2, "rippling")]
    runs = [
        make_run(1, "wf-1"),
        make_run(2, "wf-1", "FAILED"),
        make_run(3, "wf-2", "IN_PROGRESS", state="extracting_employee_records"),
    ]
    artifacts = [
        make_artifact(i, runs[i % 3], "image/png" if i % 4 == 0 else "text/csv") for i in range(30)
    ]
    return workflows, runs, artifacts


@pytest.fixture
def fake_library(small_world: Any) -> FakeLibrary:
    return FakeLibrary(*small_world)


@pytest.fixture
def make_ui_app(qtbot: Any, demo_server: Any, app_home: Any) -> Iterator[Callable[..., Any]]:
    """Build the real window over the stand-in server; every app built is closed at teardown."""
    from artifact_viewer.app import build_app
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.settings import load_settings

    built: list[Any] = []

    def make(
        *, server: Any = demo_server, extensions: list[Any] | None = None, staged: bool = False
    ) -> Any:
        paths = app_paths().ensure()
        app = build_app(
            paths, load_settings(paths), demo_server=server, extensions=extensions, staged=staged
        )
        qtbot.addWidget(app.window)
        built.append(app)
        return app

    yield make
    for app in built:
        app.window.close()
        app.close()
