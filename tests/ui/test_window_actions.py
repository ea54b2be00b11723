"""Window actions: shortcuts, copy id, verify, download cancel, Settings, and a missing keyring."""

from __future__ import annotations

import json
from typing import Any

import keyring
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence

from artifact_viewer.core.blobstore import PART_SUFFIX
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.secrets import NO_KEYRING_MESSAGE
from artifact_viewer.ui.actions import Actions
from tests.ui.helpers import WAIT_MS, catalog_artifact, open_artifact, show_run, start_demo


def test_every_action_has_its_documented_shortcut(qapp: Any) -> None:
    acts = Actions()
    keys = {
        name: {s.toString() for s in getattr(acts, name).shortcuts()}
        for name in (
            "refresh",
            "find",
            "save_as",
            "open_external",
            "copy_id",
            "pin",
            "verify",
            "settings",
        )
    }
    assert {"F5", "Ctrl+R"} <= keys["refresh"]
    assert "Ctrl+F" in keys["find"]
    assert "Ctrl+S" in keys["save_as"]
    assert all(keys.values()), keys
    every = [s for a in acts.findChildren(type(acts.refresh)) for s in a.shortcuts()]
    assert len(every) == len(set(every)), "two actions share a shortcut"
    assert QKeySequence("Ctrl+E") in acts.open_external.shortcuts()


def test_copy_id_and_verify_act_on_the_selected_artifact(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    png = catalog_artifact(app, "image/png")
    open_artifact(qtbot, app, png)
    window = app.window
    assert window.acts.copy_id.isEnabled()
    window.acts.copy_id.trigger()
    assert QGuiApplication.clipboard().text() == png.id
    with qtbot.waitSignal(window.viewer.stateChanged, timeout=WAIT_MS) as blocker:
        window.acts.verify.trigger()
    assert blocker.args == [png.id, "VERIFIED"]
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage().startswith("Verified"), timeout=WAIT_MS
    )


def test_cancelling_a_download_caches_nothing_and_enter_resumes_it(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    csv = catalog_artifact(app, "text/csv")
    show_run(qtbot, app, csv.workflow_run_id)
    qtbot.waitUntil(lambda: window.artifact_list.model.row_of(csv.id) is not None, timeout=WAIT_MS)
    demo_server.config.chunk_size = 1024
    demo_server.config.throttle_bps = 8 * 1024  # slow enough to cancel mid-way
    window.artifact_list.select_id(csv.id)
    qtbot.waitUntil(
        lambda: window.downloads.isVisibleTo(window) and window.downloads.active, timeout=WAIT_MS
    )
    shown = window.downloads.log.transfer_at(0)
    assert shown is not None and shown.name == csv.name
    qtbot.waitUntil(lambda: shown.done > 0, timeout=WAIT_MS)  # some bytes to keep
    assert window.acts.cancel_download.isEnabled()
    window.activateWindow()
    window.artifact_list.view.setFocus()
    with qtbot.waitSignal(window.viewer.previewUnavailable, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(window.artifact_list.view, Qt.Key.Key_Escape)  # the Cancel key
    assert blocker.args[0] == csv.id and "cancelled" in blocker.args[1]
    assert not window.downloads.active
    assert not window.acts.cancel_download.isEnabled()
    window.ops.wait_idle()
    assert window.library.cache_state(csv.id).name == "NOT_CACHED"
    # What arrived waits outside the cache, for the next attempt to continue.
    key = csv.file_hash.replace(":", "-")  # the download's resumable file is named by it
    kept = [p for p in app_paths().cache_dir.rglob(f"*{PART_SUFFIX}") if key in p.name]
    assert len(kept) == 1 and kept[0].stat().st_size > 0

    # Enter on the artifact tries again: it continues from there and arrives, verified.
    demo_server.config.throttle_bps = None
    before = len(demo_server.config.requests)
    with qtbot.waitSignal(window.viewer.previewShown, timeout=WAIT_MS) as shown:
        qtbot.keyClick(window.artifact_list.view, Qt.Key.Key_Return)
    assert shown.args == [csv.id]
    ranges = [r.range for r in list(demo_server.config.requests)[before:] if r.kind == "storage"]
    assert ranges and ranges[0] is not None and not ranges[0].startswith("bytes=0-")
    assert window.library.cache_state(csv.id).name == "VERIFIED"
    assert not kept[0].exists()


def test_settings_dialog_shows_cache_stats_and_saves_without_the_key(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    open_artifact(qtbot, app, catalog_artifact(app, "text/csv"))
    window = app.window
    window.acts.settings.trigger()
    qtbot.waitUntil(
        lambda: app.flow.settings_dialog is not None and app.flow.settings_dialog.isVisible()
    )
    dialog = app.flow.settings_dialog
    qtbot.waitUntil(lambda: "cached," in dialog.stats.text(), timeout=WAIT_MS)
    # The opened CSV, plus what the run page fetched to show the run (its log's timeline).
    window.ops.wait_idle()
    cached = window.library.stats().artifact_count
    assert cached >= 1
    noun = "artifact" if cached == 1 else "artifacts"
    qtbot.waitUntil(
        lambda: dialog.stats.text().startswith(f"{cached} {noun} cached,"), timeout=WAIT_MS
    )
    # Demo mode: the fields are for the real API, and the dialog says so.
    assert dialog.note.isVisible() and "demo data" in dialog.note.text()
    dialog.quota.setValue(2.0)
    dialog.parallel.setValue(3)
    dialog._on_ok()
    qtbot.waitUntil(lambda: app.paths.settings_path.is_file(), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: json.loads(app.paths.settings_path.read_text()).get("max_parallel_downloads") == 3,
        timeout=WAIT_MS,
    )
    saved = app.paths.settings_path.read_text()
    assert json.loads(saved)["cache_quota_bytes"] == 2 * 1024**3
    assert demo_server.api_key not in saved
    assert window.ops.download_pool.maxThreadCount() == 3


def test_without_a_keyring_the_key_is_kept_for_the_session_and_the_user_is_told(
    qtbot: Any, make_ui_app: Any, demo_server: Any, app_home: Any
) -> None:
    keyring.set_keyring(fail.Keyring())
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(
        lambda: app.flow.dialog is not None and app.flow.dialog.isVisible(), timeout=WAIT_MS
    )
    dialog = app.flow.dialog
    # Said before the key is typed, not only after connecting.
    assert "No system keyring" in dialog.storage_note.text()
    assert "ANON_API_KEY" in dialog.storage_note.text()
    dialog.base_url.setText(demo_server.base_url)
    dialog.api_key.setText(demo_server.api_key)
    with qtbot.waitSignal(app.flow.attached, timeout=WAIT_MS):
        dialog.connect_button.click()
    banner = app.window.banner
    qtbot.waitUntil(lambda: banner.notice is not None, timeout=WAIT_MS)
    assert banner.text == NO_KEYRING_MESSAGE
    app.window.close()
    for path in app_home.rglob("*"):
        if path.is_file():
            assert demo_server.api_key.encode() not in path.read_bytes(), path.name


def test_connect_dialog_with_a_keyring_says_the_key_goes_there(
    qtbot: Any, make_ui_app: Any, memory_keyring: Any
) -> None:
    app = make_ui_app()
    app.window.show()
    app.flow.start(demo=False)
    qtbot.waitUntil(
        lambda: app.flow.dialog is not None and app.flow.dialog.isVisible(), timeout=WAIT_MS
    )
    note = app.flow.dialog.storage_note.text()
    assert "system keyring" in note and "No system keyring" not in note


def test_cancelled_pin_leaves_the_run_pinned_and_shown_as_pinned(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    run_id = catalog_artifact(app, "text/csv").workflow_run_id
    show_run(qtbot, app, run_id)
    qtbot.waitUntil(lambda: window.acts.pin.isEnabled(), timeout=WAIT_MS)
    demo_server.config.chunk_size = 1024
    demo_server.config.throttle_bps = 8 * 1024  # slow enough to cancel mid-way
    window.acts.pin.trigger()
    qtbot.waitUntil(lambda: window.downloads.active, timeout=WAIT_MS)
    with qtbot.waitSignal(window.viewer.pinChanged, timeout=WAIT_MS) as blocker:
        window.acts.cancel_download.trigger()
    assert blocker.args == [run_id, True]
    qtbot.waitUntil(lambda: run_id in window.navigator.model.tree.pinned, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.acts.unpin.isEnabled(), timeout=WAIT_MS)
    assert not window.acts.pin.isEnabled()
    assert "stays pinned" in window.statusBar().currentMessage()
    demo_server.config.throttle_bps = None
    window.ops.wait_idle()


def test_open_externally_hands_the_verified_cached_file_to_the_system(
    qtbot: Any, make_ui_app: Any, demo_server: Any
) -> None:
    from pathlib import Path

    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    class Catcher(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[QUrl] = []

        @Slot(QUrl)
        def handle(self, url: QUrl) -> None:
            self.urls.append(url)

    catcher = Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "handle")
    try:
        app = make_ui_app()
        start_demo(qtbot, app)
        png = catalog_artifact(app, "image/png")
        show_run(qtbot, app, png.workflow_run_id)
        qtbot.waitUntil(
            lambda: app.window.artifact_list.model.row_of(png.id) is not None, timeout=WAIT_MS
        )
        app.window.artifact_list.select_id(png.id)  # not cached yet: Ctrl+E downloads first
        app.window.acts.open_external.trigger()
        qtbot.waitUntil(lambda: bool(catcher.urls), timeout=WAIT_MS)
        opened = Path(catcher.urls[0].toLocalFile())
        assert opened.read_bytes() == demo_server.true_bytes(png.id)
    finally:
        QDesktopServices.unsetUrlHandler("file")
