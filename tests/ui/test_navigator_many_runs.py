"""The navigator with a thousand runs in one open workflow: a filter shows exactly the runs
it keeps, keeps the workflow open and the current run (when it stays), and clearing it
brings every run back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex

from artifact_viewer.core.models import Workflow, WorkflowRun
from artifact_viewer.ui.models.filter_spec import parse_filter
from artifact_viewer.ui.models.navigator_model import ID_ROLE, KIND_ROLE, RUN, WORKFLOW, TreeData
from artifact_viewer.ui.panes.navigator import Navigator


def _visible_runs(nav: Navigator) -> list[str]:
    proxy, found = nav.proxy, []

    def walk(parent: QModelIndex) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            if index.data(KIND_ROLE) == RUN:
                found.append(index.data(ID_ROLE))
            walk(index)

    walk(QModelIndex())
    return found


def test_filtering_a_thousand_runs_keeps_exactly_the_matches(qtbot: Any) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    runs = [
        WorkflowRun(
            id=f"run-{i:05d}",
            workflow_id="wf",
            status="FAILED" if i % 7 == 0 else "COMPLETED",
            created_at=start + timedelta(minutes=10 * i),
        )
        for i in range(1000)
    ]
    nav = Navigator()
    qtbot.addWidget(nav)
    nav.resize(320, 700)
    nav.show()
    nav.set_tree(TreeData([Workflow(id="wf", name="Bulk export")], {"wf": runs}, [], set(), {}))
    nav.view.expandAll()
    assert nav.select(RUN, "run-00014")  # a failed one: it stays under status:failed
    failed = {r.id for r in runs if r.status == "FAILED"}
    nav.set_filter(parse_filter("status:failed"), failed)
    assert set(_visible_runs(nav)) == failed
    assert nav.current() == (RUN, "run-00014")
    workflow = nav.proxy.mapFromSource(nav.model.find(WORKFLOW, "wf"))
    assert nav.view.isExpanded(workflow)
    half = {r.id for r in runs[::2]}
    nav.set_filter(parse_filter("records"), half)
    assert set(_visible_runs(nav)) == half
    nav.set_filter(parse_filter(""), None)
    assert len(_visible_runs(nav)) == 1000
    assert nav.view.isExpanded(nav.proxy.mapFromSource(nav.model.find(WORKFLOW, "wf")))
