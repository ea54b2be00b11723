"""End-to-end window flows against the real stand-in server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

from artifact_viewer.core.redact import REDACTED
from artifact_viewer.ui.models.navigator_model import OFFLINE, RUN
from tests.ui.helpers import WAIT_MS, catalog_artifact, open_artifact, show_run, start_demo


def test_demo_mode_connects_and_lists_workflows_runs_and_artifacts(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    tree = window.navigator.model.tree
    assert len(tree.workflows) == len(demo_server.dataset.workflows)
    assert sum(len(runs) for runs in tree.runs.values()) > 0
    assert window.online_label.text() == "Online · demo server"
    assert demo_server.api_key not in window.windowTitle()
    assert "All artifacts" in window.artifact_list.caption.text()


def test_selecting_a_run_and_an_artifact_shows_details_and_preview(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    csv = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, csv)
    window = app.window
    details = window.details
    assert details.field_text("Artifact id") == csv.id
    assert details.field_text("File hash") == csv.file_hash
    assert details.field_text("MIME type") == "text/csv"
    qtbot.waitUntil(lambda: details.field_text("Cache") == "Cached, verified", timeout=WAIT_MS)
    assert "match" in details.field_text("Verification")
    row = window.artifact_list.model.row_of(csv.id)
    assert window.artifact_list.model.state_of(csv.id) == "VERIFIED"
    assert row is not None
    # the details link jumps to the run in the navigator
    details.linkActivated.emit("run", csv.workflow_run_id)
    assert window.navigator.current() == (RUN, csv.workflow_run_id)


def test_filter_box_narrows_the_artifact_list(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    model = app.window.artifact_list.model
    everything = model.total
    with qtbot.waitSignal(app.window.browser.listLoaded, timeout=WAIT_MS):
        qtbot.keyClicks(app.window.filter_box, "mime:image/png")
    assert 0 < model.total < everything
    mimes = {model.artifact_at(r).mime_type for r in range(model.rowCount())}
    assert mimes == {"image/png"}
    with qtbot.waitSignal(app.window.browser.listLoaded, timeout=WAIT_MS):
        app.window.filter_box.clear()
    assert model.total == everything


def test_save_as_writes_the_file_and_never_overwrites_silently(
    qtbot: Any, make_ui_app: Any, demo_server: Any, tmp_path: Path
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    png = catalog_artifact(app, "image/png")
    open_artifact(qtbot, app, png)
    window = app.window
    dest = tmp_path / "shot.png"
    with qtbot.waitSignal(window.viewer.saved, timeout=WAIT_MS):
        window.save_to(str(dest))
    assert dest.read_bytes() == demo_server.true_bytes(png.id)

    dest.write_bytes(b"mine")
    with qtbot.waitSignal(window.viewer.saveNeedsConfirmation, timeout=WAIT_MS):
        window.save_to(str(dest))
    qtbot.waitUntil(lambda: window._overwrite_box is not None and window._overwrite_box.isVisible())
    assert dest.read_bytes() == b"mine"  # nothing happens before the user answers
    box = window._overwrite_box
    with qtbot.waitSignal(window.viewer.saved, timeout=WAIT_MS):
        box.done(QMessageBox.StandardButton.Yes)
    assert dest.read_bytes() == demo_server.true_bytes(png.id)


def test_save_as_dialog_offers_a_safe_name_and_starts_where_the_last_save_went(
    qtbot: Any, make_ui_app: Any, tmp_path: Path
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    csv = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, csv)
    window = app.window
    window.acts.save_as.trigger()
    dialog = window.save_dialog
    assert dialog is not None and dialog.isVisible()
    offered = Path(dialog.selectedFiles()[0]).name
    assert offered == csv.name  # already a safe name: kept as given
    downloads = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    assert Path(dialog.directory().absolutePath()) in {Path(downloads), Path.home()}
    dialog.reject()

    with qtbot.waitSignal(window.viewer.saved, timeout=WAIT_MS):
        window.save_to(str(tmp_path / "copy.csv"))
    window.acts.save_as.trigger()
    dialog = window.save_dialog
    assert Path(dialog.directory().absolutePath()) == tmp_path
    dialog.reject()


def test_declining_overwrite_keeps_the_existing_file(
    qtbot: Any, make_ui_app: Any, tmp_path: Path
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    open_artifact(qtbot, app, catalog_artifact(app, "text/csv"))
    window = app.window
    dest = tmp_path / "data.csv"
    dest.write_bytes(b"keep me")
    with qtbot.waitSignal(window.viewer.saveNeedsConfirmation, timeout=WAIT_MS):
        window.save_to(str(dest))
    qtbot.waitUntil(lambda: window._overwrite_box is not None)
    window._overwrite_box.done(QMessageBox.StandardButton.No)
    window.ops.wait_idle()
    assert dest.read_bytes() == b"keep me"


def test_pinning_a_run_caches_its_artifacts_and_lists_it_offline(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    run_id = catalog_artifact(app, "text/csv").workflow_run_id
    show_run(qtbot, app, run_id)
    assert window.acts.pin.isEnabled() and not window.acts.unpin.isEnabled()
    with qtbot.waitSignal(window.viewer.pinChanged, timeout=WAIT_MS) as blocker:
        window.acts.pin.trigger()
    assert blocker.args == [run_id, True]
    qtbot.waitUntil(lambda: run_id in window.navigator.model.tree.pinned, timeout=WAIT_MS)
    offline = window.navigator.model.find(OFFLINE, OFFLINE)
    offline_ids = [
        offline.model().index(r, 0, offline).data(0x0100 + 3)
        for r in range(window.navigator.model.rowCount(offline))
    ]
    assert run_id in offline_ids
    model = window.artifact_list.model
    qtbot.waitUntil(lambda: model.rowCount() > 0 and not model.loading, timeout=WAIT_MS)
    assert {model.state_of(model.artifact_at(r).id) for r in range(model.rowCount())} == {
        "VERIFIED"
    }
    qtbot.waitUntil(lambda: window.acts.unpin.isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(window.viewer.pinChanged, timeout=WAIT_MS) as blocker:
        window.acts.unpin.trigger()
    assert blocker.args == [run_id, False]


def test_offline_fallback_keeps_lists_working_and_cached_artifacts_open(
    qtbot: Any, make_ui_app: Any, demo_server: Any, make_demo_server: Any, monkeypatch: Any
) -> None:
    from artifact_viewer.ui.controllers import online_monitor

    # A short retry ladder, so the window's own timer notices the API's return in the test.
    monkeypatch.setattr(online_monitor, "FIRST_RETRY_MS", 200)
    monkeypatch.setattr(online_monitor, "MAX_RETRY_MS", 400)
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    cached = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, cached)
    port = demo_server.port

    demo_server.stop()
    window.acts.refresh.trigger()
    qtbot.waitUntil(lambda: window.online_label.text().startswith("Offline"), timeout=WAIT_MS)

    # lists still come from the catalog
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        window.navigator.select("all", "all")
    assert window.artifact_list.model.total > 0
    # an uncached artifact says why it cannot open; the cached one still opens
    other = next(
        a
        for a in window.library.artifacts(window.browser.current_query())
        if a.workflow_run_id != cached.workflow_run_id
    )
    show_run(qtbot, app, other.workflow_run_id)
    qtbot.waitUntil(
        lambda: window.artifact_list.model.row_of(other.id) is not None, timeout=WAIT_MS
    )
    with qtbot.waitSignal(window.viewer.previewUnavailable, timeout=WAIT_MS) as blocker:
        window.artifact_list.select_id(other.id)
    assert blocker.args[0] == other.id
    assert "offline" in blocker.args[1]
    open_artifact(qtbot, app, cached)

    # the API comes back on the same address: the window notices by itself (no prodding)
    make_demo_server(port=port, api_key=demo_server.api_key)
    qtbot.waitUntil(lambda: window.online_label.text().startswith("Online"), timeout=WAIT_MS)


def test_bad_key_in_connect_dialog_gives_a_clear_message_and_keeps_the_dialog(
    qtbot: Any, make_ui_app: Any, demo_server: Any, app_home: Path, memory_keyring: Any
) -> None:
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(
        lambda: app.flow.dialog is not None and app.flow.dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = app.flow.dialog
    dialog.base_url.setText(demo_server.base_url)
    wrong = "anon_not_the_right_key_1234"
    dialog.api_key.setText(wrong)
    dialog.connect_button.click()
    qtbot.waitUntil(lambda: dialog.connect_button.isEnabled(), timeout=WAIT_MS)
    assert "API key" in dialog.message.text()
    assert wrong not in dialog.message.text()
    # The advice fits where the user is: the key field is right there.
    assert "key above" in dialog.message.text()
    assert "Settings" not in dialog.message.text()
    assert "ANON_API_KEY" not in dialog.message.text()
    assert dialog.isVisible()
    assert not memory_keyring.store  # a refused key is not saved

    dialog.api_key.setText(demo_server.api_key)
    with qtbot.waitSignal(app.flow.attached, timeout=WAIT_MS):
        dialog.connect_button.click()
    assert list(memory_keyring.store.values()) == [demo_server.api_key]
    assert app.window.windowTitle() == "Artifact Viewer — 127.0.0.1"  # the host, nothing more
    app.window.close()
    for path in app_home.rglob("*"):
        if path.is_file() and path.suffix in (".ini", ".json", ".log"):
            text = path.read_text(errors="replace")
            assert demo_server.api_key not in text, path.name
            assert wrong not in text, path.name


def test_revoked_saved_key_shows_a_banner_that_offers_reconnect(
    qtbot: Any, make_ui_app: Any, demo_server: Any, memory_keyring: Any
) -> None:
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.secrets import KEYRING_SERVICE
    from artifact_viewer.core.settings import Settings, save_settings

    save_settings(Settings(base_url=demo_server.base_url), app_paths())
    memory_keyring.set_password(KEYRING_SERVICE, demo_server.base_url, "anon_revoked_key_0000")
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    banner = app.window.banner
    qtbot.waitUntil(lambda: banner.isVisible() and banner.notice is not None, timeout=WAIT_MS)
    assert banner.notice.action == "reconnect"
    assert "API key" in banner.text
    assert REDACTED not in banner.text and "anon_revoked" not in banner.text
    # The API is there; it refused the key: the status bar says that, not "Offline".
    qtbot.waitUntil(
        lambda: app.window.online_label.text().startswith("API key refused"), timeout=WAIT_MS
    )
    with qtbot.waitSignal(app.window.connectWanted, timeout=WAIT_MS):
        banner._action.click()
    qtbot.waitUntil(lambda: app.flow.dialog is not None and app.flow.dialog.isVisible())


def test_explore_demo_from_the_connect_dialog(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(
        lambda: app.flow.dialog is not None and app.flow.dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = app.flow.dialog
    with qtbot.waitSignal(app.flow.attached, timeout=WAIT_MS) as blocker:
        dialog.demo_button.click()
    assert blocker.args[0].mode == "demo"
    qtbot.waitUntil(lambda: app.flow.dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(app.window.navigator.model.tree.workflows), timeout=WAIT_MS)


def test_layout_and_last_selection_are_restored_on_next_launch(
    qtbot: Any, make_ui_app: Any
) -> None:
    first = make_ui_app()
    start_demo(qtbot, first)
    csv = catalog_artifact(first, "text/csv")
    open_artifact(qtbot, first, csv)
    first.window.resize(780, 560)  # fits the offscreen screen, so nothing gets clamped
    qtbot.waitUntil(lambda: first.window.main_split.width() < 780)
    first.window.main_split.setSizes([250, 500])
    first.window.close()
    sizes = first.window.main_split.sizes()  # what was saved on close
    assert sizes[0] < sizes[1] / 1.5  # not the default proportions
    first.close()

    second = make_ui_app()
    start_demo(qtbot, second)
    window = second.window
    qtbot.waitUntil(
        lambda: window.navigator.current() == (RUN, csv.workflow_run_id), timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: window.viewer.current is not None and window.viewer.current.id == csv.id,
        timeout=WAIT_MS,
    )
    assert window.size() == first.window.size()
    assert window.main_split.sizes() == sizes


def test_remembered_selection_is_found_after_the_catalog_is_rebuilt(
    qtbot: Any, make_ui_app: Any
) -> None:
    import shutil

    first = make_ui_app()
    start_demo(qtbot, first)
    csv = catalog_artifact(first, "text/csv")
    open_artifact(qtbot, first, csv)
    first.window.close()
    first.close()
    shutil.rmtree(first.paths.data_dir / "demo")  # the next launch starts from an empty catalog

    second = make_ui_app()
    second.window.show()
    second.flow.start(demo=True)
    window = second.window
    qtbot.waitUntil(
        lambda: window.navigator.current() == (RUN, csv.workflow_run_id), timeout=WAIT_MS
    )
    qtbot.waitUntil(
        lambda: window.viewer.current is not None and window.viewer.current.id == csv.id,
        timeout=WAIT_MS,
    )


def test_cancelling_the_first_connect_leaves_a_browsable_window_that_offers_to_connect(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(
        lambda: app.flow.dialog is not None and app.flow.dialog.isVisible(), timeout=WAIT_MS
    )
    app.flow.dialog.reject()
    window = app.window
    qtbot.waitUntil(lambda: window.banner.notice is not None, timeout=WAIT_MS)
    assert window.banner.notice.action == "reconnect"
    assert window.online_label.text() == "Not connected"
    assert not window.monitor.timer.isActive()
    with qtbot.waitSignal(window.browser.listLoaded, timeout=WAIT_MS):
        window.navigator.select("all", "all")
    assert window.artifact_list.caption.text().endswith("No artifacts here yet.")


def test_refresh_without_a_connection_offers_to_connect_and_stays_not_connected(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(lambda: app.flow.dialog is not None, timeout=WAIT_MS)
    app.flow.dialog.reject()
    window = app.window
    qtbot.waitUntil(lambda: window.banner.notice is not None, timeout=WAIT_MS)
    window.banner.hide()
    window.acts.refresh.trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=WAIT_MS)
    assert window.banner.notice.action == "reconnect"
    assert "Not connected" in window.banner.text
    qtbot.waitUntil(lambda: not window.ops.busy, timeout=WAIT_MS)  # every outcome delivered
    assert window.online_label.text() == "Not connected"
    assert not window.monitor.timer.isActive()
