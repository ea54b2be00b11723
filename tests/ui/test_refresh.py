"""Refresh (F5): incremental in "All artifacts", so a large organisation is not listed whole."""

from __future__ import annotations

from typing import Any

from tests.ui.helpers import WAIT_MS, start_demo

_FINISHED = {"COMPLETED", "FAILED", "COMPLETED_WITH_NO_ACTION_TAKEN"}
_ACTIVE = {"IN_PROGRESS", "AWAITING_USER_INPUT"}


def _spy_refreshes(library: Any) -> list[str | None]:
    calls: list[str | None] = []
    real = library.refresh_artifacts

    def spy(*, run_id: str | None = None, workflow_id: str | None = None) -> int:
        calls.append(run_id or workflow_id)
        return real(run_id=run_id, workflow_id=workflow_id)

    library.refresh_artifacts = spy
    return calls


def _refresh_and_settle(qtbot: Any, window: Any) -> None:
    with qtbot.waitSignal(window.browser.refreshed, timeout=WAIT_MS):
        window.acts.refresh.trigger()
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=WAIT_MS)


def test_f5_in_all_artifacts_lists_only_active_runs_again(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)  # an empty catalog gets one organisation-wide listing
    window = app.window
    assert window.browser.scope == ("all", "all")
    calls = _spy_refreshes(window.library)
    _refresh_and_settle(qtbot, window)
    runs = window.library.runs()
    active = {r.id for r in runs if r.status in _ACTIVE}
    assert active, "the demo data should have runs still going"
    assert any(r.status == "PENDING" for r in runs)  # listed once; quiet until they start
    assert None not in calls  # never the whole organisation again
    assert set(calls) == active
    assert window.artifact_list.model.total == window.library.count_artifacts(
        window.browser.current_query()
    )


def test_f5_lists_a_run_never_listed_before(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    library = window.library
    finished = next(r for r in library.runs() if r.status in _FINISHED)
    # Forget that the organisation-wide listing covered it, as after a catalog rebuild.
    library.artifacts_synced_at = lambda *, run_id=None: None if run_id == finished.id else 1.0
    calls = _spy_refreshes(library)
    _refresh_and_settle(qtbot, window)
    assert finished.id in calls
