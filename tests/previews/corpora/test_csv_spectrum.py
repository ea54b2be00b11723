"""csv-spectrum: each table is exactly the rows and cell texts of its JSON, through the
same text form ``preview --dump`` writes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from artifact_viewer.previews.dump import show_and_dump
from tests.previews.corpora.conftest import corpus_files, params

CSV_FILES = corpus_files("csv/csvs", "*.csv")
#: the corpus's own slip: its JSON gives a phone number the CSV does not hold
_SLIPS = {("location_coordinates.csv", "Contact Phone Number")}


def read_tsv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))


def expected_table(path: Path) -> tuple[list[str], list[list[str]]]:
    records = json.loads((path.parent.parent / "json" / f"{path.stem}.json").read_text("utf-8"))
    if isinstance(records, dict):  # a one-row table is written as its record
        records = [records]
    header = list(records[0])
    rows = [[record[name] for name in header] for record in records]
    # Where the corpus slipped, the cell is what the CSV itself holds (read by Python).
    with path.open(encoding="utf-8", newline="") as fh:
        original = list(csv.DictReader(fh))
    for col, name in enumerate(header):
        if (path.name, name) in _SLIPS:
            for row, record in zip(rows, original, strict=True):
                row[col] = record[name]
    return header, rows


@pytest.mark.parametrize("path", params(CSV_FILES))
def test_table_equals_the_expected_json_cell_for_cell(host, path: Path):
    shown = show_and_dump(path, "text/csv", host=host)
    assert shown.kind == "table" and not shown.error
    header, rows = expected_table(path)
    got = read_tsv(shown.text)
    assert got[0] == header
    assert got[1:] == rows


@pytest.mark.parametrize("label", ["application/json", "image/png", "application/pdf"])
@pytest.mark.parametrize("path", params(CSV_FILES))
def test_under_a_wrong_label_it_ends_shown_or_refused(host, path: Path, label: str):
    shown = show_and_dump(path, label, host=host)
    assert "unexpected error" not in shown.error.lower()
    assert shown.kind is not None
