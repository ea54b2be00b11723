"""The downloads panel: bytes done and total, speed and time left per download; Cancel and
Retry from the panel; the model passes Qt's model checks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.models.downloads_model import (
    CANCELLED,
    DONE,
    FAILED,
    RUNNING,
    DownloadsModel,
)
from tests.ui.helpers import WAIT_MS, catalog_artifact, show_run, start_demo


def test_downloads_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    now = [0.0]
    model = DownloadsModel(clock=lambda: now[0])
    first = model.add("a.csv", CancelToken(), 4096)
    model.add("b.png", CancelToken(), None, retry=lambda: None)
    now[0] = 1.0
    model.progress(first, 2048, 4096)
    qtmodeltester.check(model)
    assert model.data(model.index(1, 1)) == "2.0 KiB of 4.0 KiB (50 %)"
    now[0] = 2.0
    model.progress(first, 3072, 4096)
    assert model.data(model.index(1, 2)) == "1.0 KiB/s"
    assert model.data(model.index(1, 3)) == "1s"
    model.end(first, FAILED, "Storage refused the download")
    assert model.data(model.index(1, 4)) == "Failed: Storage refused the download"
    assert model.data(model.index(1, 2)) == "—"
    model.clear_finished()
    assert [t.name for t in model.transfers] == ["b.png"]
    qtmodeltester.check(model)


def test_panel_shows_speed_and_time_left_cancels_and_retries(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    csv = catalog_artifact(app, "text/csv")
    show_run(qtbot, app, csv.workflow_run_id)
    qtbot.waitUntil(lambda: window.artifact_list.model.row_of(csv.id) is not None, timeout=WAIT_MS)
    demo_server.config.chunk_size = 512
    demo_server.config.throttle_bps = 4 * 1024  # slow enough to watch and cancel
    window.artifact_list.select_id(csv.id)
    qtbot.waitUntil(lambda: window.downloads.active, timeout=WAIT_MS)

    # The status bar's button opens the panel.
    qtbot.mouseClick(window.downloads.details_button, Qt.MouseButton.LeftButton)
    dock = window.slots.panes["downloads"]
    assert dock.isVisible()
    panel = dock.widget()
    model = panel.model
    transfer = model.transfer_at(0)
    assert transfer.name == csv.name and transfer.state == RUNNING
    qtbot.waitUntil(lambda: transfer.meter.rate is not None and transfer.done > 0, timeout=WAIT_MS)
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert row[0] == csv.name
    assert " of " in row[1] and "%" in row[1]
    assert row[2].endswith("/s")
    assert row[3] != "—"  # the total is known, so is the time left
    assert row[4] == "Downloading"

    panel.select(transfer)
    assert panel.cancel_button.isEnabled() and not panel.retry_button.isEnabled()
    with qtbot.waitSignal(window.viewer.previewUnavailable, timeout=WAIT_MS):
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert transfer.state == CANCELLED
    assert model.data(model.index(0, 4)) == "Cancelled"
    assert not window.downloads.active
    assert panel.retry_button.isEnabled()

    demo_server.config.throttle_bps = None
    with qtbot.waitSignal(window.viewer.previewShown, timeout=WAIT_MS) as shown:
        qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    assert shown.args == [csv.id]
    again = model.transfer_at(0)
    assert again is not transfer and again.state == DONE
    assert model.rowCount() == 1  # the retried row gave way to the new attempt
    assert window.library.cache_state(csv.id).name == "VERIFIED"


def test_retry_of_an_artifact_no_longer_in_view_only_caches_it(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    library = window.library
    csv = next(  # a CSV that shares its run with other artifacts
        a
        for a in library.artifacts(ArtifactQuery(mime="text/csv"))
        if library.count_artifacts(ArtifactQuery(run_id=a.workflow_run_id)) > 1
    )
    show_run(qtbot, app, csv.workflow_run_id)
    qtbot.waitUntil(lambda: window.artifact_list.model.row_of(csv.id) is not None, timeout=WAIT_MS)
    demo_server.config.chunk_size = 512
    demo_server.config.throttle_bps = 4 * 1024
    window.artifact_list.select_id(csv.id)
    qtbot.waitUntil(lambda: window.downloads.active, timeout=WAIT_MS)
    model = window.downloads.log
    first = model.transfer_at(0)
    # Moving to another artifact stops the first download; the panel says why.
    window.artifact_list.select_id(csv.id)  # same one: nothing changes
    assert first.state == RUNNING
    # The catalog refresh that follows the demo's sync may list the run again meanwhile.
    model_rows = window.artifact_list.model
    qtbot.waitUntil(lambda: not model_rows.loading and model_rows.rowCount() > 1, timeout=WAIT_MS)
    other = next(
        window.artifact_list.model.artifact_at(r)
        for r in range(window.artifact_list.model.rowCount())
        if window.artifact_list.model.artifact_at(r).id != csv.id
    )
    window.artifact_list.select_id(other.id)
    qtbot.waitUntil(lambda: first.state == CANCELLED, timeout=WAIT_MS)
    assert "another artifact" in first.state_text()
    demo_server.config.throttle_bps = None
    window.ops.wait_idle()
    assert window.downloads.retry(first)
    qtbot.waitUntil(lambda: window.library.cache_state(csv.id).name == "VERIFIED", timeout=WAIT_MS)
    assert window.viewer.current.id == other.id  # the view stayed where the user is
    qtbot.waitUntil(lambda: model.transfer_at(0).state == DONE, timeout=WAIT_MS)
