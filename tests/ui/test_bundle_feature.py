"""Window flows for hand-off: export the run in view, import by menu or drop, notes pane."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from artifact_viewer.core.bundle import export_runs
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import AppPaths
from artifact_viewer.core.settings import Settings
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.features.bundle import BundleFeature
from artifact_viewer.ui.features.notes import NotesFeature
from tests.plugins.store import FakeCloud

from .helpers import WAIT_MS, open_artifact, show_run, start_demo

# Qt marks the QPoint form of the drag-event constructors deprecated; tests still build them.
pytestmark = pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")


@pytest.fixture
def foreign_bundle(tmp_path: Path) -> Path:
    """A bundle of a run the demo server does not know, made in another home."""
    cloud = FakeCloud()
    cloud.add("ext-a1", b"id,total\n1,2\n", run_id="ext-run", workflow_id="ext-wf", name="t.csv")
    root = tmp_path / "elsewhere"
    paths = AppPaths(root / "c", root / "k", root / "d", root / "l")
    http = httpx.Client(transport=cloud.transport())
    with Library.open(paths, Settings(), cloud, http=http) as library:
        library.sync(run_id="ext-run")
        library.refresh_workflows()
        library.set_note("ext-run", "from the other office")
        target = tmp_path / "foreign.zip"
        export_runs(library, ["ext-run"], target)
    http.close()
    return target


def features(make_ui_app):
    bundle, notes = BundleFeature(), NotesFeature()
    app = make_ui_app(extensions=[bundle, notes])
    return app, bundle, notes


def finished(feature: BundleFeature) -> None:
    assert not feature.busy


def test_export_the_run_in_view_from_the_window(qtbot, make_ui_app, tmp_path) -> None:
    app, bundle, _notes = features(make_ui_app)
    start_demo(qtbot, app)
    window = app.window
    assert not bundle.export_action.isEnabled()  # no run in view yet
    artifact = window.library.artifacts(ArtifactQuery(limit=1))[0]
    show_run(qtbot, app, artifact.workflow_run_id)
    assert bundle.export_action.isEnabled()
    target = tmp_path / "from-window.zip"
    bundle.export_to([artifact.workflow_run_id], target)
    assert bundle.busy and not bundle.export_action.isEnabled()
    qtbot.waitUntil(lambda: finished(bundle), timeout=WAIT_MS)
    assert "Exported 1 run(s)" in bundle.pane.label.text()
    with zipfile.ZipFile(target) as archive:
        assert "manifest.json" in archive.namelist()
    assert window.banner.text.startswith("Exported 1 run(s)")


def test_a_cancelled_export_from_the_window_leaves_no_file(qtbot, make_ui_app, tmp_path) -> None:
    app, bundle, _notes = features(make_ui_app)
    start_demo(qtbot, app)
    run_id = app.window.library.runs()[0].id
    target = tmp_path / "cancelled.zip"
    bundle.export_to([run_id], target)
    bundle.pane.cancel_button.click()
    qtbot.waitUntil(lambda: finished(bundle), timeout=WAIT_MS)
    assert "Cancelled" in bundle.pane.label.text()
    assert not target.exists()
    assert [p for p in tmp_path.iterdir() if "cancelled" in p.name] == []


def test_import_from_the_menu_path_shows_the_run_in_the_navigator(
    qtbot, make_ui_app, foreign_bundle
) -> None:
    app, bundle, _notes = features(make_ui_app)
    start_demo(qtbot, app)
    window = app.window
    bundle.import_files([foreign_bundle])
    qtbot.waitUntil(lambda: finished(bundle), timeout=WAIT_MS)
    assert "1 new run(s)" in bundle.pane.label.text()
    qtbot.waitUntil(
        lambda: any(
            r.id == "ext-run" for rs in window.navigator.model.tree.runs.values() for r in rs
        ),
        timeout=WAIT_MS,
    )
    assert window.navigator.select("run", "ext-run")
    assert window.library.import_mark("ext-run").source == "foreign.zip"
    index = window.navigator.model.find("run", "ext-run")
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Imported from foreign.zip (exported " in tip
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None


def test_a_bad_bundle_dropped_on_the_window_is_one_line_and_adds_nothing(
    qtbot, make_ui_app, tmp_path
) -> None:
    app, bundle, _notes = features(make_ui_app)
    start_demo(qtbot, app)
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    before = app.window.library.runs()
    assert drag_enter(app.window, [junk])
    drop(app.window, [junk])
    qtbot.waitUntil(lambda: finished(bundle), timeout=WAIT_MS)
    assert "junk.zip is not a zip file" in app.window.banner.text
    assert app.window.library.runs() == before


def test_dropping_a_bundle_imports_it_and_other_files_are_not_taken(
    qtbot, make_ui_app, foreign_bundle, tmp_path
) -> None:
    app, bundle, _notes = features(make_ui_app)
    start_demo(qtbot, app)
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert not drag_enter(app.window, [other])
    assert drag_enter(app.window, [foreign_bundle])
    drop(app.window, [foreign_bundle])
    qtbot.waitUntil(lambda: app.window.library.import_mark("ext-run") is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: finished(bundle), timeout=WAIT_MS)


def test_the_notes_pane_reads_edits_and_saves_the_selected_artifacts_note(
    qtbot, make_ui_app
) -> None:
    app, _bundle, notes = features(make_ui_app)
    start_demo(qtbot, app)
    library = app.window.library
    first = library.artifacts(ArtifactQuery(limit=1))[0]
    second = next(
        a
        for a in library.artifacts(ArtifactQuery(limit=50))
        if a.workflow_run_id != first.workflow_run_id
    )
    library.set_note(first.id, "already here")
    open_artifact(qtbot, app, first)
    qtbot.waitUntil(lambda: notes.pane.editor.isEnabled(), timeout=WAIT_MS)
    assert notes.pane.editor.toPlainText() == "already here"
    model = app.window.artifact_list.model
    assert model.has_note(first.id)  # the list marks artifacts with a note
    row = model.row_of(first.id)
    assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is not None
    assert first.name in notes.pane.title.text()
    notes.pane.editor.setPlainText("line one\nline two")
    notes.pane.save_button.click()
    qtbot.waitUntil(lambda: library.note(first.id).text == "line one\nline two", timeout=WAIT_MS)
    # An unsaved edit is saved when the selection moves on.
    notes.pane.editor.selectAll()
    qtbot.keyClicks(notes.pane.editor, "edited, then left")  # typed, so not saved yet
    open_artifact(qtbot, app, second)
    qtbot.waitUntil(lambda: library.note(first.id).text == "edited, then left", timeout=WAIT_MS)
    notes.pane.editor.selectAll()
    qtbot.keyClicks(notes.pane.editor, "second note")
    notes.pane.save_button.click()
    qtbot.waitUntil(lambda: model.has_note(second.id), timeout=WAIT_MS)
    notes.pane.clear_button.click()
    qtbot.waitUntil(lambda: notes.pane.when.text() == "Note cleared.", timeout=WAIT_MS)
    assert library.note(second.id) is None
    assert not model.has_note(second.id)


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_enter(window, paths: list[Path]) -> bool:
    mime = _mime(paths)
    event = QDragEnterEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, event)
    return event.isAccepted()


def drop(window, paths: list[Path]) -> None:
    mime = _mime(paths)
    event = QDropEvent(
        QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    QApplication.sendEvent(window, event)


def test_several_runs_selected_in_the_navigator_export_together(
    qtbot, make_ui_app, tmp_path
) -> None:
    app, bundle, _notes = features(make_ui_app)
    start_demo(qtbot, app)
    window = app.window
    runs = [r.id for r in window.library.runs()[:2]]
    assert window.navigator.select("run", runs[0])
    view = window.navigator.view
    second = window.navigator.proxy.mapFromSource(window.navigator.model.find("run", runs[1]))
    view.selectionModel().select(
        second,
        view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows,
    )
    assert sorted(bundle.slots.selected_run_ids()) == sorted(runs)
    bundle.ask_export()
    dialog = bundle.dialog
    assert dialog is not None and dialog.isVisible()
    target = tmp_path / "two runs.zip"
    dialog.fileSelected.emit(str(target))  # as if the user chose the file
    dialog.close()
    qtbot.waitUntil(lambda: finished(bundle) and target.exists(), timeout=WAIT_MS)
    assert "Exported 2 run(s)" in bundle.pane.label.text()
    with zipfile.ZipFile(target) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert sorted(r["id"] for r in manifest["runs"]) == sorted(runs)
