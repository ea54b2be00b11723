"""Lists that span runs say where each artifact comes from; grouping by run."""

from __future__ import annotations

from typing import Any

from artifact_viewer.ui.models.artifact_table_model import COLUMNS, CONTEXT_COLUMNS
from artifact_viewer.ui.models.navigator_model import RUN
from tests.ui.helpers import WAIT_MS, show_run, start_demo


def _col(name: str) -> int:
    return COLUMNS.index(name)


def test_all_artifacts_shows_workflow_run_and_run_status_for_every_row(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    view, model = window.artifact_list.view, window.artifact_list.model
    for col in CONTEXT_COLUMNS:
        assert not view.isColumnHidden(col)
    runs = {r.id: r for r in window.library.runs()}
    names = {w.id: w.name for w in window.library.workflows()}
    qtbot.waitUntil(lambda: bool(model.index(0, _col("Workflow")).data()), timeout=WAIT_MS)
    for row in range(min(model.rowCount(), 30)):
        artifact = model.artifact_at(row)
        assert artifact is not None
        run = runs[artifact.workflow_run_id]
        assert model.index(row, _col("Workflow")).data() == names[artifact.workflow_id]
        assert artifact.workflow_run_id[:8] in model.index(row, _col("Run")).data()
        status = model.index(row, _col("Run status")).data()
        assert status.lower().startswith(run.status.lower().replace("_", " ")[:6])
    # Inside one run the columns would repeat one value: hidden.
    run_id = model.artifact_at(0).workflow_run_id
    show_run(qtbot, app, run_id)
    assert window.browser.scope == (RUN, run_id)
    for col in CONTEXT_COLUMNS:
        assert view.isColumnHidden(col)


def test_filtered_all_artifacts_rows_say_which_run_they_belong_to(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.filter_box.setText("run.log")
    window.apply_filter()
    model = window.artifact_list.model
    qtbot.waitUntil(lambda: not model.loading and model.total > 1, timeout=WAIT_MS)
    labels = {model.index(r, _col("Run")).data() for r in range(model.rowCount())}
    assert len(labels) == model.rowCount()  # no two identical rows any more


def test_group_by_run_keeps_each_runs_artifacts_together_and_bands_them(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    model = window.artifact_list.model
    window.acts.group_by_run.trigger()
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 10, timeout=WAIT_MS)
    order = [model.artifact_at(r).workflow_run_id for r in range(model.rowCount())]
    seen: list[str] = []
    for run_id in order:
        if not seen or seen[-1] != run_id:
            assert run_id not in seen, "a run's artifacts are split"
            seen.append(run_id)
    runs = {r.id: r for r in window.library.runs()}
    starts = [runs[r].created_at for r in seen if runs[r].created_at]
    assert starts == sorted(starts, reverse=True)  # newest run first
    from PySide6.QtCore import Qt

    first_other = order.index(seen[1])
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(first_other, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    window.acts.group_by_run.trigger()
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT_MS)
    assert window.browser.order_by == "created_at"
