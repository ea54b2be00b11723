"""The run page's actions: save the run, compare it with the previous run, and its note
(shown on the page, written in the Notes pane)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.compare import work
from artifact_viewer.ui.compare.feature import VIEW_KEY as COMPARE_VIEW
from artifact_viewer.ui.compare.feature import CompareController
from artifact_viewer.ui.features.runs import VIEW_KEY, RunFeature
from artifact_viewer.ui.features.save_many import SaveManyFeature
from artifact_viewer.ui.models.navigator_model import RUN

from .helpers import WAIT_MS, start_demo


def run_feature(window: Any) -> RunFeature:
    found = window.findChildren(RunFeature)
    assert found, "the run page is not installed"
    return found[0]


def open_run(qtbot: Any, app: Any, run_id: str) -> RunFeature:
    feature = run_feature(app.window)
    qtbot.waitUntil(lambda: app.window.navigator.select(RUN, run_id), timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: feature.page.summary is not None and feature.page.summary.run.id == run_id,
        timeout=WAIT_MS,
    )
    assert app.window.views.current_key() == VIEW_KEY
    return feature


def run_with_previous(app: Any) -> tuple[str, str]:
    """A finished run of the demo data that has an earlier run of its workflow."""
    library = app.window.library
    for run in library.runs():
        previous = work.previous_run(library, run.id)
        if previous is not None and run.status == "FAILED":
            return run.id, previous.id
    raise AssertionError("the demo data has no failed run after another")


def test_save_run_on_the_page_saves_every_artifact_of_that_run(
    qtbot: Any, make_ui_app: Any, tmp_path: Path
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    run_id, _previous = run_with_previous(app)
    feature = open_run(qtbot, app, run_id)
    assert feature.page.save_run.isVisibleTo(feature.page)
    feature.page.save_run.click()
    dialogs = app.window.findChildren(QFileDialog)
    assert len(dialogs) == 1, "Save run… asks for a folder"
    out = tmp_path / "saved"
    out.mkdir()
    dialogs[0].fileSelected.emit(str(out))
    dialogs[0].reject()
    saver = app.window.findChild(SaveManyFeature)
    qtbot.waitUntil(lambda: saver.last_report is not None, timeout=WAIT_MS * 3)
    expected = app.window.library.count_artifacts(ArtifactQuery(run_id=run_id))
    assert expected > 0
    assert len(list(out.iterdir())) == expected == len(saver.last_report.saved)
    assert not saver.last_report.failed


def test_compare_on_the_page_compares_the_run_with_its_previous_run(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    run_id, previous = run_with_previous(app)
    feature = open_run(qtbot, app, run_id)
    assert feature.page.compare.isVisibleTo(feature.page)
    feature.page.compare.click()
    assert app.window.views.current_key() == COMPARE_VIEW
    view = app.window.findChild(CompareController).view
    title = view.title.text()
    assert previous[:8] in title and run_id[:8] in title
    assert title.index(previous[:8]) < title.index(run_id[:8])  # older -> newer


def test_the_page_shows_the_runs_note_and_follows_edits_in_the_notes_pane(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    run_id, previous = run_with_previous(app)
    app.window.library.set_note(run_id, "Ticket 4411: MFA prompt changed")
    feature = open_run(qtbot, app, run_id)
    page = feature.page
    qtbot.waitUntil(
        lambda: page.user_note.text() == "Ticket 4411: MFA prompt changed", timeout=WAIT_MS
    )
    assert page.edit_note.text() == "Edit note…"
    page.edit_note.click()
    dock = app.window.slots.panes["notes"]
    assert dock.isVisible()
    editor = dock.widget().editor
    qtbot.waitUntil(
        lambda: editor.isEnabled() and "Ticket 4411" in editor.toPlainText(), timeout=WAIT_MS
    )
    editor.setPlainText("Fixed by re-enrolling the MFA device")
    dock.widget().save_button.click()
    qtbot.waitUntil(
        lambda: page.user_note.text() == "Fixed by re-enrolling the MFA device", timeout=WAIT_MS
    )
    # Another run without a note says so, and offers to add one.
    open_run(qtbot, app, previous)
    qtbot.waitUntil(lambda: page.user_note.text() == "No note.", timeout=WAIT_MS)
    assert page.edit_note.text() == "Add note…"


def test_actions_of_features_the_window_lacks_are_not_offered(qtbot: Any, make_ui_app: Any) -> None:
    app = make_ui_app(extensions=[RunFeature()])
    start_demo(qtbot, app)
    run_id = next(r.id for r in app.window.library.runs() if r.status == "FAILED")
    feature = open_run(qtbot, app, run_id)
    page = feature.page
    assert not page.save_run.isVisibleTo(page)
    assert not page.compare.isVisibleTo(page)
    assert not page.edit_note.isVisibleTo(page)
    assert page.first_error.isVisibleTo(page) and page.pin.isVisibleTo(page)


def test_the_page_takes_room_from_the_list_while_shown_and_gives_it_back(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    window = app.window
    window.resize(1280, 720)
    split = window.artifact_list.parentWidget()
    qtbot.waitUntil(lambda: window.views.height() > 0, timeout=WAIT_MS)
    before = split.sizes()
    run_id, previous = run_with_previous(app)
    feature = open_run(qtbot, app, run_id)
    holder = window.views.currentWidget()
    # The whole page fits: the list above gave up height for it (keeping a few rows).
    qtbot.waitUntil(lambda: holder.verticalScrollBar().maximum() == 0, timeout=WAIT_MS)
    assert window.artifact_list.height() < before[split.indexOf(window.artifact_list)]
    assert window.artifact_list.height() >= window.slots.LIST_MIN_HEIGHT - 10
    assert feature.page.height() >= feature.page.minimumSizeHint().height()
    # Another run keeps the room; leaving the run page gives it back as it was.
    open_run(qtbot, app, previous)
    workflow_id = window.library.run(run_id).workflow_id
    assert window.navigator.select("workflow", workflow_id)
    qtbot.waitUntil(lambda: window.views.current_key() == "preview", timeout=WAIT_MS)
    assert split.sizes() == before


def test_cache_states_on_the_page_follow_what_the_timeline_fetched(
    qtbot: Any, make_ui_app: Any
) -> None:
    app = make_ui_app()
    start_demo(qtbot, app)
    run_id, _previous = run_with_previous(app)
    log = next(
        a
        for a in app.window.library.artifacts(ArtifactQuery(run_id=run_id))
        if a.type == "log_file"
    )
    feature = open_run(qtbot, app, run_id)
    page = feature.page

    def log_state() -> str:
        for i in range(page.artifacts.topLevelItemCount()):
            group = page.artifacts.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).text(0) == log.name:
                    return group.child(j).text(3)
        return ""

    qtbot.waitUntil(lambda: page.timeline.timeline is not None, timeout=WAIT_MS)
    shots = len(page.timeline.timeline.screenshots)
    caption = page.timeline.caption.text()
    assert caption.startswith(f"{shots} screenshot{'' if shots == 1 else 's'} · run.log: ")
    # The log was fetched to build the timeline: the page says it is cached now.
    qtbot.waitUntil(lambda: log_state().startswith("Cached"), timeout=WAIT_MS)
