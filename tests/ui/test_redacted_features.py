"""The redacted view in other features: comparisons, the notes pane and content search
results show values masked (and so copy them masked); export and Save selected/Save run
say the files leave unmasked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from artifact_viewer.core.compare import compare_files
from artifact_viewer.core.compare.jsondiff import JsonDiff, diff_values
from artifact_viewer.core.masking import Masker
from artifact_viewer.core.search.finder import Hit
from artifact_viewer.ui.compare import work
from artifact_viewer.ui.compare.jsontree import json_model
from artifact_viewer.ui.compare.tablediff import TableDiffModel, TableRows
from artifact_viewer.ui.compare.textdiff import Rendered, TextDiffView
from artifact_viewer.ui.features.redacted_view import COVER_KEY, RedactedViewExtension
from artifact_viewer.ui.search.pane import SearchPane
from artifact_viewer.ui.search.results import HIT_ROLE

from .helpers import WAIT_MS, catalog_artifact, open_artifact, start_demo

SSN_A, SSN_B = "234-56-7890", "345-67-8901"
PHONE = "(212) 555-0143"


def redacted_ext(app: Any) -> RedactedViewExtension:
    return next(e for e in app.window.findChildren(RedactedViewExtension))


def model_texts(model: Any) -> list[str]:
    out = []

    def walk(parent: Any) -> None:
        for row in range(model.rowCount(parent)):
            for col in range(model.columnCount(parent)):
                index = model.index(row, col, parent)
                out.append(str(index.data() or ""))
            walk(model.index(row, 0, parent))

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return out


def test_compare_table_masks_each_side_of_a_changed_cell(qtbot, tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(f"id,ssn,salary,note\n1,{SSN_A},85000,call {PHONE}\n2,x,1,order 100-200-3000\n")
    b.write_text(f"id,ssn,salary,note\n1,{SSN_B},86000,call {PHONE}\n2,x,1,order 100-200-3000\n")
    diff = compare_files(a, b)
    plain = work.prepare(diff, a, b)
    masked = work.prepare(diff, a, b, masker=Masker())
    assert isinstance(masked.extra, TableRows) and masked.masked and not plain.masked
    model = TableDiffModel()
    model.set_rows(diff, plain.extra)  # type: ignore[arg-type]
    shown_plain = model_texts(model)
    assert any(SSN_A in t and SSN_B in t for t in shown_plain)
    model.set_rows(diff, masked.extra)
    shown = model_texts(model)
    assert f"***-**-{SSN_A[-4:]} -> ***-**-{SSN_B[-4:]}" in shown
    assert "***** -> *****" in shown  # salary: masked whole by its column name
    assert not any(SSN_A in t or SSN_B in t or "85000" in t for t in shown)


def test_compare_json_tree_masks_values_by_key_and_content(qtbot) -> None:
    old = {"employee": {"ssn": SSN_A, "city": "Austin", "contact": f"tel {PHONE}"}}
    new = {"employee": {"ssn": SSN_B, "city": "Dallas", "contact": "none"}}
    diff = JsonDiff("json", False, [], diff_values(old, new))
    shown = model_texts(json_model(diff, masker=Masker()))
    assert f"***-**-{SSN_A[-4:]} -> ***-**-{SSN_B[-4:]}" in shown
    assert "Austin -> Dallas" in shown  # nothing sensitive: as it is
    assert not any(SSN_A in t or "555-0143" in t for t in shown)
    assert any(SSN_A in t for t in model_texts(json_model(diff)))


def test_compare_text_lines_are_masked_and_copy_masked(qtbot, tmp_path: Path) -> None:
    a, b = tmp_path / "a.log", tmp_path / "b.log"
    a.write_text(f"start\nemployee ssn {SSN_A} paid\nend\n")
    b.write_text(f"start\nemployee ssn {SSN_B} paid\nend\n")
    diff = compare_files(a, b)
    prepared = work.prepare(diff, a, b, masker=Masker())
    rendered = prepared.extra
    assert isinstance(rendered, Rendered)
    for text in (rendered.unified, rendered.left, rendered.right):
        assert SSN_A not in text and SSN_B not in text
    assert f"***-**-{SSN_A[-4:]}" in rendered.left and f"***-**-{SSN_B[-4:]}" in rendered.right
    view = TextDiffView()
    qtbot.addWidget(view)
    view.show_rendered(rendered, diff.one_line())
    view.unified.selectAll()
    view.unified.copy()  # what a drag of the selection carries, too
    copied = QGuiApplication.clipboard().text()
    assert "***-**-" in copied and SSN_A not in copied and SSN_B not in copied


def hit(snippet: str, location: dict[str, Any]) -> Hit:
    start = snippet.index("paid")
    return Hit("a1", "r1", "w1", "pay.log", None, "text", snippet, ((start, start + 4),), location)


def test_search_results_list_snippets_masked_with_their_marks(qtbot) -> None:
    pane = SearchPane()
    qtbot.addWidget(pane)
    from artifact_viewer.core.search.finder import SearchResult

    hits = [
        hit(f"employee ssn {SSN_A} paid", {"line": 3}),
        hit("paid 85000", {"row": 2, "column": "salary"}),
        hit("paid order 100-200-3000", {"line": 9}),
    ]
    result = SearchResult(hits=hits, complete=True, notes=[])
    pane.show_result(result, 0)
    plain = model_texts(pane.model)
    assert any(SSN_A in t for t in plain)
    pane.set_masker(Masker())  # the redacted view turned on: the list is redrawn
    shown = model_texts(pane.model)
    assert f"employee ssn ***-**-{SSN_A[-4:]} «paid»" in shown
    assert "«****» *****" in shown  # the salary cell, masked whole by its column
    assert "«paid» order 100-200-3000" in shown
    assert not any(SSN_A in t or "85000" in t for t in shown)
    markup = [pane.model.index(i, 2, pane.model.index(0, 0)).data(HIT_ROLE + 1) for i in range(3)]
    assert all(m is not None and SSN_A not in m for m in markup)
    pane.set_masker(None)
    assert any(SSN_A in t for t in model_texts(pane.model))


def test_compare_notes_and_search_are_not_covered_other_views_are(qtbot, make_ui_app) -> None:
    app = make_ui_app()
    window = app.window
    slots = window.slots
    redacted = redacted_ext(app)
    plain_view = QLabel("a view that does not mask")
    slots.add_view("plain", plain_view)
    notes_dock, search_dock = slots.panes["notes"], slots.panes["search"]
    notes_widget, search_widget = notes_dock.widget(), search_dock.widget()
    slots.show_view("compare")
    redacted.toggle.setChecked(True)
    assert window.views.current_key() == "compare"
    assert notes_dock.widget() is notes_widget and search_dock.widget() is search_widget
    slots.show_view("plain")
    assert window.views.current_key() == COVER_KEY
    redacted.cover.reveal_button.click()
    assert window.views.current_key() == "plain"
    redacted.toggle.setChecked(False)


def test_notes_show_masked_and_read_only_while_redacted(qtbot, make_ui_app) -> None:
    from artifact_viewer.ui.features.notes import NotesFeature

    notes = NotesFeature()
    app = make_ui_app(extensions=[notes, RedactedViewExtension()])
    start_demo(qtbot, app)
    art = catalog_artifact(app, "text/csv")
    open_artifact(qtbot, app, art)
    editor = notes.pane.editor
    qtbot.waitUntil(lambda: notes.loaded, timeout=WAIT_MS)
    text = f"Called Ana on {PHONE}; her SSN {SSN_A} was wrong"
    editor.setPlainText(text)
    notes.save()
    qtbot.waitUntil(lambda: app.window.library.note(art.id) is not None, timeout=WAIT_MS)
    redacted = redacted_ext(app)
    redacted.toggle.setChecked(True)
    shown = editor.toPlainText()
    assert SSN_A not in shown and "555-0143" not in shown and f"***-**-{SSN_A[-4:]}" in shown
    assert editor.isReadOnly() and not notes.pane.save_button.isEnabled()
    assert "editing is off" in notes.pane.when.text()
    editor.selectAll()
    editor.copy()
    assert SSN_A not in QGuiApplication.clipboard().text()
    notes.save()  # ignored while masked: the note keeps its values
    redacted.toggle.setChecked(False)
    assert editor.toPlainText() == text and not editor.isReadOnly()
    assert app.window.library.note(art.id).text == text


def test_compare_switches_to_masked_values_when_the_view_turns_on(qtbot, make_ui_app) -> None:
    from artifact_viewer.ui.compare.feature import CompareController

    from .test_compare import artifact, runs_with

    app = make_ui_app()
    start_demo(qtbot, app)
    controller = app.window.findChild(CompareController)
    newer, older = runs_with(app, "payroll_register.csv")[:2]
    a = artifact(app, older, "payroll_register.csv")
    b = artifact(app, newer, "payroll_register.csv")
    controller.compare_artifacts(a.id, b.id, "payroll")
    view = controller.view
    qtbot.waitUntil(lambda: view.current_page() is view.table, timeout=WAIT_MS)
    model = view.table.model
    gross = next(
        c for c in range(1, model.columnCount()) if model.rows.columns[c - 1][1] == "gross_pay"
    )
    assert any(ch.isdigit() for ch in model.cell(0, gross)[1])
    redacted_ext(app).toggle.setChecked(True)
    assert app.window.views.current_key() == "compare"  # masked in place, not covered
    qtbot.waitUntil(
        lambda: controller.prepared is not None and controller.prepared.masked, timeout=WAIT_MS
    )
    assert view.current_page() is view.table
    cells = [model.cell(r, gross)[1] for r in range(min(model.rowCount(), 50))]
    assert cells and not any(ch.isdigit() for text in cells for ch in text)
    redacted_ext(app).toggle.setChecked(False)
    qtbot.waitUntil(
        lambda: controller.prepared is not None and not controller.prepared.masked,
        timeout=WAIT_MS,
    )
    assert any(ch.isdigit() for ch in model.cell(0, gross)[1])


def test_export_and_save_many_warn_that_files_leave_unmasked(
    qtbot, make_ui_app, tmp_path: Path
) -> None:
    from artifact_viewer.ui.features.bundle import BundleFeature
    from artifact_viewer.ui.features.save_many import SaveManyFeature

    bundle, saver = BundleFeature(), SaveManyFeature()
    app = make_ui_app(extensions=[bundle, saver, RedactedViewExtension()])
    start_demo(qtbot, app)
    notices: list = []
    app.window.bridge.notice.connect(notices.append)
    art = catalog_artifact(app, "text/csv")
    run_id = art.workflow_run_id
    (tmp_path / "plain").mkdir()
    (tmp_path / "masked").mkdir()
    bundle.export_to([run_id], tmp_path / "plain.zip")
    qtbot.waitUntil(lambda: not bundle.busy, timeout=WAIT_MS)
    saver.save_to(tmp_path / "plain", artifact_ids=[art.id])
    qtbot.waitUntil(lambda: not saver.busy, timeout=WAIT_MS)
    assert not any("unmasked" in n.text for n in notices)
    redacted_ext(app).toggle.setChecked(True)
    bundle.export_to([run_id], tmp_path / "masked.zip")
    qtbot.waitUntil(lambda: not bundle.busy, timeout=WAIT_MS)
    saver.save_to(tmp_path / "masked", artifact_ids=[art.id])
    qtbot.waitUntil(lambda: not saver.busy, timeout=WAIT_MS)
    texts = [n.text for n in notices if "unmasked" in n.text]
    assert any("bundle holds the files as they are, unmasked" in t for t in texts)
    assert any("files are saved as they are, unmasked" in t for t in texts)
    assert (tmp_path / "masked.zip").exists()
    saved = list((tmp_path / "masked").iterdir())
    assert saved and saved[0].read_bytes() == app.window.library.fetch(art.id).read_bytes()
