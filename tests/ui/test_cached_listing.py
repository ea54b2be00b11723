"""The listing start-up shows before connecting (read from the catalog's columns) is the tree
the library lists once open, row for row and cell for cell."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from artifact_viewer.core.catalog.listing import RunRow
from artifact_viewer.core.library import Library
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.store_models import CacheEntry, CacheState
from artifact_viewer.ui.controllers.browser import load_cached_tree, load_tree
from artifact_viewer.ui.models.filter_spec import parse_filter
from artifact_viewer.ui.models.navigator_model import (
    FILTER_ROLE,
    ID_ROLE,
    KIND_ROLE,
    SORT_ROLE,
    NavigatorModel,
    TreeData,
    filter_visibility,
)
from tests.ui.conftest import T0, make_artifact, make_run, make_workflow

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    SORT_ROLE,
    FILTER_ROLE,
    KIND_ROLE,
    ID_ROLE,
)


def _odd_runs() -> list[WorkflowRun]:
    """Runs as a server may send them: dates that are no dates, a step that is no string,
    no start at all, one started before 1970."""
    return [
        WorkflowRun.from_json(
            {
                "id": "run-bad-dates",
                "workflowId": "wf-1",
                "status": "FAILED",
                "currentStateName": "SUBMIT_FORM",
                "createdAt": "soon",
                "completedAt": 1e20,
            }
        ),
        WorkflowRun.from_json(
            {
                "id": "run-odd-step",
                "workflowId": "wf-1",
                "status": "IN_PROGRESS",
                "currentStateName": {"step": 3},
                "createdAt": "2026-11-02T10:00:00.5Z",
            }
        ),
        WorkflowRun.from_json(
            {
                "id": "run-number-step",
                "workflowId": "wf-2",
                "status": "PENDING",
                "currentStateName": 7,
                "createdAt": "2026-11-02T10:00:00+02:00",
            }
        ),
        WorkflowRun.from_json({"id": "run-no-start", "workflowId": "wf-2", "status": "UNHEARD"}),
        WorkflowRun.from_json(
            {"id": "run-old", "workflowId": "wf-2", "createdAt": "1969-07-20T20:17:00Z"}
        ),
        WorkflowRun.from_json({"id": "run-no-workflow", "status": "COMPLETED"}),
    ]


def _fill(library: Library) -> None:
    catalog = library.catalog
    catalog.upsert_workflows([make_workflow(1), make_workflow(2, "adp"), make_workflow(3)])
    runs = [
        make_run(
            i, f"wf-{1 + i % 3}", ("COMPLETED", "FAILED", "IN_PROGRESS")[i % 3], state="LOG_IN"
        )
        for i in range(30)
    ]
    # Two runs started in the same second, told apart by their ids only.
    runs.append(make_run(0, "wf-1").replace(id="run-0-twin"))
    catalog.upsert_runs([*runs, *_odd_runs()])
    catalog.pin("run-4")
    catalog.pin("run-bad-dates")
    cached = make_artifact(1, runs[7])
    catalog.upsert_artifacts([cached])
    catalog.put_cache_entry(CacheEntry(cached.id, CacheState.VERIFIED, sha256="ab" * 32, size=3))
    # A pinned run the API no longer lists stays offline, but leaves its workflow.
    catalog.pin("run-9")
    with sqlite3.connect(catalog.path) as conn:
        conn.execute("UPDATE workflow_runs SET deleted = 1 WHERE id = 'run-9'")
        conn.execute(
            "INSERT INTO imported (tbl, id, source, exported_at, imported_at)"
            " VALUES ('workflow_runs', 'run-5', 'payroll.avbundle', '2026-11-20', 1.0)"
        )
        # Records stored as another writer may have left them: a step that is no string.
        for run_id, step in (("run-raw-number", "7"), ("run-raw-bool", "true")):
            conn.execute(
                "INSERT INTO workflow_runs (id, workflow_id, status, created_at, json, seen_at)"
                " VALUES (?, 'wf-3', 'FAILED', ?, ?, 1.0)",
                (
                    run_id,
                    T0.timestamp(),
                    f'{{"id": "{run_id}", "workflowId": "wf-3", "status": "FAILED",'
                    f' "createdAt": "2026-11-01T09:00:00Z", "currentStateName": {step}}}',
                ),
            )
        # A damaged record a full read skips: the first listing skips it too.
        conn.execute(
            "INSERT INTO workflow_runs (id, workflow_id, status, created_at, json, seen_at)"
            " VALUES ('run-damaged', 'wf-1', 'COMPLETED', ?, '{not json', 1.0)",
            ((T0 + timedelta(days=3)).timestamp(),),
        )


def _cells(model: NavigatorModel, parent: QModelIndex = QModelIndex()) -> list[Any]:
    out: list[Any] = []
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            index = model.index(row, column, parent)
            out.append([index.data(role) for role in ROLES])
            out.append(None if index.data(Qt.ItemDataRole.DecorationRole) is None else "icon")
        out.append(_cells(model, model.index(row, 0, parent)))
    return out


def _shown(data: TreeData) -> NavigatorModel:
    model = NavigatorModel()
    model.set_tree(data)
    return model


def test_cached_listing_shows_the_tree_the_library_lists(qapp: Any, library: Library) -> None:
    _fill(library)
    cached = load_cached_tree(library.catalog.path, None, None)  # type: ignore[arg-type]
    connected = load_tree(library, None, None)  # type: ignore[arg-type]
    assert cached is not None
    assert all(isinstance(r, RunRow) for items in cached.runs.values() for r in items)

    assert [w.id for w in cached.workflows] == [w.id for w in connected.workflows]
    assert {k: [r.id for r in v] for k, v in cached.runs.items()} == {
        k: [r.id for r in v] for k, v in connected.runs.items()
    }
    assert [r.id for r in cached.offline_runs] == [r.id for r in connected.offline_runs]
    assert cached.pinned == connected.pinned == {"run-4", "run-bad-dates", "run-9"}
    assert cached.imported == connected.imported
    assert "run-damaged" not in {r.id for items in cached.runs.values() for r in items}

    fields = ("workflow_id", "status", "current_state_name", "created_at", "completed_at")
    by_id = {r.id: r for items in connected.runs.values() for r in items}
    for items in cached.runs.values():
        for run in items:
            full = by_id[run.id]
            assert [getattr(run, f) for f in fields] == [getattr(full, f) for f in fields]
            assert run.duration_seconds == full.duration_seconds
            for attr in ("created_at", "completed_at"):
                assert run.invalid_date(attr) == full.invalid_date(attr)

    assert _cells(_shown(cached)) == _cells(_shown(connected))
    for text in ("failed", "status:running log", "adp", "before:2026-11-02"):
        spec = parse_filter(text)
        assert filter_visibility(cached, spec, None) == filter_visibility(connected, spec, None)


def test_no_catalog_lists_nothing_before_connecting(tmp_path: Any) -> None:
    assert load_cached_tree(tmp_path / "catalog.sqlite3", None, None) is None  # type: ignore[arg-type]


def test_tree_read_early_is_listed_only_when_start_asks(qtbot: Any, make_ui_app: Any) -> None:
    from PySide6.QtCore import QThreadPool

    from artifact_viewer.core.catalog import Catalog

    app = make_ui_app()
    path = app.sessions.paths.catalog_path
    catalog = Catalog(path)
    catalog.upsert_workflows([make_workflow(1)])
    catalog.upsert_runs([make_run(i, "wf-1") for i in range(3)])
    catalog.close()
    browser = app.window.browser

    browser.read_cached(path)
    QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)  # the read's answer reaches the GUI thread: held, not shown
    assert browser.navigator.model.tree.workflows == []

    asked: list[bool] = []
    browser.list_cached(path, lambda: asked.append(True))
    qtbot.waitUntil(lambda: asked == [True])
    tree = browser.navigator.model.tree
    assert [w.id for w in tree.workflows] == ["wf-1"]
    assert [r.id for r in tree.runs["wf-1"]] == ["run-2", "run-1", "run-0"]
