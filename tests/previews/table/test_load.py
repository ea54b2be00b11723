"""Delimited files: sniffing encoding/dialect/header, streaming into Arrow, odd inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled, PreviewError
from artifact_viewer.previews.table import load as load_module
from artifact_viewer.previews.table.dialect import sniff_format
from artifact_viewer.previews.table.load import load_table
from artifact_viewer.previews.table.query import Query, cells_tsv, run_query
from artifact_viewer.previews.table.stats import table_stats
from artifact_viewer.previews.table.types import infer_column
from tests.previews import samples


class Recorder:
    def __init__(self) -> None:
        self.ticks: list[tuple[int, int]] = []
        self.partials: list = []

    def __call__(self, done: int, total: int = 0) -> None:
        self.ticks.append((done, total))

    def partial(self, obj: object) -> None:
        self.partials.append(obj)


def load(path: Path, rec: Recorder | None = None):
    return load_table(path, path.suffix, None, rec or Recorder(), CancelToken())


def rows_of(data) -> list[dict]:
    table = data.table()
    return [dict(zip(data.names, r.values(), strict=True)) for r in table.to_pylist()]


def write(tmp_path: Path, data: bytes | str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    ("delimiter", "suffix"), [(",", ".csv"), (";", ".csv"), ("\t", ".tsv"), ("|", ".txt")]
)
def test_delimiter_is_sniffed(tmp_path, delimiter, suffix):
    path = samples.write_csv(tmp_path / f"d{suffix}", rows=6, delimiter=delimiter)
    data = load(path)
    assert data.fmt.delimiter == delimiter
    assert data.names == ["id", "name", "salary", "city"]
    assert data.rows == 6
    assert rows_of(data)[1]["name"] == f"Doe{delimiter} Jane 1"  # quoted delimiter kept


def test_cells_are_text_with_column_kinds_guessed_and_progress_reported(tmp_path):
    rec = Recorder()
    data = load(samples.write_csv(tmp_path / "t.csv", rows=10), rec)
    assert data.complete
    assert all(pa.types.is_string(f.type) for f in data.schema)
    assert pa.types.is_integer(data.kinds[0])
    assert pa.types.is_floating(data.kinds[2])
    assert rec.ticks[-1] == (data.size, data.size)
    assert rec.partials and rec.partials[0].rows > 0


def test_quoted_newlines_stay_inside_their_field(tmp_path):
    data = load(write(tmp_path, 'id,note\n1,"line one\nline two"\n2,plain\n'))
    assert rows_of(data) == [
        {"id": "1", "note": "line one\nline two"},
        {"id": "2", "note": "plain"},
    ]


def test_mixed_line_endings(tmp_path):
    data = load(write(tmp_path, "a,b\r\n1,2\n3,4\r5,6\r\n"))
    assert [r["a"] for r in rows_of(data)] == ["1", "3", "5"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8"])
def test_bom_encodings(tmp_path, encoding):
    path = samples.write_text(
        tmp_path / "u.csv", "name;city\nZoë;Köln\nÅsa;Malmö\n", encoding, bom=True
    )
    data = load(path)
    assert rows_of(data) == [{"name": "Zoë", "city": "Köln"}, {"name": "Åsa", "city": "Malmö"}]


def test_latin1_falls_back_with_a_note(tmp_path):
    text = "name,city\n" + "".join(f"Zoë {i},Köln\n" for i in range(50))
    data = load(write(tmp_path, text.encode("latin-1")))
    assert rows_of(data)[0] == {"name": "Zoë 0", "city": "Köln"}
    assert any("Not UTF-8" in n for n in data.notes)


def test_header_is_detected_or_not():
    assert sniff_format(b"id,name\n1,Ann\n2,Bob\n").header
    assert not sniff_format(b"1,Ann\n2,Bob\n").header
    assert not sniff_format(b"a,a\nx,y\n").header  # duplicate names are data, not a header
    fmt = sniff_format(b"1,Ann\n2,Bob\n")
    assert fmt.names == ["column 1", "column 2"]


def test_headerless_file_keeps_its_first_row(tmp_path):
    data = load(write(tmp_path, "1,Ann\n2,Bob\n"))
    assert data.names == ["column 1", "column 2"]
    assert data.rows == 2


def test_header_only_file_has_columns_and_no_rows(tmp_path):
    data = load(write(tmp_path, "id,name,city\n"))
    assert data.names == ["id", "name", "city"]
    assert data.rows == 0 and data.complete


def test_one_column_file(tmp_path):
    data = load(write(tmp_path, "name\nAnn\nBob\n"))
    assert data.names == ["name"] and data.rows == 2


def test_ragged_rows_are_shown_and_reported(tmp_path):
    data = load(write(tmp_path, "a,b\n1,2\n3,4,5\n6\n7,8\n"))
    assert [r["a"] for r in rows_of(data)] == ["1", "3", "6", "7"]
    assert data.skipped == 0
    assert (
        "2 rows have the wrong number of fields, shown marked (missing cells empty, extra "
        "fields in the (extra fields) column): row 3 has 3 fields, expected 2; "
        "row 4 has 1 field, expected 2"
    ) in data.notes


def test_ragged_rows_beyond_the_limit_are_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(load_module, "MAX_RAGGED_ROWS", 2)
    data = load(write(tmp_path, "a,b\n1,2\n3\n4\n5\n6,7\n8\n"))
    assert [r["a"] for r in rows_of(data)] == ["1", "3", "4", "6"]
    assert data.skipped == 2
    assert "2 more rows with the wrong number of fields could not be read" in " ".join(data.notes)


def test_a_later_value_of_another_kind_is_shown_as_written(tmp_path):
    lines = ["id,code"] + [f"{i},{i}" for i in range(200_000)] + ["200000,N-A-X"]
    data = load(write(tmp_path, "\n".join(lines) + "\n"))
    assert data.rows == 200_001
    assert rows_of(data)[-1] == {"id": "200000", "code": "N-A-X"}


def test_empty_file_is_a_clear_error(tmp_path):
    with pytest.raises(PreviewError, match="empty"):
        load(write(tmp_path, b""))


def test_binary_bytes_labelled_csv_do_not_crash(tmp_path):
    data = load(samples.write_binary(tmp_path / "x.csv", 4096))
    assert data.complete
    assert len(data.names) >= 1


def test_json_labelled_csv_still_reads_as_some_table(tmp_path):
    data = load(samples.write_json(tmp_path / "x.csv"))
    assert data.complete and data.rows > 0


def test_cancel_stops_loading(tmp_path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        load_table(samples.write_csv(tmp_path / "t.csv"), ".csv", None, Recorder(), token)


def test_big_file_sends_the_first_screen_before_the_end(tmp_path):
    path = samples.write_big_csv(tmp_path / "big.csv", 12)
    rec = Recorder()
    data = load(path, rec)
    first = rec.partials[0]
    assert 0 < first.rows < data.rows
    assert data.rows > 100_000
    assert len({t[0] for t in rec.ticks}) > 3  # progress moved in steps


def test_filter_cache_keeps_lowercased_columns():
    table = pa.table({"n": [10, 21], "s": ["ANN", "bob"]})
    cache: dict = {}
    assert run_query(table, Query("ann"), cache, None, CancelToken()).tolist() == [0]
    assert sorted(cache) == [0, 1] and cache[1].to_pylist() == ["ann", "bob"]
    assert run_query(table, Query("1"), cache, None, CancelToken()).tolist() == [0, 1]


def test_filter_and_sort_give_row_permutations():
    table = pa.table({"n": [3, 1, None, 2], "s": ["Ann", "bob", "Cara", "anna"]})
    cancel = CancelToken()
    assert run_query(table, Query(), None, None, cancel) is None
    assert run_query(table, Query("ann"), None, None, cancel).tolist() == [0, 3]
    assert run_query(table, Query("1", column=0), None, None, cancel).tolist() == [1]
    assert run_query(table, Query(sort_column=0), None, None, cancel).tolist() == [1, 3, 0, 2]
    assert run_query(table, Query(sort_column=0, descending=True), None, None, cancel).tolist() == [
        0,
        3,
        1,
        2,
    ]
    assert run_query(table, Query("a", sort_column=1), None, None, cancel).tolist() == [0, 2, 3]


def test_stats_per_column():
    table = pa.table({"n": [3, 1, None, 2, 2], "s": ["x", "yy", None, "x", "z"], "e": pa.nulls(5)})
    n, s, e = table_stats(table, ["n", "s", "e"], None, CancelToken())
    assert (n.kind, n.nulls, n.distinct, n.minimum, n.maximum, n.mean) == (
        "integer",
        1,
        3,
        1,
        3,
        2.0,
    )
    assert n.counts is not None and int(n.counts.sum()) == 4
    assert (s.kind, s.nulls, s.distinct, s.minimum, s.maximum) == ("text", 1, 3, "x", "z")
    assert not s.numeric
    assert (e.kind, e.nulls, e.distinct) == ("empty", 5, 0)


def test_cells_tsv_quotes_tabs_and_newlines():
    table = pa.table({"a": [1, 2], "b": ["x\ty", 'say "hi"\n']})
    text = cells_tsv(table, np.array([1, 0]), [1, 0], None, CancelToken())
    assert text == '"say ""hi""\n"\t2\n"x\ty"\t1\n'


def test_header_can_be_forced_either_way(tmp_path):
    path = write(tmp_path, "id,name\n1,Ann\n")
    forced_off = load_table(path, ".csv", False, Recorder(), CancelToken())
    assert forced_off.names == ["column 1", "column 2"] and forced_off.rows == 2
    path2 = write(tmp_path, "1,Ann\n2,Bob\n", "n.csv")
    forced_on = load_table(path2, ".csv", True, Recorder(), CancelToken())
    assert forced_on.names == ["1", "Ann"] and forced_on.rows == 1


def test_cancel_in_the_middle_of_streaming_stops_cleanly(tmp_path):
    path = samples.write_big_csv(tmp_path / "big.csv", 8)
    token = CancelToken()

    class CancelAfterFirstScreen(Recorder):
        def partial(self, obj: object) -> None:
            super().partial(obj)
            token.cancel()

    rec = CancelAfterFirstScreen()
    with pytest.raises(Cancelled):
        load_table(path, ".csv", None, rec, token)
    assert len(rec.partials) == 1


def test_whole_file_keeps_the_first_screen_batches_in_front(tmp_path):
    path = samples.write_big_csv(tmp_path / "big.csv", 6)
    rec = Recorder()
    data = load(path, rec)
    first = rec.partials[0]
    # The first screen's rows stay where they are: the view appends the rest below them.
    assert data.schema.equals(first.schema)
    assert all(a is b for a, b in zip(first.batches, data.batches, strict=False))
    assert data.rows > first.rows
    assert data.table().slice(0, first.rows).equals(first.table())


def test_rows_of_the_whole_file_arrive_in_order_once(tmp_path):
    lines = ["id,name"] + [f"{i},n{i}" for i in range(150_000)]
    data = load(write(tmp_path, "\n".join(lines) + "\n"))
    assert data.table().column(0).to_pylist() == [str(i) for i in range(150_000)]


def test_column_empty_in_the_head_keeps_its_later_texts(tmp_path):
    lines = ["id,later"] + [f"{i}," for i in range(150_000)] + [f"{i},{i * 2}" for i in range(10)]
    data = load(write(tmp_path, "\n".join(lines) + "\n"))
    assert data.rows == 150_010
    assert data.table().column(1).to_pylist()[-2:] == ["16", "18"]
    assert pa.types.is_integer(infer_column(data.table().column(1)).type)


def test_ragged_rows_in_head_and_tail_are_shown_once(tmp_path):
    lines = ["a,b", "0,0", "1,2,3"] + [f"{i},{i}" for i in range(1, 150_000)] + ["9", "8,8,8"]
    data = load(write(tmp_path, "\n".join(lines) + "\n"))
    assert data.rows == 150_003
    assert data.skipped == 0
    assert sorted(data.ragged) == [1, 150_001, 150_002]
    note = next(n for n in data.notes if "wrong number of fields" in n)
    assert note.startswith("3 rows have the wrong number of fields, shown marked")
    assert "row 3 has 3 fields, expected 2" in note
    assert rows_of(data)[-2:] == [
        {"a": "9", "b": None, "(extra fields)": None},
        {"a": "8", "b": "8", "(extra fields)": "8"},
    ]


def test_cancel_during_the_whole_file_read_stops_it_early(tmp_path):
    path = samples.write_big_csv(tmp_path / "big.csv", 8)
    size = path.stat().st_size
    token = CancelToken()

    class CancelOnProgress(Recorder):
        def __call__(self, done: int, total: int = 0) -> None:
            super().__call__(done, total)
            if self.partials and done > 3 * 1024 * 1024:
                token.cancel()

    rec = CancelOnProgress()
    with pytest.raises(Cancelled):
        load_table(path, ".csv", None, rec, token)
    assert len(rec.partials) == 1
    assert max(done for done, _ in rec.ticks) < size


def _load_in_thread(path: Path, rec: Recorder, token: CancelToken, shown):
    import threading

    out: dict[str, object] = {}

    def run() -> None:
        try:
            out["data"] = load_table(path, ".csv", None, rec, token, shown=shown)
        except BaseException as exc:  # noqa: BLE001 (handed to the test)
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_whole_file_read_waits_until_the_first_screen_is_shown(tmp_path, monkeypatch):
    import threading

    from artifact_viewer.previews.table import load as table_load

    monkeypatch.setattr(table_load, "SHOWN_WAIT_S", 30.0)
    path = samples.write_big_csv(tmp_path / "big.csv", 8)
    shown = threading.Event()

    class Noting(Recorder):
        def partial(self, obj: object) -> None:
            super().partial(obj)
            partial_sent.set()

    partial_sent = threading.Event()
    rec = Noting()
    thread, out = _load_in_thread(path, rec, CancelToken(), shown)
    try:
        assert partial_sent.wait(30)
        thread.join(0.3)
        # Still waiting: nothing past the first screen's block has been read.
        assert thread.is_alive()
        first_bytes = rec.partials[0].bytes_read
        assert max(done for done, _ in rec.ticks) == first_bytes < path.stat().st_size
    finally:
        shown.set()
        thread.join(60)
    data = out["data"]
    assert data.complete and data.rows > rec.partials[0].rows


def test_cancel_while_waiting_for_the_first_screen_stops_the_load(tmp_path, monkeypatch):
    import threading

    from artifact_viewer.previews.table import load as table_load

    monkeypatch.setattr(table_load, "SHOWN_WAIT_S", 30.0)
    path = samples.write_big_csv(tmp_path / "big.csv", 8)
    token = CancelToken()

    class CancelAfterFirstScreen(Recorder):
        def partial(self, obj: object) -> None:
            super().partial(obj)
            token.cancel()

    rec = CancelAfterFirstScreen()
    thread, out = _load_in_thread(path, rec, token, threading.Event())
    thread.join(20)  # well before the 30 s wait would have run out
    assert not thread.is_alive()
    assert isinstance(out.get("error"), Cancelled)
    assert len(rec.partials) == 1
