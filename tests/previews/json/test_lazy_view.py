"""The JSON view over a big file's index: same tree, search, copy and dump as a whole parse."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QGuiApplication

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.json import lazy, parse
from artifact_viewer.previews.json.lazymodel import LazyJsonTreeModel
from artifact_viewer.previews.json.model import PathRole
from artifact_viewer.previews.json.paths import leaves
from artifact_viewer.previews.json.previewer import JsonPreviewer
from tests.previews import samples


@pytest.fixture
def indexed(monkeypatch):
    """Every file is opened from its index, in small blocks (as a big file would be)."""
    monkeypatch.setattr(parse, "LAZY_ABOVE", 0)
    monkeypatch.setattr(lazy, "BLOCK", 256)


@pytest.fixture
def view(qtbot, indexed):
    widget = JsonPreviewer()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    yield widget
    widget.cancel()


def load(qtbot, view, path):
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(path, "application/json"))
    return view.tree.model()


def records(n: int) -> list[dict[str, object]]:
    return [
        {"id": i, "name": f"Person {i}", "pay": f"{i}.50", "rate": 12.50, "city": "Boston"}
        for i in range(n)
    ]


def test_model_over_an_index_passes_the_model_tester(qtmodeltester, tmp_path, indexed):
    path = tmp_path / "doc.json"
    path.write_text(
        json.dumps({"a": [1, 2.5, {"b": None, "c": "\ud800x"}], "d": {}, "e": True})[:-1]
        + ', "big": 100000000000000000000000000000, "a": "again"}'
    )
    index = lazy.build_index(path, CancelToken(), block=16)
    qtmodeltester.check(LazyJsonTreeModel(index))


def test_big_file_shows_the_tree_from_its_index(qtbot, view, tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"employees": records(300), "count": 300}))
    model = load(qtbot, view, path)
    assert isinstance(model, LazyJsonTreeModel)
    root = model.root_index()
    assert view.tree.isExpanded(root)
    assert model.data(root.siblingAtColumn(2)).startswith("{2 keys}")
    employees = model.index(0, 0, root)
    assert model.data(employees) == "employees"
    assert model.data(employees.siblingAtColumn(2)).startswith(
        '[300 items]  {id: 0, name: "Person 0", pay: "0.50", rate: 12.5'
    )
    assert "object, 2 keys" in view.info.text()
    rate = model.index_for_path(("employees", 7, "rate"))
    assert model.data(rate.siblingAtColumn(2)) == "12.5"  # json.dumps wrote 12.5


def test_numbers_keep_the_files_digits(qtbot, view, tmp_path):
    path = tmp_path / "n.json"
    path.write_text('{"amount": 4495.90, "big": 123456789012345678901234567890, "e": 1E3}')
    model = load(qtbot, view, path)
    shown = [
        model.data(model.index_for_path((key,)).siblingAtColumn(2))
        for key in ("amount", "big", "e")
    ]
    assert shown == ["4495.90", "123456789012345678901234567890", "1E3"]


def test_search_copy_and_dump_work_on_the_index(qtbot, view, tmp_path):
    path = tmp_path / "big.json"
    data = records(400)
    data[123]["city"] = "Springfield"
    data[377]["name"] = "SPRINGFIELD fan"
    path.write_text(json.dumps(data))
    model = load(qtbot, view, path)
    view.search_box.setText("springfield")
    qtbot.waitUntil(lambda: len(view.hits) == 2, timeout=10_000)
    assert view.hits == [(123, "city"), (377, "name")]
    qtbot.waitUntil(lambda: view.tree.currentIndex().data(PathRole) == (123, "city"))
    view.next_hit()
    assert view.tree.currentIndex().data(PathRole) == (377, "name")
    view.select_path((5,))
    view.copy_value()
    clipboard = QGuiApplication.clipboard()
    assert json.loads(clipboard.text()) == data[5]
    assert "".join(view.dump_chunks()).splitlines() == [f"{p}\t{t}" for p, t, _k in leaves(data)]
    assert model.member_count(model.root_index()) == 400


def test_a_big_file_with_a_syntax_error_shows_the_error_panel(qtbot, view, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records(50))[:-1] + ",]")
    with qtbot.assertNotEmitted(view.failed), qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(path, "application/json"))
    assert "trailing comma" in view.error_text
    assert view.stack.currentWidget() is view.error_panel


def test_hit_far_down_a_big_array_opens_in_its_own_subtree(qtbot, view, tmp_path):
    path = tmp_path / "many.json"
    path.write_text(json.dumps([{"id": i, "name": f"n{i}"} for i in range(6_000)]))
    model = load(qtbot, view, path)
    assert view.select_path((5_500, "name"))
    assert model.path_of(view.tree.rootIndex()) == (5_500,)
    assert model.path_of(view.tree.currentIndex()) == (5_500, "name")
    assert view.select_path((2, "id"))
    assert not view.tree.rootIndex().isValid()
    assert model.rowCount(model.root_index()) < 5_000


def test_a_valid_file_of_any_size_is_indexed_in_a_helper_only_over_the_threshold(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(parse, "LAZY_ABOVE", 10_000)
    helped: list[str] = []

    def no_helper(path, *args, **kwargs):
        helped.append(path.name)
        raise lazy.HelperFailed("not here")

    monkeypatch.setattr(parse, "index_in_helper", no_helper)
    small = samples.write_json(tmp_path / "small.json", records=3)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(records(400)))
    lenient = tmp_path / "lenient.json"
    lenient.write_text('{"a": NaN}')

    class Progress:
        def __call__(self, done: int, total: int = 0) -> None:
            pass

        def partial(self, obj: object) -> None:
            pass

    assert isinstance(parse.open_json_file(small, False, Progress(), CancelToken()), parse.LazyDoc)
    assert isinstance(parse.open_json_file(big, False, Progress(), CancelToken()), parse.LazyDoc)
    assert helped == ["big.json"]
    refused = parse.open_json_file(lenient, False, Progress(), CancelToken())
    assert isinstance(refused, parse.JsonDoc)
