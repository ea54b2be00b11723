"""Table diff: keys chosen or detected, cells old -> new, columns, tolerance, sums, content mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from artifact_viewer.core.compare import CompareOptions, CompareUsageError, TableDiff, compare_files


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def diff(tmp_path: Path, a: str, b: str, suffix: str = ".csv", **options) -> TableDiff:
    result = compare_files(
        write(tmp_path / f"a{suffix}", a),
        write(tmp_path / f"b{suffix}", b),
        CompareOptions(**options),
    )
    assert isinstance(result, TableDiff)
    return result


def test_detected_id_key_gives_added_removed_and_changed_cells_old_to_new(tmp_path) -> None:
    result = diff(
        tmp_path,
        "name,employee_id,salary\nAnn,1,100\nBob,2,200\nCy,3,300\n",
        "name,employee_id,salary\nAnn,1,100\nBob,2,250\nDi,4,400\n",
    )
    assert result.key == "employee_id"
    assert (result.rows_added, result.rows_removed, result.rows_changed) == (1, 1, 1)
    assert result.cells_changed == 1
    assert result.changes() == [
        {"op": "change", "key": "2", "cells": {"salary": ["200", "250"]}},
        {
            "op": "remove",
            "key": "3",
            "cells": {"name": ["Cy", None], "employee_id": ["3", None], "salary": ["300", None]},
        },
        {
            "op": "add",
            "key": "4",
            "cells": {"name": [None, "Di"], "employee_id": [None, "4"], "salary": [None, "400"]},
        },
    ]
    assert result.one_line() == "+1 row, -1 row, 1 cell changed"


def test_rows_in_another_order_match_by_key(tmp_path) -> None:
    result = diff(tmp_path, "id,v\n1,a\n2,b\n3,c\n", "id,v\n3,c\n1,a\n2,B\n")
    assert result.changes() == [{"op": "change", "key": "2", "cells": {"v": ["b", "B"]}}]


def test_cells_are_compared_as_the_file_wrote_them(tmp_path) -> None:
    result = diff(
        tmp_path, "id,amount,code\n1,1.0,007\n2,0.1,\n", "id,amount,code\n1,1.00,7\n2,0.1,\n"
    )
    assert result.changes() == [
        {"op": "change", "key": "1", "cells": {"amount": ["1.0", "1.00"], "code": ["007", "7"]}}
    ]


def test_tolerance_hides_small_numeric_changes_only(tmp_path) -> None:
    a, b = "id,x,t\n1,1.000,a\n2,5,b\n", "id,x,t\n1,1.004,a\n2,6,c\n"
    strict = diff(tmp_path, a, b)
    assert strict.cells_changed == 3
    loose = diff(tmp_path, a, b, tolerance=0.01)
    assert loose.changes() == [
        {"op": "change", "key": "2", "cells": {"x": ["5", "6"], "t": ["b", "c"]}}
    ]


def test_sum_deltas_per_numeric_column_without_float_noise(tmp_path) -> None:
    result = diff(
        tmp_path, "id,a,b,name\n1,0.1,1,x\n2,0.2,2,y\n", "id,a,b,name\n1,0.1,1,x\n2,0.3,5,z\n"
    )
    assert result.sum_deltas == {"a": 0.1, "b": 3}


def test_columns_added_removed_and_renamed(tmp_path) -> None:
    result = diff(
        tmp_path,
        "id,dept,old\n1,HR,x\n2,IT,y\n3,IT,z\n",
        "id,department,new\n1,HR,p\n2,IT,q\n3,IT,r\n",
    )
    assert result.columns_renamed == {"dept": "department"}
    assert result.columns_removed == ["old"] and result.columns_added == ["new"]
    assert result.rows_changed == 0 and not result.identical
    summary = result.summary()
    assert summary["columnsAdded"] == 1 and summary["columnsRemoved"] == 1
    assert summary["columnNamesAdded"] == ["new"] and summary["columnNamesRemoved"] == ["old"]


def test_chosen_key_with_duplicates_says_how_many_and_matches_by_content(tmp_path) -> None:
    result = diff(
        tmp_path,
        "dept,name\nHR,Ann\nHR,Bob\nIT,Cy\n",
        "dept,name\nHR,Ann\nIT,Cy\nIT,Di\n",
        key="dept",
    )
    assert result.key is None
    assert any("1 in A" in note and "1 in B" in note and "content" in note for note in result.notes)
    assert result.changes() == [
        {"op": "remove", "key": 2, "cells": {"dept": ["HR", None], "name": ["Bob", None]}},
        {"op": "add", "key": 3, "cells": {"dept": [None, "IT"], "name": [None, "Di"]}},
    ]


def test_without_a_key_rows_match_as_a_multiset_of_contents(tmp_path) -> None:
    result = diff(tmp_path, "a,b\nx,1\nx,1\ny,2\n", "a,b\ny,2\nx,1\n")
    assert result.key is None
    assert (result.rows_removed, result.rows_added) == (1, 0)
    assert result.changes()[0]["op"] == "remove"


def test_unknown_key_column_is_a_usage_error_naming_the_sides(tmp_path) -> None:
    with pytest.raises(CompareUsageError, match="'nope' is not in A and B"):
        diff(tmp_path, "id\n1\n", "id\n2\n", key="nope")


def test_tsv_and_quoted_newlines_are_read(tmp_path) -> None:
    result = diff(tmp_path, 'id\tnote\n1\t"a\nb"\n', 'id\tnote\n1\t"a\nc"\n', suffix=".tsv")
    assert result.changes() == [{"op": "change", "key": "1", "cells": {"note": ["a\nb", "a\nc"]}}]


def test_identical_tables(tmp_path) -> None:
    result = diff(tmp_path, "id,v\n1,a\n", "id,v\n1,a\n")
    assert result.identical and result.changes() == [] and result.one_line() == "identical"


def big_pair(tmp_path: Path, rows: int = 2000) -> tuple[Path, Path]:
    """Two registers; in B row 5 is edited, the last row removed and a row added."""
    lines = [f"{i},Employee {i},{i * 10}" for i in range(1, rows + 1)]
    edited = list(lines)
    edited[4] = "5,Employee 5,999"
    edited[-1] = f"{rows + 1},New hire,1"
    a = write(tmp_path / "a.csv", "id,name,pay\n" + "\n".join(lines) + "\n")
    b = write(tmp_path / "b.csv", "id,name,pay\n" + "\n".join(edited) + "\n")
    return a, b


def test_big_tables_send_the_changed_rows_of_their_first_rows_before_the_whole_diff(
    tmp_path, monkeypatch
) -> None:
    from artifact_viewer.core.compare import table

    monkeypatch.setattr(table, "HEAD_BYTES", 4096)
    a, b = big_pair(tmp_path)
    seen: list[TableDiff] = []
    result = compare_files(a, b, on_partial=seen.append)
    (first,) = seen
    assert first.partial and not first.identical
    assert 0 < first.rows_a < 2000 and first.key == "id"
    # Only what the first rows prove: the edited row; added and removed rows wait for the end.
    assert first.changes() == [{"op": "change", "key": "5", "cells": {"pay": ["50", "999"]}}]
    assert (first.rows_added, first.rows_removed) == (0, 0)
    assert "first" in first.one_line()
    assert not result.partial
    assert (result.rows_changed, result.rows_added, result.rows_removed) == (1, 1, 1)


def test_no_first_look_for_small_tables_or_when_the_first_rows_have_no_change(
    tmp_path, monkeypatch
) -> None:
    from artifact_viewer.core.compare import table

    a, b = big_pair(tmp_path)
    seen: list[TableDiff] = []
    compare_files(a, b, on_partial=seen.append)  # smaller than HEAD_BYTES: no first look
    assert seen == []
    monkeypatch.setattr(table, "HEAD_BYTES", 4096)
    lines = "".join(f"{i},x\n" for i in range(3000))
    a = write(tmp_path / "c.csv", "id,v\n" + lines)
    b = write(tmp_path / "d.csv", "id,v\n" + lines + "3000,y\n")
    compare_files(a, b, on_partial=seen.append)
    assert seen == []
