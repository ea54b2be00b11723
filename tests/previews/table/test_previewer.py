"""Table previewer widget: virtual model, first screen, sort, filter, stats, copy, errors."""

from __future__ import annotations

import pyarrow as pa
import pytest
from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QGuiApplication

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.table.load import TableData, load_table
from artifact_viewer.previews.table.model import ArrowTableModel, ValueRole
from artifact_viewer.previews.table.previewer import TablePreviewer
from tests.previews import samples


@pytest.fixture
def view(qtbot):
    widget = TablePreviewer()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    yield widget
    widget.cancel()


def load(qtbot, view, path, mime="text/csv"):
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(path, mime))
    return view.model


def column(model, col: int) -> list:
    return [model.data(model.index(r, col), ValueRole) for r in range(model.rowCount())]


class _NoProgress:
    def __call__(self, done: int, total: int = 0) -> None:
        pass

    def partial(self, obj: object) -> None:
        pass


def table_data(tmp_path, text: str) -> TableData:
    path = tmp_path / "m.csv"
    path.write_text(text)
    return load_table(path, ".csv", None, _NoProgress(), CancelToken())


def test_model_passes_the_model_tester(qtmodeltester, tmp_path):
    model = ArrowTableModel()
    model.set_data(table_data(tmp_path, "id,name,score\n1,Ann,2.5\n2,,\n3,Cara,1e3\n"))
    qtmodeltester.check(model)
    model.set_order(__import__("numpy").array([2, 0]))
    qtmodeltester.check(model)


def test_good_file_shows_rows_headers_and_info(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_csv(tmp_path / "e.csv", rows=5))
    assert model.rowCount() == 5 and model.columnCount() == 4
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "id",
        "name",
        "salary",
        "city",
    ]
    assert model.data(model.index(1, 1)) == "Doe, Jane 1"
    assert model.data(model.index(1, 2)) == "50010.5"
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.data(model.index(1, 2), Qt.ItemDataRole.TextAlignmentRole) == right
    assert "5 rows" in view.info.text() and "comma-separated" in view.info.text()


def test_cells_are_formatted_lazily_not_stored(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_big_csv(tmp_path / "big.csv", 4))
    data = view.model.table_data
    # The model holds Arrow batches only; no per-cell Python objects exist.
    assert all(isinstance(b, pa.RecordBatch) for b in data.batches)
    assert view.model.rowCount() == data.rows > 50_000
    assert view.model.data(view.model.index(data.rows - 1, 0)) != ""


def test_first_screen_arrives_before_the_full_load(qtbot, view, tmp_path):
    path = samples.write_big_csv(tmp_path / "big.csv", 24)
    seen: list[tuple[int, bool]] = []
    view.ready.connect(lambda: seen.append((view.model.rowCount(), view.complete)))
    with qtbot.waitSignal(view.finished, timeout=60_000):
        view.load(PreviewSource(path))
    first_rows, complete_at_ready = seen[0]
    assert first_rows > 0 and not complete_at_ready
    assert view.model.rowCount() > first_rows


def test_rest_of_the_file_is_appended_below_the_first_screen_without_a_reset(qtbot, view, tmp_path):
    path = samples.write_big_csv(tmp_path / "big.csv", 6)
    events: list[str] = []
    view.ready.connect(lambda: events.append("ready"))
    view.model.modelReset.connect(lambda: events.append("reset"))
    view.model.rowsInserted.connect(lambda *_: events.append("inserted"))
    with qtbot.waitSignal(view.finished, timeout=60_000):
        view.load(PreviewSource(path))
    after_ready = events[events.index("ready") + 1 :]
    # The scroll position and selection on the first screen survive the full load.
    assert "inserted" in after_ready and "reset" not in after_ready


def test_sort_by_header_clicks_cycles_ascending_descending_off(qtbot, view, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("name,score\nAnn,3\nBob,1\nCara,\nDan,2\n")
    model = load(qtbot, view, path)
    header = view.view.horizontalHeader()
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        header.sectionClicked.emit(1)
    assert column(model, 1) == ["1", "2", "3", ""]  # blanks last
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        header.sectionClicked.emit(1)
    assert column(model, 1) == ["3", "2", "1", ""]
    assert model.headerData(0, Qt.Orientation.Vertical) == "1"  # Ann's row number in the file
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        header.sectionClicked.emit(1)
    assert column(model, 0) == ["Ann", "Bob", "Cara", "Dan"]


def test_filter_over_all_or_one_column_and_row_count(qtbot, view, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("name,city\nAnn,Boston\nBob,Austin\nbostonia,Chicago\n")
    model = load(qtbot, view, path)
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        view.filter_box.setText("BOSTON")
    assert column(model, 0) == ["Ann", "bostonia"]
    assert "3 rows (2 shown)" in view.info.text()
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        view.column_box.setCurrentIndex(2)  # only "city"
    assert column(model, 0) == ["Ann"]
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        view.filter_box.setText("")
    assert model.rowCount() == 3


def test_stats_panel_and_histogram(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_csv(tmp_path / "e.csv", rows=40))
    view.stats_button.setChecked(True)
    qtbot.waitUntil(lambda: len(view.stats.stats) == 4, timeout=10_000)
    salary = view.stats.stats[2]
    assert salary.kind == "decimal" and salary.distinct == 40
    assert view.stats.grid.item(2, 1).text() == "decimal"
    view.stats.show_column(2)
    assert view.stats.histogram.bars > 1
    view.stats.histogram.grab()  # paints without error
    view.stats.show_column(1)
    assert view.stats.histogram.bars == 0


@pytest.mark.parametrize("width", [120, 200, 320, 640])
def test_histogram_texts_never_run_together(qtbot, width):
    import numpy as np

    from artifact_viewer.previews.table.panel import HistogramWidget

    histogram = HistogramWidget()
    qtbot.addWidget(histogram)
    histogram.resize(width, 160)
    edges = np.linspace(-1206.32, 98_765.4321, 11)
    counts = np.array([3, 86, 12, 40, 7, 0, 1, 2, 5, 9])
    histogram.set_histogram("gross_pay_with_a_long_column_name", edges, counts)
    placed = histogram.text_layout()
    texts = [text for _, text in placed]
    assert any(text.startswith("gross") for text in texts)
    assert any("-1206.32" in text for text in texts)
    if width >= 320:  # room for everything, each text whole
        assert "tallest bar: 86 rows" in texts and "-1206.32" in texts and "98765.4" in texts
    inside = histogram.rect()
    for i, (a, _) in enumerate(placed):
        assert a.left() >= inside.left() and a.right() <= inside.right()
        for b, _ in placed[i + 1 :]:
            assert not a.intersects(b)
    histogram.grab()


def test_copy_cells_as_tsv(qtbot, view, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text('a,b,c\n1,"x\ty",3\n4,5,6\n')
    model = load(qtbot, view, path)
    selection = QItemSelection(model.index(0, 0), model.index(1, 1))
    view.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select)
    view.copy_selection()
    assert QGuiApplication.clipboard().text() == '1\t"x\ty"\n4\t5\n'


def test_copy_of_a_big_selection_runs_in_the_background(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_csv(tmp_path / "e.csv", rows=3000))
    QGuiApplication.clipboard().setText("")
    view.view.selectAll()
    view.copy_selection()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().count("\n") == 3000, timeout=10_000)
    assert QGuiApplication.clipboard().text().startswith("0\tPerson 0\t")
    assert model.rowCount() == 3000


def test_empty_file_fails_with_a_message(qtbot, view, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with qtbot.waitSignal(view.failed, timeout=10_000) as blocker:
        view.load(PreviewSource(path, "text/csv"))
    assert "empty" in blocker.args[0]
    assert view.stack.currentWidget() is view.error_label


def test_header_only_file_shows_columns(qtbot, view, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("id,name\n")
    model = load(qtbot, view, path)
    assert model.rowCount() == 0 and model.columnCount() == 2
    assert "0 rows" in view.info.text()


def test_png_labelled_csv_shows_something_without_crashing(qtbot, view, tmp_path):
    model = load(qtbot, view, samples.write_png(tmp_path / "shot.csv"))
    assert model.columnCount() >= 1


def test_loading_another_file_cancels_the_first(qtbot, view, tmp_path):
    big = samples.write_big_csv(tmp_path / "big.csv", 8)
    small = samples.write_csv(tmp_path / "small.csv", rows=3)
    view.load(PreviewSource(big))
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(small))
    qtbot.wait(50)
    assert view.model.rowCount() == 3


def test_header_row_can_be_switched_off_and_on(qtbot, view, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("Ann,Austin\nBob,Boston\n")  # all text: read as a header at first
    model = load(qtbot, view, path)
    assert view.header_button.isChecked()
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Ann" and model.rowCount() == 1
    with qtbot.waitSignal(view.finished, timeout=10_000):
        view.header_button.click()
    assert not view.header_button.isChecked()
    assert model.headerData(0, Qt.Orientation.Horizontal) == "column 1"
    assert column(model, 0) == ["Ann", "Bob"]
    with qtbot.waitSignal(view.finished, timeout=10_000):
        view.header_button.click()
    assert model.rowCount() == 1 and "header" in view.info.text()


def test_cell_texts_follow_new_rows_and_a_new_file(tmp_path):
    model = ArrowTableModel()
    first = table_data(tmp_path, "id,name\n1,Ann\n2,Bo\n")
    model.set_data(first)
    assert model.data(model.index(1, 1)) == "Bo"
    other = tmp_path / "other"
    other.mkdir()
    # Same columns, different rows: the texts shown before must not linger.
    model.set_data(table_data(other, "id,name\n7,Cy\n8,Di\n"))
    assert [model.data(model.index(r, 1)) for r in range(2)] == ["Cy", "Di"]
    model.set_order(__import__("numpy").array([1, 0]))
    assert [model.data(model.index(r, 1)) for r in range(2)] == ["Di", "Cy"]


def test_first_rows_texts_match_the_cells_in_view_order(tmp_path):
    model = ArrowTableModel()
    model.set_data(table_data(tmp_path, "id,score\n1,2.5\n2,\n3,1e3\n"))
    cells = [model.data(model.index(r, 1)) for r in range(3)]
    assert model.head_texts(1, 10) == cells == ["2.5", "", "1e3"]
    model.set_order(__import__("numpy").array([2, 0]))
    assert model.head_texts(1, 10) == ["1e3", "2.5"]


def test_headers_answer_only_the_roles_they_have(tmp_path):
    model = ArrowTableModel()
    model.set_data(table_data(tmp_path, "id,name\n1,Ann\n"))
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    assert model.headerData(1, horizontal) == "name"
    assert "name (" in model.headerData(1, horizontal, Qt.ItemDataRole.ToolTipRole)
    assert model.headerData(0, vertical) == "1"
    assert model.headerData(0, vertical, Qt.ItemDataRole.ToolTipRole) is None
    assert model.headerData(1, horizontal, Qt.ItemDataRole.FontRole) is None
    assert model.data(model.index(0, 1), Qt.ItemDataRole.FontRole) is None


class _PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def _growing_view(qtbot, tmp_path, rows: int):
    from dataclasses import replace

    from artifact_viewer.previews.table.previewer import _TableView

    data = table_data(tmp_path, "id,name\n" + "".join(f"{i},n{i}\n" for i in range(rows)))
    model = ArrowTableModel()
    model.set_data(data)
    view = _TableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    counter = _PaintCounter()
    view.viewport().installEventFilter(counter)
    more = replace(data, batches=[*data.batches, *data.batches])
    return view, model, more, counter


def test_rows_appended_below_a_full_screen_update_the_scrollbar_without_a_repaint(qtbot, tmp_path):
    # 2000 -> 4000 rows: the row numbers keep their width, so nothing on screen moves.
    view, model, more, counter = _growing_view(qtbot, tmp_path, 2000)
    qtbot.waitUntil(lambda: counter.paints > 0)
    qtbot.wait(50)
    before, painted = view.verticalScrollBar().maximum(), counter.paints
    view.append_rows(lambda: model.set_data(more))
    qtbot.wait(50)
    assert model.rowCount() == 4000
    assert view.verticalScrollBar().maximum() > before
    assert counter.paints == painted  # the cells on screen did not change
    view.scrollToBottom()
    qtbot.waitUntil(lambda: view.rowAt(view.viewport().height() - 1) == 3999)
    assert model.data(model.index(3999, 1)) == "n1999"


def test_rows_appended_into_empty_room_are_painted(qtbot, tmp_path):
    view, model, more, counter = _growing_view(qtbot, tmp_path, 3)
    qtbot.waitUntil(lambda: counter.paints > 0)
    painted = counter.paints
    view.append_rows(lambda: model.set_data(more))
    qtbot.waitUntil(lambda: counter.paints > painted)
    assert model.rowCount() == 6 and view.rowAt(view.rowViewportPosition(5) + 1) == 5


def test_row_numbers_get_their_final_width_from_the_first_screen(qtbot, tmp_path):
    # The first screen holds thousands of rows, the file ~10x more: a digit more.
    path = samples.write_big_csv(tmp_path / "big.csv", 24)
    view = TablePreviewer()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    widths: list[tuple[int, int]] = []

    def note() -> None:
        header = view.view.verticalHeader()
        widths.append((view.model.rowCount(), max(header.width(), header.minimumWidth())))

    view.ready.connect(note)
    with qtbot.waitSignal(view.finished, timeout=60_000):
        view.load(PreviewSource(path))
    qtbot.wait(20)
    note()
    view.cancel()
    (first_rows, first_width), (last_rows, last_width) = widths[0], widths[-1]
    assert len(str(last_rows)) > len(str(first_rows))
    assert first_width >= last_width


def _shown_previewer(qtbot) -> TablePreviewer:
    view = TablePreviewer()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_first_screen_is_painted_once_before_the_rest_of_the_file_is_read(
    qtbot, tmp_path, monkeypatch
):
    import threading

    from artifact_viewer.previews.table import load as table_load

    # The whole-file read is held until the checks are done, so nothing else repaints.
    release = threading.Event()
    read_all = table_load._read_all

    def held_read_all(*args, **kwargs):
        release.wait(30)
        return read_all(*args, **kwargs)

    monkeypatch.setattr(table_load, "_read_all", held_read_all)
    path = samples.write_big_csv(tmp_path / "big.csv", 8)
    view = _shown_previewer(qtbot)
    counter = _PaintCounter()
    view.view.viewport().installEventFilter(counter)
    order: list[str] = []
    view.ready.connect(lambda: order.append(f"ready after {counter.paints} paint(s)"))
    view.finished.connect(lambda: order.append("finished"))
    try:
        view.load(PreviewSource(path))
        shown = view.view.shown  # the event the loader waits on
        assert shown is not None and not shown.is_set()
        with qtbot.waitSignal(view.ready, timeout=30_000):
            pass
        # ready follows the first paint of rows, which also let the loader go on.
        assert order == ["ready after 1 paint(s)"]
        assert shown.is_set() and view.view.shown is None
        painted = counter.paints
        qtbot.wait(50)
        # Setting the column widths did not schedule a second paint of the same screen.
        assert counter.paints == painted == 1
        assert not view.complete
    finally:
        release.set()
    qtbot.waitUntil(lambda: order[-1] == "finished", timeout=60_000)
    assert order == ["ready after 1 paint(s)", "finished"]
    view.cancel()


def test_small_file_in_a_shown_previewer_sends_ready_before_finished(qtbot, tmp_path):
    view = _shown_previewer(qtbot)
    counter = _PaintCounter()
    view.view.viewport().installEventFilter(counter)
    order: list[str] = []
    view.ready.connect(lambda: order.append(f"ready after {counter.paints} paint(s)"))
    view.finished.connect(lambda: order.append("finished"))
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(samples.write_csv(tmp_path / "e.csv", rows=5)))
    assert order == ["ready after 1 paint(s)", "finished"]
    assert view.model.rowCount() == 5
    view.cancel()


def test_hidden_previewer_does_not_hold_the_load_back(qtbot, view, tmp_path):
    # ``view`` is never shown, so it never paints: the whole file is read at once.
    path = samples.write_big_csv(tmp_path / "big.csv", 8)
    seen: list[bool] = []
    view.ready.connect(lambda: seen.append(view.view.shown is None or view.view.shown.is_set()))
    load(qtbot, view, path)
    assert seen == [True]
    assert view.complete and view.model.rowCount() == view.model.table_data.rows


def test_first_screen_texts_come_ready_from_the_loader(tmp_path):
    from dataclasses import replace

    rows = "".join(f"{i},name {i},{i * 1.5},{i % 2 == 0}\n" for i in range(300))
    data = table_data(tmp_path, "id,name,score,flag\n" + rows)
    # A small file is read at once; the loader's head batch carries the same texts.
    path = samples.write_big_csv(tmp_path / "big.csv", 2)
    rec_data: list[TableData] = []

    class Keep(_NoProgress):
        def partial(self, obj: object) -> None:
            rec_data.append(obj)

    load_table(path, ".csv", None, Keep(), CancelToken())
    for d in (data, rec_data[0]):
        assert len(d.first_texts) == len(d.schema)
        ready, plain = ArrowTableModel(), ArrowTableModel()
        ready.set_data(d)
        plain.set_data(replace(d, first_texts=[]))
        shown_rows = len(d.first_texts[0])
        assert 0 < shown_rows < d.rows

        def no_arrow(*_args):
            raise AssertionError("cell converted from Arrow on the GUI thread")

        ready._value_at = no_arrow  # the first rows' texts are only looked up
        for r in range(shown_rows):
            for c in range(ready.columnCount()):
                assert ready.data(ready.index(r, c)) == plain.data(plain.index(r, c))


def test_release_frees_the_table_on_the_pool(qtbot, view, tmp_path, monkeypatch):
    import threading

    from artifact_viewer.previews.table import previewer as table_previewer

    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(300)))
    load(qtbot, view, path)
    data = view.model.table_data
    assert data is not None and view.model.rowCount() == 300
    seen: list[tuple[str, list]] = []
    let_go = table_previewer._let_go

    def recording(held, progress, cancel) -> None:
        seen.append((threading.current_thread().name, list(held)))
        let_go(held, progress, cancel)

    monkeypatch.setattr(table_previewer, "_let_go", recording)
    view.release()
    assert view.model.table_data is None and view.model.rowCount() == 0
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    thread, held = seen[0]
    assert thread != threading.main_thread().name
    assert any(item is data for item in held)
