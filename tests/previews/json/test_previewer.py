"""JSON previewer widget: tree, lazy nodes, raw tab, search navigation, copy, error panel."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QGuiApplication

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.json.lazymodel import LazyJsonTreeModel
from artifact_viewer.previews.json.model import JsonTreeModel, PathRole
from artifact_viewer.previews.json.previewer import JsonPreviewer
from tests.previews import samples


@pytest.fixture
def view(qtbot):
    widget = JsonPreviewer()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    yield widget
    widget.cancel()


def load(qtbot, view, path, mime="application/json"):
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(path, mime))
    return view.tree.model()


def load_failing(qtbot, view, path, mime="application/json") -> str:
    with qtbot.waitSignal(view.failed, timeout=20_000) as blocker:
        view.load(PreviewSource(path, mime))
    return blocker.args[0]


def test_good_file_shows_expanded_root_with_counts(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_json(tmp_path / "e.json", records=3))
    assert isinstance(model, LazyJsonTreeModel)
    root = model.root_index()
    assert view.tree.isExpanded(root)
    assert model.data(root.siblingAtColumn(2)).startswith("{2 keys}")
    employees = model.index(0, 0, root)
    assert model.data(employees) == "employees"
    assert model.data(employees.siblingAtColumn(1)) == "array"
    assert model.data(employees.siblingAtColumn(2)) == (
        '[3 items]  {id: 0, name: "Person 0", email: "person0@example.com", …}, {…}, {…}'
    )
    assert "object, 2 keys" in view.info.text()


def test_small_file_shows_number_literals_and_every_duplicate_key(qtbot, view, tmp_path):
    path = tmp_path / "pay.json"
    path.write_text('{"amount": 4495.90, "e": 1E22, "a": 1, "a": 2}')
    model = load(qtbot, view, path)
    root = model.root_index()
    rows = [
        (model.data(model.index(r, 0, root)), model.data(model.index(r, 2, root)))
        for r in range(model.rowCount(root))
    ]
    assert rows == [("amount", "4495.90"), ("e", "1E22"), ("a", "1"), ("a", "2")]
    clipboard = QGuiApplication.clipboard()
    view.tree.setCurrentIndex(model.index(0, 0, root))
    view.copy_value()
    assert clipboard.text() == "4495.90"
    view.tree.setCurrentIndex(root)
    view.copy_value()
    assert clipboard.text() == path.read_text()
    view.search_box.setText("4495.90")
    qtbot.waitUntil(lambda: view.hits == [("amount",)], timeout=10_000)
    view.search_box.setText("1E22")
    qtbot.waitUntil(lambda: view.hits == [("e",)], timeout=10_000)


def test_lenient_file_shows_number_literals_and_every_duplicate_key(qtbot, view, tmp_path):
    path = tmp_path / "lenient.json"
    path.write_text('{"n": NaN, "amount": 4495.90, "a": 1, "a": 2}')
    model = load(qtbot, view, path)
    assert isinstance(model, JsonTreeModel)
    root = model.root_index()
    rows = [
        (model.data(model.index(r, 0, root)), model.data(model.index(r, 2, root)))
        for r in range(model.rowCount(root))
    ]
    assert rows == [("n", "NaN"), ("amount", "4495.90"), ("a", "1"), ("a", "2")]
    assert model.data(root.siblingAtColumn(2)).startswith("{4 keys}  n: NaN, amount: 4495.90")
    clipboard = QGuiApplication.clipboard()
    view.tree.setCurrentIndex(model.index(3, 0, root))
    view.copy_value()
    assert clipboard.text() == "2"
    assert list(view.dump_chunks()) == ["$.n\tNaN\n$.amount\t4495.90\n$.a\t1\n$.a\t2\n"]


def test_model_passes_the_model_tester(qtmodeltester):
    doc = {"a": [1, 2.5, {"b": None, "c": "\ud800x"}], "d": {}, "e": True, "big": 10**30}
    qtmodeltester.check(JsonTreeModel(doc))


def test_tree_nodes_are_created_only_when_shown(qtbot, view, tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps(list(range(100_000))))
    view.show()
    qtbot.waitExposed(view)
    model = load(qtbot, view, path)
    root = model.root_index()
    assert model.data(root.siblingAtColumn(2)).startswith("[100000 items]")
    # Rows reach the view in batches, and nodes exist only for rows the view touched.
    assert 0 < model.rowCount(root) < 100_000
    assert model.canFetchMore(root)
    qtbot.waitUntil(lambda: root.internalPointer().children is not None)
    assert 0 < len(root.internalPointer().children) < 1_000
    view.select_path((99_999,))
    assert view.tree.currentIndex().data() == "[99999]"
    assert model.rowCount(root) == 100_000


def test_jsonl_file_shows_records(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_jsonl(tmp_path / "e.jsonl", 4), "application/x-ndjson")
    assert model.rowCount(model.root_index()) == 4
    assert "JSON Lines, 4 records" in view.info.text()


def test_invalid_json_shows_position_and_raw_text_at_the_error(qtbot, view, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": 1,\n  "b": [1, 2,]\n}\n')
    with qtbot.assertNotEmitted(view.failed), qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(path, "application/json"))
    message = view.error_text
    assert "trailing comma" in message and "line 3, column 14" in message
    panel = view.error_panel
    assert message in panel.message.text()
    assert view.stack.currentWidget() is panel
    assert panel.raw.toPlainText() == path.read_text()
    cursor = panel.raw.textCursor()
    assert cursor.blockNumber() == 2 and cursor.positionInBlock() == 13


def test_empty_file_fails_with_a_clear_message(qtbot, view, tmp_path):
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    assert "empty" in load_failing(qtbot, view, path)


def test_png_labelled_as_json_fails_cleanly(qtbot, view, tmp_path):
    path = samples.write_png(tmp_path / "shot.json")
    message = load_failing(qtbot, view, path)
    assert message.startswith("Invalid JSON") and "line 1, column 1" in message


def test_search_steps_through_hits_and_selects_them(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_json(tmp_path / "e.json", records=6))
    view.search_box.setText("boston")
    qtbot.waitUntil(lambda: len(view.hits) == 2, timeout=10_000)
    first, second = view.hits
    assert first == ("employees", 1, "address", "city")
    qtbot.waitUntil(lambda: view.tree.currentIndex().data(PathRole) == first)
    assert view.tree.isExpanded(model.index_for_path(("employees", 1, "address")))
    assert view.hit_label.text() == "1 / 2"
    view.next_hit()
    assert view.tree.currentIndex().data(PathRole) == second
    view.next_hit()  # wraps around
    assert view.tree.currentIndex().data(PathRole) == first
    view.previous_hit()
    assert view.tree.currentIndex().data(PathRole) == second


def test_search_without_matches_says_so(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_json(tmp_path / "e.json"))
    view.search_box.setText("no-such-thing")
    qtbot.waitUntil(lambda: view.hit_label.text() == "no matches", timeout=10_000)


def test_copy_value_and_paths(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_json(tmp_path / "e.json", records=4))
    clipboard = QGuiApplication.clipboard()
    view.select_path(("employees", 2))
    view.copy_value()
    qtbot.waitUntil(lambda: clipboard.text().startswith("{"))
    assert (
        json.loads(clipboard.text())
        == json.loads((tmp_path / "e.json").read_text())["employees"][2]
    )
    view.select_path(("employees", 2, "name"))
    view.copy_value()
    assert clipboard.text() == '"Person 2"'
    view.copy_path()
    assert clipboard.text() == "$.employees[2].name"
    view.copy_jq_path()
    assert clipboard.text() == ".employees[2].name"
    assert model.data(view.tree.currentIndex()) == "name"


def test_copy_of_a_big_subtree_runs_in_the_background(qtbot, view, tmp_path):
    path = tmp_path / "arr.json"
    path.write_text(json.dumps({"rows": list(range(5000))}))
    load(qtbot, view, path)
    view.select_path(("rows",))
    QGuiApplication.clipboard().setText("")
    view.copy_value()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("["), timeout=10_000)
    assert json.loads(QGuiApplication.clipboard().text()) == list(range(5000))


def test_json_has_one_raw_view_coloured_with_line_numbers(qtbot, view, tmp_path):
    from artifact_viewer.previews.text.previewer import TextPreviewer
    from artifact_viewer.previews.text.syntax import json_spans

    path = samples.write_json(tmp_path / "e.json")
    load(qtbot, view, path)
    assert not hasattr(view, "tabs") and not hasattr(view, "raw")  # no second raw view
    raw = TextPreviewer()
    qtbot.addWidget(raw)
    with qtbot.waitSignal(raw.finished, timeout=20_000):
        raw.load(PreviewSource(path, "application/json"))
    assert raw.view._syntax is json_spans
    assert raw.line_index().line_count() == len(path.read_text().splitlines())
    roles = {role for _s, _l, role in json_spans('  "name": "Ann", "n": 1.5, "ok": true')}
    assert roles == {"key", "value", "number", "entity"}


def test_lenient_read_is_said_above_the_tree(qtbot, view, tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('{"a": NaN, "b": [Infinity]}')
    load(qtbot, view, path)
    assert view.note.isVisibleTo(view)
    assert view.note.text().startswith("Not strict JSON: NaN, Infinity")
    assert view.problem() == view.note.text()


def test_deeply_nested_document_opens_and_search_reaches_the_bottom(qtbot, view, tmp_path):
    depth = 10_000
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + '"bottom"' + "]" * depth)
    load(qtbot, view, path)
    view.search_box.setText("bottom")
    qtbot.waitUntil(lambda: view.hit_label.text() == "1 / 1", timeout=20_000)
    assert view.tree.currentIndex().data(PathRole) == (0,) * depth
    assert view.subtree_bar.isVisibleTo(view)
    view.show_whole_document()
    assert not view.tree.rootIndex().isValid()


def test_new_load_cancels_the_previous_one(qtbot, view, tmp_path):
    first = samples.write_big_json(tmp_path / "first.json", 4)
    second = samples.write_json(tmp_path / "second.json", records=2)
    view.load(PreviewSource(first))
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(second))
    qtbot.wait(50)
    model = view.tree.model()
    assert model.data(model.root_index().siblingAtColumn(2)).startswith("{2 keys}")


def test_huge_file_loads_with_progress(qtbot, view, tmp_path):
    path = samples.write_big_json(tmp_path / "big.json", 24)
    ticks: list[tuple[int, int]] = []
    view.progress.connect(lambda done, total: ticks.append((done, total)))
    with qtbot.waitSignal(view.ready, timeout=60_000):
        view.load(PreviewSource(path))
    qtbot.waitSignal(view.finished, timeout=60_000).wait() if view._tasks else None
    model = view.tree.model()
    assert model.member_count(model.root_index()) > 10_000
    assert ticks and ticks[-1][0] == ticks[-1][1]


def test_value_previews_summarise_the_first_members():
    from artifact_viewer.previews.json.model import preview_text

    record = {"id": 7, "name": "Ann", "tags": ["a"], "boss": None}
    assert preview_text(record) == '{4 keys}  id: 7, name: "Ann", tags: […], boss: null'
    assert preview_text(list(range(100))) == "[100 items]  0, 1, 2, 3, 4, 5, …"
    assert preview_text([]) == "[0 items]" and preview_text({}) == "{0 keys}"
    assert preview_text({"s": "x" * 100}).endswith('…"')
    assert preview_text("lone \ud800") == '"lone \\ud800"'


def test_hit_far_down_a_huge_array_opens_in_its_own_subtree(qtbot, view, tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"id": i, "name": f"n{i}"} for i in range(20_000)]))
    model = load(qtbot, view, path)
    top = model.root_index()
    assert view.select_path((15_000, "name"))
    # The record is the view's root: the 15,000 rows before it are never laid out.
    assert model.path_of(view.tree.rootIndex()) == (15_000,)
    assert view.subtree_bar.isVisibleTo(view)
    assert model.path_of(view.tree.currentIndex()) == (15_000, "name")
    # Back near the top: the whole document again, without the rows the far hit added.
    assert view.select_path((2, "id"))
    assert not view.tree.rootIndex().isValid() and not view.subtree_bar.isVisibleTo(view)
    assert model.path_of(view.tree.currentIndex()) == (2, "id")
    assert model.rowCount(top) < 5_000
    while model.canFetchMore(top):  # and scrolling still reaches every row
        model.fetchMore(top)
    assert model.rowCount(top) == 20_000


def test_model_trim_hides_rows_until_fetched_again(qtmodeltester):
    model = JsonTreeModel(list(range(1000)))
    top = model.root_index()
    while model.canFetchMore(top):
        model.fetchMore(top)
    model.trim(top, 300)
    assert model.rowCount(top) == 300 and model.canFetchMore(top)
    qtmodeltester.check(model)
