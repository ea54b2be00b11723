"""Multi-select in the artifact list, Save selected… and Save run… into a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.features.save_many import SaveManyFeature
from tests.ui.helpers import WAIT_MS, show_run, start_demo


def _feature(window: Any) -> SaveManyFeature:
    found = [f for f in window.findChildren(SaveManyFeature)]
    assert found, "Save selected is not installed"
    return found[0]


def test_several_rows_can_be_selected_and_saved_with_unique_run_prefixed_names(
    qtbot: Any, make_ui_app: Any, tmp_path: Path
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    logs = window.library.artifacts(ArtifactQuery(terms=("run.log",), limit=3))
    assert len({a.workflow_run_id for a in logs}) == 3
    window.filter_box.setText("run.log")
    window.apply_filter()
    model = window.artifact_list.model
    qtbot.waitUntil(lambda: not model.loading and model.total >= 3, timeout=WAIT_MS)
    view = window.artifact_list.view
    selection = view.selectionModel()
    for row in range(3):
        selection.select(
            model.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )
    ids = window.slots.selected_artifact_ids()
    assert len(ids) == 3
    feature = _feature(window)
    assert feature.save_selected.isEnabled()
    assert feature.save_selected in view.actions()  # on the list's context menu
    out = tmp_path / "saved"
    out.mkdir()
    feature.save_to(out, artifact_ids=ids)
    qtbot.waitUntil(lambda: feature.last_report is not None, timeout=WAIT_MS * 3)
    report = feature.last_report
    assert report is not None and not report.failed, report
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 3 and len(set(names)) == 3
    assert all(n.endswith("run.log") for n in names)
    assert "verified" in feature.pane.label.text()


def test_save_run_saves_every_artifact_of_the_run(
    qtbot: Any, make_ui_app: Any, tmp_path: Path
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    run = next(r for r in window.library.runs() if r.status == "COMPLETED")
    show_run(qtbot, app, run.id)
    feature = _feature(window)
    assert feature.save_run.isEnabled()
    assert feature.save_run in window.navigator.view.actions()  # on the runs' context menu
    out = tmp_path / "run"
    out.mkdir()
    feature.save_to(out, run_ids=[run.id])
    qtbot.waitUntil(lambda: feature.last_report is not None, timeout=WAIT_MS * 3)
    expected = window.library.count_artifacts(ArtifactQuery(run_id=run.id))
    assert len(list(out.iterdir())) == expected == len(feature.last_report.saved)
