"""Cells show the file's text exactly; odd rows are shown or counted in a visible note."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.table.load import TableData, load_table
from artifact_viewer.previews.table.previewer import TablePreviewer
from artifact_viewer.previews.table.query import Query, run_query
from artifact_viewer.previews.table.stats import table_stats
from artifact_viewer.previews.table.types import infer_column

AS_WRITTEN = [
    "02115",
    "00012345678901234567",
    "4495.90",
    "7.00",
    "1e3",
    "TRUE",
    "-0",
    " padded ",
    "NaN",
    "null",
    "N/A",
]


class _Quiet:
    def __call__(self, done: int, total: int = 0) -> None:
        pass

    def partial(self, obj: object) -> None:
        pass


def load(path: Path) -> TableData:
    return load_table(path, path.suffix, None, _Quiet(), CancelToken())


def cells(data: TableData) -> list[list[str | None]]:
    table = data.table()
    return [list(row.values()) for row in table.to_pylist()]


def note_of(data: TableData) -> str:
    return " · ".join(data.notes)


@pytest.mark.parametrize("text", AS_WRITTEN)
def test_every_cell_is_the_files_text(tmp_path, text):
    path = tmp_path / "v.csv"
    path.write_text(f"name,value\nfirst,{text}\nsecond,1\n")
    assert cells(load(path))[0] == ["first", text]


def test_empty_and_quoted_empty_cells_are_empty_text(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text('a,b,c\n1,"",\n2,3,4\n')
    assert cells(load(path)) == [["1", "", ""], ["2", "3", "4"]]


def test_header_and_one_row_without_final_newline(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("first,last,zip\nJohn,Doe,08123")
    data = load(path)
    assert data.names == ["first", "last", "zip"]
    assert cells(data) == [["John", "Doe", "08123"]]
    assert not note_of(data)


def test_ragged_rows_are_shown_at_their_rows_and_noted(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("a,b,c\n1,2,3\n4,5,6,7\n8,9\n10,11,12")
    data = load(path)
    assert data.names == ["a", "b", "c", "(extra fields)"]
    assert cells(data) == [
        ["1", "2", "3", None],
        ["4", "5", "6", "7"],
        ["8", "9", None, None],
        ["10", "11", "12", None],
    ]
    assert data.ragged == {1: "4 fields, expected 3", 2: "2 fields, expected 3"}
    assert data.skipped == 0
    assert (
        "2 rows have the wrong number of fields, shown marked (missing cells empty, extra "
        "fields in the (extra fields) column): row 3 has 4 fields, expected 3; "
        "row 4 has 2 fields, expected 3"
    ) in data.notes
    assert not any("could not be read" in n for n in data.notes)


def test_only_short_rows_add_no_extra_column(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text('a,b,c\n1,2,3\n"x, y"\n4,5,6\n')
    data = load(path)
    assert data.names == ["a", "b", "c"]
    assert cells(data) == [["1", "2", "3"], ["x, y", None, None], ["4", "5", "6"]]
    assert "1 row has the wrong number of fields, shown marked (missing cells empty)" in (
        note_of(data)
    )


def test_a_long_rows_extra_fields_keep_their_text(tmp_path):
    path = tmp_path / "l.tsv"
    path.write_text("id\tname\n1\tAnn\n2\tBob\t007\t\t0.50\n3\tCy\n")
    data = load(path)
    assert cells(data)[1] == ["2", "Bob", "007\t\t0.50"]
    assert cells(data)[0] == ["1", "Ann", None]


def test_ragged_rows_far_apart_keep_their_places(tmp_path):
    lines = ["a,b"] + [f"{i},{i}" for i in range(60_000)]
    lines[10] = "short"
    lines[45_000] = "x,y,z"
    lines.append("last")
    path = tmp_path / "far.csv"
    path.write_text("\n".join(lines) + "\n")
    data = load(path)
    rows = cells(data)
    assert len(rows) == 60_001
    assert rows[9] == ["short", None, None]
    assert rows[44_999] == ["x", "y", "z"]
    assert rows[-1] == ["last", None, None]
    assert rows[8] == ["8", "8", None] and rows[45_000] == ["45000", "45000", None]
    assert sorted(data.ragged) == [9, 44_999, 60_000]


def test_a_quote_that_never_closes_is_noted(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('a,b\n1,2\n3,"four\n5,6\n7,8\n')
    data = load(path)
    assert cells(data)[0] == ["1", "2"]
    assert cells(data)[1] == ["3", "four\n5,6\n7,8\n"]
    assert "A quote in row 3 never closes" in note_of(data)


def test_a_closed_multiline_last_cell_is_not_noted(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('a,b\n1,"two\nlines"\n')
    data = load(path)
    assert cells(data) == [["1", "two\nlines"]]
    assert not note_of(data)


def test_nul_bytes_stay_in_their_cells(tmp_path):
    path = tmp_path / "n.csv"
    path.write_bytes(b"a,b\n1,x\x00y\n2,3\n")
    assert cells(load(path)) == [["1", "x\x00y"], ["2", "3"]]


def test_mixed_line_endings_lose_no_row(tmp_path):
    path = tmp_path / "m.csv"
    path.write_bytes(b"a,b\r\n1,2\r3,4\n5,6\r\n7,8")
    assert [row[0] for row in cells(load(path))] == ["1", "3", "5", "7"]


def test_big_file_keeps_zip_codes_ids_and_amounts(tmp_path):
    lines = ["zip,id,amount"]
    lines += [f"{i % 100000:05d},{i:020d},{i % 9999}.{i % 10}0" for i in range(150_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    data = load(path)
    got = data.table()
    assert got.column(0).to_pylist()[:3] == ["00000", "00001", "00002"]
    assert got.column(1).to_pylist()[-1] == f"{149_999:020d}"
    assert got.column(2).to_pylist()[10] == "10.00"
    assert data.rows == 150_000


def test_types_are_inferred_from_the_texts_for_sorting_only(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("n,when\n10,2024-03-01\n9,2024-01-31\n100,\n-1,2023-12-31\n")
    data = load(path)
    table = data.table()
    assert pa.types.is_integer(infer_column(table.column(0)).type)
    assert pa.types.is_date(infer_column(table.column(1)).type)
    order = run_query(table, Query(sort_column=0), None, None, CancelToken())
    assert [table.column(0)[int(i)].as_py() for i in order] == ["-1", "9", "10", "100"]
    order = run_query(table, Query(sort_column=1), None, None, CancelToken())
    assert [table.column(1)[int(i)].as_py() for i in order] == [
        "2023-12-31",
        "2024-01-31",
        "2024-03-01",
        "",
    ]


def test_stats_type_columns_by_their_texts(tmp_path):
    path = tmp_path / "st.csv"
    path.write_text("amount,flag,code\n4495.90,TRUE,A1\n7.00,false,B2\n,true,C3\n")
    table = load(path).table()
    stats = table_stats(table, ["amount", "flag", "code"], None, CancelToken())
    assert [s.kind for s in stats] == ["decimal", "boolean", "text"]
    assert stats[0].nulls == 1 and stats[0].maximum == pytest.approx(4495.9)


def test_copy_gives_the_files_text(qtbot, tmp_path):
    view = TablePreviewer()
    qtbot.addWidget(view)
    path = tmp_path / "c.csv"
    path.write_text("zip,amount,flag\n02115,4495.90,TRUE\n")
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(path, "text/csv"))
    model = view.model
    assert [model.data(model.index(0, c)) for c in range(3)] == ["02115", "4495.90", "TRUE"]
    selection = QItemSelection(model.index(0, 0), model.index(0, 2))
    view.view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.Select)
    view.copy_selection()
    assert QGuiApplication.clipboard().text() == "02115\t4495.90\tTRUE\n"
    view.cancel()


def test_ragged_rows_are_marked_in_the_view_and_noted(qtbot, tmp_path):
    view = TablePreviewer()
    qtbot.addWidget(view)
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1,2\n3,4,5\n6\n")
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(path, "text/csv"))
    assert "2 rows have the wrong number of fields, shown marked" in view.info.text()
    model = view.model
    assert model.rowCount() == 3
    assert [model.data(model.index(1, c)) for c in range(3)] == ["3", "4", "5"]
    assert [model.data(model.index(2, c)) for c in range(3)] == ["6", "", ""]
    background = Qt.ItemDataRole.BackgroundRole
    assert model.data(model.index(1, 2), background) is not None  # the extra field
    assert model.data(model.index(2, 1), background) is not None  # a missing field
    assert model.data(model.index(2, 0), background) is None
    assert model.data(model.index(0, 1), background) is None
    assert model.data(model.index(0, 2), background) is None  # no extra field here
    assert "missing" in model.data(model.index(2, 1), Qt.ItemDataRole.ToolTipRole)
    assert "1 field, expected 2" in model.headerData(
        2, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole
    )
    view.cancel()


def test_text_form_quotes_cells_like_a_copy():
    from artifact_viewer.previews.table.previewer import _tsv_field, _tsv_rows

    cells = ["plain", "tab\there", 'say "hi"', "two\nlines", "cr\rhere", "", None, " x "]
    batch = pa.record_batch(
        [pa.array(cells, pa.string()), pa.array(["z"] * len(cells))], ["a", "b"]
    )
    expected = "".join(f"{_tsv_field(c or '')}\tz\n" for c in cells)
    assert _tsv_rows(batch) == expected
