"""The window's data stewardship: redacted view toggle and banner, retention, encryption,
and "Remove everything from this computer"."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from artifact_viewer.core.crypto.state import encryption_enabled_at
from artifact_viewer.core.retention import retention_days
from artifact_viewer.core.settings import load_settings
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.previews.redaction import HiddenCover
from artifact_viewer.ui.features.data_menu import DataMenuExtension, wipe_requested
from artifact_viewer.ui.features.redacted_view import RedactedViewExtension

from .helpers import WAIT_MS, catalog_artifact, open_artifact, start_demo


def parts(app):
    exts = app.window.slots
    redacted = next(e for e in app.window.findChildren(RedactedViewExtension))
    data = next(e for e in app.window.findChildren(DataMenuExtension))
    return exts, redacted, data


def test_ctrl_shift_r_masks_every_view_and_shows_a_banner_until_turned_off(
    qtbot, make_ui_app
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    _slots, redacted, _data = parts(app)
    assert redacted.toggle in redacted._slots.menu("View").actions()
    assert redacted.toggle.shortcut().toString() == "Ctrl+Shift+R"
    image = catalog_artifact(app, "image/png")
    redacted.toggle.trigger()
    assert window.preview.redaction.enabled
    qtbot.waitUntil(lambda: redacted.banner.isVisible(), timeout=WAIT_MS)
    open_artifact(qtbot, app, image)
    qtbot.waitUntil(
        lambda: isinstance(window.preview.stack.currentWidget(), HiddenCover), timeout=WAIT_MS
    )
    redacted.toggle.trigger()
    assert not window.preview.redaction.enabled and not redacted.banner.isVisible()
    qtbot.waitUntil(lambda: window.preview.previewer() is not None, timeout=WAIT_MS)


def test_the_redacted_view_is_remembered_only_when_asked(qtbot, make_ui_app) -> None:
    first = make_ui_app()
    _s, redacted, _d = parts(first)
    redacted.toggle.setChecked(True)
    first.window.close()
    first.close()
    second = make_ui_app()
    assert not parts(second)[1].toggle.isChecked()  # not remembered by default
    _s, redacted2, _d = parts(second)
    redacted2.remember.setChecked(True)
    redacted2.toggle.setChecked(True)
    second.window.slots.services.state.sync()
    second.window.close()
    second.close()
    third = make_ui_app()
    _s, redacted3, _d = parts(third)
    assert redacted3.toggle.isChecked() and third.window.preview.redaction.enabled


def test_retention_choice_is_saved_and_applied(qtbot, make_ui_app) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    _s, _r, data = parts(app)
    library = app.window.library
    artifact = library.artifacts(ArtifactQuery(limit=1))[0]
    open_artifact(qtbot, app, artifact)
    qtbot.waitUntil(lambda: library.cache_state(artifact.id).usable, timeout=WAIT_MS)
    library.catalog.touch(artifact.id, 1.0)  # last opened long ago
    data.retention_actions[7].trigger()
    assert retention_days(load_settings().extra) == 7
    qtbot.waitUntil(lambda: not library.cache_state(artifact.id).usable, timeout=WAIT_MS)
    assert library.artifact(artifact.id) is not None  # the catalog row stays
    data.retention_actions[0].trigger()
    assert retention_days(load_settings().extra) is None


def test_encrypt_action_converts_the_cache_in_the_background(qtbot, make_ui_app) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    _s, _r, data = parts(app)
    library = app.window.library
    artifact = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, artifact)
    qtbot.waitUntil(lambda: library.cache_state(artifact.id).usable, timeout=WAIT_MS)
    data.encrypt.trigger()
    qtbot.waitUntil(lambda: data.encrypt.isEnabled(), timeout=WAIT_MS)
    assert data.encrypt.isChecked() and encryption_enabled_at(library.blobs.root.parent)
    blob = library.blobs.locate(library.catalog.cache_entry(artifact.id).sha256)
    assert blob is not None and blob.name.endswith(".enc")


def test_remove_everything_asks_with_a_list_then_closes_for_the_wipe(
    qtbot, make_ui_app, monkeypatch
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    _s, _r, data = parts(app)
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", lambda *_: quits.append(True))
    data.wipe.trigger()
    box = data._confirm
    assert isinstance(box, QMessageBox) and box.isVisible()
    listing = box.informativeText()
    assert "cached artifact files" in listing and "demo session data" in listing
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert not wipe_requested(QApplication.instance()) and app.window.isVisible()
    data.wipe.trigger()
    remove = next(b for b in data._confirm.buttons() if b.text() == "Remove everything")
    remove.click()
    assert wipe_requested(QApplication.instance()) and quits
    QApplication.instance().setProperty("artifactViewerWipeRequested", False)


def test_save_as_in_the_redacted_view_warns_that_the_file_is_saved_unmasked(
    qtbot, make_ui_app
) -> None:
    app = make_ui_app()
    _s, redacted, _d = parts(app)
    notices: list = []
    app.window.bridge.notice.connect(notices.append)
    app.window.acts.save_as.triggered.emit()  # no artifact selected: no dialog
    assert not any("unmasked" in n.text for n in notices)
    redacted.toggle.setChecked(True)
    app.window.acts.save_as.triggered.emit()  # no artifact selected: no dialog
    assert any("Save as writes the file as it is, unmasked" in n.text for n in notices)


def test_other_features_views_and_note_pane_stand_behind_a_cover_while_redacted(
    qtbot, make_ui_app
) -> None:
    from artifact_viewer.ui.features.redacted_view import COVER_KEY

    app = make_ui_app()
    window = app.window
    slots, redacted, _d = parts(app)
    notes_dock = slots.panes["notes"]
    notes_widget = notes_dock.widget()
    slots.show_view("compare")
    redacted.toggle.setChecked(True)
    assert window.views.current_key() == COVER_KEY  # the comparison went behind the cover
    assert notes_dock.widget() is not notes_widget
    assert notes_dock.widget().text() == "Hidden in redacted view"
    redacted.cover.reveal_button.click()
    assert window.views.current_key() == "compare"
    slots.show_preview()
    slots.show_view("compare")
    assert window.views.current_key() == "compare"  # revealed until the view is turned off
    redacted.toggle.setChecked(False)
    assert notes_dock.widget() is notes_widget
    redacted.toggle.setChecked(True)
    assert window.views.current_key() == COVER_KEY
    redacted.toggle.setChecked(False)
    assert window.views.current_key() == "compare"
