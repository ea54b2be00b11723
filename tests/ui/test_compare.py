"""Compare in the window: Ctrl+D on two runs or two artifacts, the views for each kind."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from artifact_viewer.core.compare import RunDiff, TableDiff
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.ui.compare.feature import VIEW_KEY, CompareFeature
from artifact_viewer.ui.compare.imagediff import BLINK, HEATMAP, OVERLAY, SIDE
from artifact_viewer.ui.models.navigator_model import RUN

from .helpers import WAIT_MS, show_run, start_demo


def runs_with(app: Any, name: str) -> list[str]:
    """Run ids (newest first) that produced an artifact called ``name``."""
    library = app.window.library
    found = library.artifacts(ArtifactQuery(text=name))
    runs = []
    for artifact in found:
        if artifact.name == name and artifact.workflow_run_id not in runs:
            runs.append(artifact.workflow_run_id)
    return runs


def artifact(app: Any, run_id: str, name: str) -> Any:
    return next(
        a for a in app.window.library.artifacts(ArtifactQuery(run_id=run_id)) if a.name == name
    )


def started(qtbot: Any, make_ui_app: Any) -> tuple[Any, Any]:
    feature = CompareFeature()
    app = make_ui_app(extensions=[feature])
    start_demo(qtbot, app)
    return app, feature


def wait_shown(qtbot: Any, feature: Any, page: Any) -> None:
    view = feature.controller.view
    qtbot.waitUntil(lambda: view.current_page() is page, timeout=WAIT_MS)


def test_ctrl_d_on_two_selected_runs_lists_their_pairs_and_opens_one(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    window = app.window
    newer, older = runs_with(app, "payroll_register.csv")[:2]
    show_run(qtbot, app, newer)
    selection = window.navigator.view.selectionModel()
    index = window.navigator.proxy.mapFromSource(window.navigator.model.find(RUN, older))
    selection.select(
        index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )
    assert sorted(feature.controller.selected_runs()) == sorted([newer, older])
    feature.compare_action.trigger()
    view = feature.controller.view
    assert window.views.current_key() == VIEW_KEY
    wait_shown(qtbot, feature, view.runs)
    names = [
        view.runs.tree.topLevelItem(i).text(1) for i in range(view.runs.tree.topLevelItemCount())
    ]
    assert "payroll_register.csv" in names and "run.log" in names
    row = names.index("payroll_register.csv")
    item = view.runs.tree.topLevelItem(row)
    assert item.text(0) == "changed" and "row" in item.text(2)
    view.runs.tree.itemActivated.emit(item, 0)
    wait_shown(qtbot, feature, view.table)
    assert view.table.model.rowCount() > 0
    assert view.pairs_button.isVisible()
    view.pairs_button.click()
    assert view.current_page() is view.runs


def test_table_view_shows_changed_cells_old_to_new_and_all_rows_on_request(
    qtbot, make_ui_app
) -> None:
    app, feature = started(qtbot, make_ui_app)
    newer, older = runs_with(app, "payroll_register.csv")[:2]
    a = artifact(app, older, "payroll_register.csv")
    b = artifact(app, newer, "payroll_register.csv")
    feature.controller.compare_artifacts(a.id, b.id, "payroll")
    view = feature.controller.view
    wait_shown(qtbot, feature, view.table)
    diff = view.table.diff
    assert isinstance(diff, TableDiff)
    model = view.table.model
    changed_rows = diff.rows_changed + diff.rows_added + diff.rows_removed
    assert model.rowCount() == changed_rows
    texts = [
        model.cell(r, c)[1] for r in range(model.rowCount()) for c in range(model.columnCount())
    ]
    if diff.rows_changed:
        assert any(" -> " in t for t in texts)
    view.table.changes_only.setChecked(False)
    qtbot.waitUntil(lambda: model.rowCount() == diff.rows_b + diff.rows_removed, timeout=WAIT_MS)


def test_compare_with_previous_run(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    newer, older = runs_with(app, "payroll_register.csv")[:2]
    show_run(qtbot, app, newer)
    feature.previous_action.trigger()
    view = feature.controller.view
    wait_shown(qtbot, feature, view.runs)
    assert view.runs.pairs
    assert {
        p.a.workflow_run_id if hasattr(p.a, "workflow_run_id") else None for p in view.runs.pairs
    }
    result_title = view.title.text()
    assert older[:8] in result_title and newer[:8] in result_title


def test_text_diff_unified_and_side_by_side_with_next_change(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    newer, older = runs_with(app, "run.log")[:2]
    a, b = artifact(app, older, "run.log"), artifact(app, newer, "run.log")
    feature.controller.compare_artifacts(a.id, b.id, "logs")
    view = feature.controller.view
    wait_shown(qtbot, feature, view.text)
    text = view.text
    assert "@@" in text.unified.toPlainText()
    text.next_change()
    assert text.current_stop() == 0
    text.set_side_by_side(True)
    assert text.left.document().blockCount() == text.right.document().blockCount()


def test_image_modes(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    shots = app.window.library.artifacts(ArtifactQuery(mime="image/png", limit=2))
    assert len(shots) == 2
    feature.controller.compare_artifacts(shots[0].id, shots[1].id, "screens")
    view = feature.controller.view
    wait_shown(qtbot, feature, view.image)
    image = view.image
    assert image.pair is not None and not image.pair.a.isNull() and not image.pair.b.isNull()
    for mode in (OVERLAY, HEATMAP, BLINK, SIDE):
        image.set_mode(mode)
        assert image.stack.currentIndex() == (0 if mode == SIDE else 1)
    image.zoom.setValue(200)
    assert image.left.zoom == image.right.zoom == 2.0
    assert not image.blink_timer.isActive()


def test_json_tree_copies_the_path_of_a_change(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    newer, older = runs_with(app, "accounts.json")[:2]
    a, b = artifact(app, older, "accounts.json"), artifact(app, newer, "accounts.json")
    feature.controller.compare_artifacts(a.id, b.id, "json")
    view = feature.controller.view
    wait_shown(qtbot, feature, view.json)
    tree, model = view.json.tree, view.json.model
    index = model.index(0, 0)
    while model.rowCount(index):
        index = model.index(0, 0, index)
    tree.setCurrentIndex(index)
    view.json.copy_path()
    assert QGuiApplication.clipboard().text().startswith("$")


def test_different_kinds_compare_as_binary_with_the_note(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    run_id = runs_with(app, "payroll_register.csv")[0]
    show_run(qtbot, app, run_id)
    window = app.window
    csv = artifact(app, run_id, "payroll_register.csv")
    log = next(
        a for a in window.library.artifacts(ArtifactQuery(run_id=run_id)) if a.name.endswith(".png")
    )
    selection = window.artifact_list.view.selectionModel()
    for target in (csv, log):
        index = window.artifact_list.model.index(window.artifact_list.model.row_of(target.id), 0)
        selection.select(
            index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        )
    assert {x.id for x in feature.controller.selected_artifacts()} == {csv.id, log.id}
    feature.compare_action.trigger()
    view = feature.controller.view
    wait_shown(qtbot, feature, view.binary)
    assert "different kinds" in view.binary.toPlainText()


def test_nothing_selected_says_what_to_do(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    with qtbot.waitSignal(app.window.bridge.notice, timeout=WAIT_MS) as blocker:
        feature.controller.compare_selected()
    assert "Select two artifacts or two runs" in blocker.args[0].text


def test_cancel_stops_and_shows_no_result(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    newer, older = runs_with(app, "payroll_register.csv")[:2]
    feature.controller.compare_runs(older, newer)
    view = feature.controller.view
    feature.controller.cancel()
    assert view.message.text() == "Cancelled."
    qtbot.wait(300)
    assert view.current_page() is view.message
    assert not isinstance(getattr(view.runs, "diff", None), RunDiff)


def test_json_tree_keeps_a_removal_and_an_addition_at_one_index_apart(qtbot) -> None:
    from artifact_viewer.core.compare.jsondiff import JsonDiff, diff_values
    from artifact_viewer.ui.compare.jsontree import PATH_ROLE, JsonDiffView

    view = JsonDiffView()
    qtbot.addWidget(view)
    items = diff_values({"a": [{"id": 1}]}, {"a": [{"id": 2}]})
    view.show_diff(JsonDiff("json", False, [], items))
    parent = view.model.item(0)
    texts = sorted(parent.child(i, 1).text()[:7] for i in range(parent.rowCount()))
    assert texts == ["added: ", "removed"]
    paths = {parent.child(i, 0).data(PATH_ROLE) for i in range(parent.rowCount())}
    assert paths == {"$.a[0]"}


def test_json_tree_shows_numbers_as_written_and_marks_equal_values(qtbot, tmp_path) -> None:
    from artifact_viewer.core.compare import CompareOptions, JsonDiff, compare_files
    from artifact_viewer.ui.compare.jsontree import JsonDiffView

    (tmp_path / "a.json").write_text('{"pay": 4495.90, "big": 1E22, "k": 1, "k": 2}')
    (tmp_path / "b.json").write_text('{"pay": 4495.9, "big": 3E22, "k": 1, "k": 5}')
    diff = compare_files(tmp_path / "a.json", tmp_path / "b.json", CompareOptions())
    assert isinstance(diff, JsonDiff)
    view = JsonDiffView()
    qtbot.addWidget(view)
    view.show_diff(diff)
    texts = {view.model.item(i, 0).text(): view.model.item(i, 1).text() for i in range(3)}
    assert texts == {
        "pay": "4495.90 -> 4495.9  (same value, written differently)",
        "big": "1E22 -> 3E22",
        "k": "2 -> 5  (occurrence 2 of a repeated key)",
    }
    assert "same value, written differently" in view.summary.text()


def test_unpaired_artifacts_can_be_paired_by_hand(qtbot, make_ui_app) -> None:
    app, feature = started(qtbot, make_ui_app)
    library = app.window.library
    failed = next(
        r.id
        for r in library.runs()
        if r.status == "FAILED"
        and any(
            a.name == "opening_labor_reports.png"
            for a in library.artifacts(ArtifactQuery(run_id=r.id))
        )
    )
    completed = runs_with(app, "tips_by_employee.csv")[0]
    feature.controller.compare_runs(failed, completed)
    view = feature.controller.view
    wait_shown(qtbot, feature, view.runs)
    runs = view.runs
    statuses = [p.status for p in runs.pairs]
    shot_a = next(
        i for i, p in enumerate(runs.pairs) if p.status == "onlyA" and p.name.endswith(".png")
    )
    shot_b = next(
        i for i, p in enumerate(runs.pairs) if p.status == "onlyB" and p.name.endswith(".png")
    )
    assert "onlyA" in statuses and "onlyB" in statuses
    assert not runs.pair_button.isEnabled()
    runs.tree.topLevelItem(shot_a).setSelected(True)
    runs.tree.topLevelItem(shot_b).setSelected(True)
    assert runs.pair_button.isEnabled()
    wanted = (runs.pairs[shot_a].a.id, runs.pairs[shot_b].b.id)
    runs.pair_button.click()
    qtbot.waitUntil(
        lambda: (
            view.current_page() is runs
            and any(
                p.a is not None and p.b is not None and (p.a.id, p.b.id) == wanted
                for p in runs.pairs
            )
        ),
        timeout=WAIT_MS,
    )
    paired = next(p for p in runs.pairs if p.a is not None and p.a.id == wanted[0])
    assert paired.status == "changed" and paired.diff is not None and paired.diff.kind == "image"


def test_big_tables_show_their_first_changed_rows_while_the_rest_is_compared(
    qtbot, tmp_path, monkeypatch
) -> None:
    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.core.compare import CompareOptions, table
    from artifact_viewer.ui.compare import work
    from artifact_viewer.ui.compare.view import CompareView

    monkeypatch.setattr(table, "HEAD_BYTES", 4096)
    rows = [f"{i},Employee {i},{i * 10}" for i in range(1, 2001)]
    edited = [*rows[:4], "5,Employee 5,999", *rows[5:-1], "2001,New hire,1"]
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,name,pay\n" + "\n".join(rows) + "\n")
    b.write_text("id,name,pay\n" + "\n".join(edited) + "\n")

    class Progress:
        def __init__(self) -> None:
            self.sent: list[Any] = []

        def __call__(self, done: int, total: int = 0) -> None:
            pass

        def partial(self, obj: Any) -> None:
            self.sent.append(obj)

    progress = Progress()
    final = work.compare_paths(a, b, CompareOptions(), progress, CancelToken())
    view = CompareView(lambda *args, **kw: None)
    qtbot.addWidget(view)
    view.show()
    view.set_busy(True, "a.csv -> b.csv")
    (first,) = progress.sent
    view.show_partial(first)
    assert view.current_page() is view.table
    assert view.table.model.rowCount() == 1
    model = view.table.model
    assert model.cell(0, 3) == (1, "50 -> 999")
    assert model.data(model.index(0, 3)) == "50 -> 999"
    assert model.data(model.index(0, 3), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(0, 2)) == "Employee 5"
    assert model.data(model.index(0, 2), Qt.ItemDataRole.BackgroundRole) is None
    assert "comparing the rest" in view.table.summary.text()
    assert view.cancel_button.isVisible()  # still running: Cancel stays
    view.show_prepared(final)
    assert view.table.model.rowCount() == 3 and not view.cancel_button.isVisible()


def test_pdf_pages_render_side_by_side_with_synced_page_navigation(qtbot, tmp_path) -> None:
    from reportlab.pdfgen import canvas

    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.core.compare import CompareOptions
    from artifact_viewer.qt.worker import run_in_pool
    from artifact_viewer.ui.compare import work
    from artifact_viewer.ui.compare.view import CompareView

    def pdf(path: Any, pages: list[str]) -> Any:
        c = canvas.Canvas(str(path))
        for text in pages:
            c.drawString(72, 800, text)
            c.showPage()
        c.save()
        return path

    a = pdf(tmp_path / "a.pdf", ["Form 941", "Signature"])
    b = pdf(tmp_path / "b.pdf", ["Form 941 amended", "Signature", "Schedule B"])
    errors: list[BaseException] = []

    def background(fn: Any, *args: Any, on_result: Any) -> None:
        run_in_pool(fn, *args, on_result=on_result, on_error=errors.append)

    prepared = work.compare_paths(a, b, CompareOptions(), lambda *_: None, CancelToken())
    view = CompareView(background)
    qtbot.addWidget(view)
    view.show()
    view.show_prepared(prepared)
    pdf_view = view.pdf
    assert view.current_page() is pdf_view
    assert pdf_view.counts.text() == "A: 2 pages, B: 3 pages (+1)"
    assert pdf_view.page_box.value() == 1 and pdf_view.pages.currentRow() == 0
    qtbot.waitUntil(lambda: pdf_view.side_a.has_image() and pdf_view.side_b.has_image())
    assert "+ Form 941 amended" in pdf_view.text.unified.toPlainText()
    # Page 2 is the same on both sides: rendered on both, its text said to be the same.
    pdf_view.next_button.click()
    assert pdf_view.page_box.value() == 2 and pdf_view.pages.currentRow() == -1
    assert "same text" in pdf_view.text.summary.text()
    qtbot.waitUntil(lambda: pdf_view.side_b.has_image() and pdf_view.side_a.has_image())
    # Page 3 exists only in B: A says so, B is rendered; chosen from the changed pages.
    pdf_view.pages.setCurrentRow(1)
    assert pdf_view.page_box.value() == 3
    qtbot.waitUntil(lambda: pdf_view.side_b.has_image())
    assert not pdf_view.side_a.has_image()
    assert pdf_view.side_a.page.text() == "A has no page 3 (2 pages)."
    assert not pdf_view.next_button.isEnabled() and errors == []
    # A side that can no longer be read says why; the other side still shows.
    b.write_bytes(b"not a pdf any more")
    pdf_view.go_to(1)
    qtbot.waitUntil(lambda: "cannot be read" in pdf_view.side_b.page.text())
    qtbot.waitUntil(lambda: pdf_view.side_a.has_image())
    assert errors == []


def test_big_json_and_text_are_compared_in_a_child_process(qtbot, tmp_path, monkeypatch) -> None:
    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.core.compare import CompareOptions, JsonDiff, TextDiff
    from artifact_viewer.ui.compare import work

    used: list[str] = []
    real = work.compare_in_child

    def spy(request: Any, *args: Any) -> Any:
        used.append(request.path_a)
        return real(request, *args)

    monkeypatch.setattr(work, "compare_in_child", spy)
    monkeypatch.setattr(work, "ISOLATE_BYTES", 1)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text('{"pay": 10}')
    b.write_text('{"pay": 12}')
    la, lb = tmp_path / "a.log", tmp_path / "b.log"
    la.write_text("start\nstep 1\n")
    lb.write_text("start\nstep 2\n")
    ca, cb = tmp_path / "a.csv", tmp_path / "b.csv"
    ca.write_text("id,pay\n1,10\n")
    cb.write_text("id,pay\n1,12\n")
    json_result = work.compare_paths(a, b, CompareOptions(), lambda *_: None, CancelToken())
    text_result = work.compare_paths(la, lb, CompareOptions(), lambda *_: None, CancelToken())
    work.compare_paths(ca, cb, CompareOptions(), lambda *_: None, CancelToken())
    assert used == [str(a), str(la)]  # tables stay in this process
    assert isinstance(json_result.diff, JsonDiff) and json_result.diff.changes() == [
        {"op": "replace", "path": "$.pay", "old": 10, "new": 12}
    ]
    assert isinstance(text_result.diff, TextDiff) and text_result.diff.lines_added == 1
