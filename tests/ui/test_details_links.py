"""The details pane's Workflow and Run links work under any filter: the filter relaxes
when it hides the target, and the window says so."""

from __future__ import annotations

from typing import Any

import pytest

from artifact_viewer.ui.models.navigator_model import ID_ROLE, KIND_ROLE, RUN, WORKFLOW
from tests.ui.helpers import WAIT_MS, start_demo, visible_runs
from tests.ui.test_filter_window import _apply


@pytest.fixture
def demo_window(qtbot: Any, make_ui_app: Any) -> Any:
    app = make_ui_app()
    start_demo(qtbot, app)
    return app.window


def _select_first_row(qtbot: Any, window: Any) -> Any:
    qtbot.waitUntil(lambda: window.artifact_list.model.total > 0, timeout=WAIT_MS)
    first = window.artifact_list.model.artifact_at(0)
    assert window.artifact_list.select_id(first.id)
    qtbot.waitUntil(lambda: window.details.artifact is not None, timeout=WAIT_MS)
    assert window.details.artifact.id == first.id
    return first


def _current(window: Any) -> tuple[str, str]:
    index = window.navigator.view.currentIndex()
    return str(index.data(KIND_ROLE)), str(index.data(ID_ROLE))


def test_run_link_under_a_filter_that_keeps_the_run_selects_it(
    qtbot: Any, demo_window: Any
) -> None:
    window = demo_window
    _apply(qtbot, window, "type:screenshot status:failed")
    artifact = _select_first_row(qtbot, window)
    run_id = artifact.workflow_run_id
    qtbot.waitUntil(lambda: run_id in visible_runs(window), timeout=WAIT_MS)
    window.details._on_link(f"run:{run_id}")
    assert _current(window) == (RUN, run_id)
    assert window.filter_box.text() == "type:screenshot status:failed"  # nothing to relax
    qtbot.waitUntil(lambda: window.browser.scope == (RUN, run_id), timeout=WAIT_MS)


@pytest.mark.parametrize("kind", [RUN, WORKFLOW])
def test_link_to_a_run_or_workflow_the_filter_hides_relaxes_the_filter_and_says_so(
    qtbot: Any, demo_window: Any, kind: str
) -> None:
    window = demo_window
    artifact = _select_first_row(qtbot, window)
    target = artifact.workflow_run_id if kind == RUN else artifact.workflow_id
    # A filter naming another workflow hides this artifact's run and workflow.
    others = [w for w in window.library.workflows() if w.id != artifact.workflow_id]
    assert others
    term = f"workflow:{others[0].id[:8]}"
    _apply(qtbot, window, term)
    qtbot.waitUntil(lambda: artifact.workflow_run_id not in visible_runs(window), timeout=WAIT_MS)
    assert not window.navigator.select(kind, target, emit=False)  # hidden: a plain select fails
    window.details.linkActivated.emit(kind, target)  # what a click on the link sends
    assert _current(window) == (kind, target)
    assert window.filter_box.text() == ""
    message = window.statusBar().currentMessage()
    assert "filter" in message.lower() and term in message
    qtbot.waitUntil(lambda: window.browser.scope == (kind, target), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.artifact_list.model.total > 0, timeout=WAIT_MS)


def test_link_to_a_run_not_in_the_catalog_says_why(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    _apply(qtbot, window, "status:failed")
    before = _current(window)
    window.details.linkActivated.emit(RUN, "0000dead-0000-0000-0000-000000000000")
    assert _current(window) == before
    assert window.filter_box.text() == "status:failed"  # relaxing would not help
    assert "not in the local catalog" in window.statusBar().currentMessage()
