"""Filtering works off the GUI thread: the navigator's answer comes from a worker and is
dropped when the filter changed since; the selection survives a filter that keeps it; a
remembered scope found once the tree loads does not list again over a filter; Home and End
still reach the ends of a filtered list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.ui.controllers.browser import runs_matching
from artifact_viewer.ui.models.filter_spec import parse_filter
from artifact_viewer.ui.models.navigator_model import (
    ALL,
    RUN,
    TreeData,
    filter_visibility,
)
from tests.ui.helpers import WAIT_MS, catalog_artifact, focus, press, start_demo, visible_runs


def _apply(qtbot: Any, window: Any, text: str) -> None:
    window.filter_box.setText(text)
    window.apply_filter()
    qtbot.waitUntil(lambda: not window.artifact_list.model.loading, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=WAIT_MS)


def _answer(window: Any, text: str, tree: TreeData | None = None) -> Any:
    """What the worker answers for ``text`` (run here, on the test's thread)."""
    spec = parse_filter(text)
    browser = window.browser
    query = replace(browser.filter_query(spec), limit=None)
    tree = window.navigator.model.tree if tree is None else tree
    return runs_matching(window.library, spec, query, tree, lambda *_: None, CancelToken())


@pytest.fixture
def demo(qtbot: Any, make_ui_app: Any) -> Any:
    app = make_ui_app()
    start_demo(qtbot, app)
    return app


def test_a_navigator_answer_for_a_filter_typed_over_is_dropped(qtbot: Any, demo: Any) -> None:
    window = demo.window
    _apply(qtbot, window, "status:failed")
    failed = visible_runs(window)
    assert failed
    stale = _answer(window, "type:screenshot")
    assert stale.visible is not None and stale.run_ids != failed
    window.browser._on_filter_runs(stale)  # arrives after the filter changed
    assert visible_runs(window) == failed
    fresh = _answer(window, "status:failed")
    window.browser._on_filter_runs(fresh)
    assert visible_runs(window) == failed


def test_an_answer_worked_out_for_an_older_tree_is_judged_again_on_the_new_one(
    qtbot: Any, demo: Any
) -> None:
    window = demo.window
    _apply(qtbot, window, "status:failed")
    tree = window.navigator.model.tree
    older = TreeData(tree.workflows, {}, [], set(), {})  # a snapshot without runs
    answer = _answer(window, "status:failed", older)
    assert answer.visible is not None and not answer.visible.runs
    window.browser._on_filter_runs(answer)
    expected = filter_visibility(tree, parse_filter("status:failed"), answer.run_ids)
    assert expected is not None
    assert visible_runs(window) == {run for _section, run in expected.runs}
    assert visible_runs(window)


def test_the_current_artifact_stays_selected_through_a_filter_that_keeps_it(
    qtbot: Any, demo: Any
) -> None:
    window = demo.window
    csv = catalog_artifact(demo, "text/csv")
    qtbot.waitUntil(lambda: window.artifact_list.model.row_of(csv.id) is not None, timeout=WAIT_MS)
    assert window.artifact_list.select_id(csv.id)
    for text in (csv.display_name or csv.id, "mime:csv", ""):
        _apply(qtbot, window, text)
        current = window.artifact_list.current_artifact()
        assert current is not None and current.id == csv.id, text


def test_a_remembered_scope_found_in_the_tree_does_not_list_over_a_filter(
    qtbot: Any, demo: Any
) -> None:
    window = demo.window
    assert window.browser.scope == (ALL, ALL)
    _apply(qtbot, window, "mime:csv")
    listed = window.artifact_list.model.total
    generation = window.artifact_list.model.generation
    window._pending_scope = (ALL, ALL)  # as restored from the last session
    window.navigator.view.selectionModel().clearCurrentIndex()
    window.browser.reload_tree()
    qtbot.waitUntil(lambda: window._pending_scope is None, timeout=WAIT_MS)
    assert window.navigator.current() == (ALL, ALL)
    assert window.artifact_list.model.generation == generation  # nothing listed again
    assert window.artifact_list.model.total == listed


def test_home_and_end_reach_the_ends_of_a_filtered_list(qtbot: Any, demo: Any) -> None:
    window = demo.window
    window.activateWindow()
    _apply(qtbot, window, "mime:csv")
    view = window.artifact_list.view
    model = window.artifact_list.model
    assert model.rowCount() >= 2
    focus(qtbot, view)
    press(qtbot, "End")
    assert view.currentIndex().row() == model.rowCount() - 1
    last = window.artifact_list.current_artifact()
    assert last is not None and last.mime_type == "text/csv"
    press(qtbot, "Home")
    assert view.currentIndex().row() == 0


def test_clearing_a_filter_closes_the_workflows_it_opened_and_keeps_the_users(
    qtbot: Any,
) -> None:
    from datetime import UTC, datetime

    from artifact_viewer.core.models import Workflow, WorkflowRun
    from artifact_viewer.ui.models.navigator_model import WORKFLOW
    from artifact_viewer.ui.panes.navigator import Navigator

    when = datetime(2026, 1, 1, tzinfo=UTC)
    flows = [Workflow(id=f"wf-{i}", name=f"Flow {i}") for i in range(3)]
    runs = {
        wf.id: [WorkflowRun(id=f"{wf.id}-run", workflow_id=wf.id, status="FAILED", created_at=when)]
        for wf in flows
    }
    nav = Navigator()
    qtbot.addWidget(nav)
    nav.show()
    nav.set_tree(TreeData(flows, runs, [], set(), {}))

    def expanded(wf_id: str) -> bool:
        return nav.view.isExpanded(nav.proxy.mapFromSource(nav.model.find(WORKFLOW, wf_id)))

    nav.view.expand(nav.proxy.mapFromSource(nav.model.find(WORKFLOW, "wf-0")))
    nav.set_filter(parse_filter("status:failed"))
    assert all(expanded(wf.id) for wf in flows)
    assert nav.select(RUN, "wf-2-run")
    nav.set_filter(parse_filter(""))
    assert expanded("wf-0")  # the user's
    assert not expanded("wf-1")  # opened by the filter only
    assert expanded("wf-2")  # holds the current run
    assert nav.current() == (RUN, "wf-2-run")


def test_visibility_is_worked_out_per_section_from_the_snapshot_alone() -> None:
    from datetime import UTC, datetime

    from artifact_viewer.core.models import Workflow, WorkflowRun
    from artifact_viewer.ui.models.navigator_model import OFFLINE

    when = datetime(2026, 3, 1, tzinfo=UTC)
    wf = Workflow(id="wf-pay", name="Payroll export", source_provider="gusto")
    other = Workflow(id="wf-w2", name="W-2 forms")
    pay = WorkflowRun(id="run-pay", workflow_id="wf-pay", status="COMPLETED", created_at=when)
    w2 = WorkflowRun(id="run-w2", workflow_id="wf-w2", status="FAILED", created_at=when)
    tree = TreeData([wf, other], {"wf-pay": [pay], "wf-w2": [w2]}, [pay, w2], set(), {})
    assert filter_visibility(tree, parse_filter(""), None) is None
    by_name = filter_visibility(tree, parse_filter("payroll"), set())
    assert by_name is not None
    assert by_name.runs == {("wf-pay", "run-pay"), (OFFLINE, "run-pay")}
    assert by_name.workflows == {"wf-pay"}
    by_status = filter_visibility(tree, parse_filter("status:failed"), set())
    assert by_status is not None and by_status.runs == {("wf-w2", "run-w2"), (OFFLINE, "run-w2")}
    # artifact terms keep only the runs the catalog names
    typed = filter_visibility(tree, parse_filter("type:screenshot"), {"run-w2"})
    assert typed is not None and typed.runs == {("wf-w2", "run-w2"), (OFFLINE, "run-w2")}
    nothing = filter_visibility(tree, parse_filter("type:screenshot"), set())
    assert nothing is not None and not nothing.runs and not nothing.workflows
    # a provider word names the workflow, not the offline section's line
    provider = filter_visibility(tree, parse_filter("gusto"), set())
    assert provider is not None and provider.runs == {("wf-pay", "run-pay")}


def test_a_first_page_that_is_not_full_is_its_own_count(qtbot: Any, demo: Any) -> None:
    from artifact_viewer.core.store_models import ArtifactQuery
    from artifact_viewer.ui.controllers.browser import load_page

    library = demo.window.library
    counted: list[ArtifactQuery] = []
    count = library.count_artifacts

    class Counting:
        def __getattr__(self, name: str) -> Any:
            return getattr(library, name)

        def count_artifacts(self, query: ArtifactQuery) -> int:
            counted.append(query)
            return count(query)

    everything = count(ArtifactQuery())
    assert everything > 3
    nop, token = (lambda *_: None), CancelToken()
    short = load_page(Counting(), ArtifactQuery(limit=everything + 1), 1, True, nop, token)
    assert short.total == len(short.rows) == everything and not counted
    full = load_page(Counting(), ArtifactQuery(limit=3), 2, True, nop, token)
    assert len(full.rows) == 3 and full.total == everything and len(counted) == 1
    later = load_page(Counting(), ArtifactQuery(limit=3, offset=3), 2, False, nop, token)
    assert later.total == -1 and len(counted) == 1
