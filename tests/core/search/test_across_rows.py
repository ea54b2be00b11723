"""Words matched across a file: every word in one row ranks first, then files holding every
word in different rows (one hit each, at the first word); the window's ``text:`` filter
asks which artifacts hold every word anywhere."""

from __future__ import annotations

import pytest

from artifact_viewer.core.search import QueryError
from artifact_viewer.core.search.finder import artifacts_with_content, docs_with_term

# E00042's name is on a row of its own in the roster; the payslip has both on one row.
ROSTER = b"id,dept\nE00042,Payroll\nE00007,Sales\n\nname,city\nSmith,Leeds\nJones,York\n"
PAYSLIP = b"employee,name,net\nE00042,Smith,2100\n"
LOG = b"checked E00042\nok\nchecked Jones\n"
OTHER = b"id,name\nE00099,Smith\n"


def seed(store):
    store.add("roster", ROSTER, "roster.csv", run_id="run-new", created="2025-03-01T00:00:00Z")
    store.add("payslip", PAYSLIP, "slip.csv", run_id="run-old", created="2025-01-01T00:00:00Z")
    store.add("log", LOG, "check.log", run_id="run-mid", created="2025-02-01T00:00:00Z")
    store.add("other", OTHER, "other.csv", run_id="run-mid", created="2025-02-02T00:00:00Z")
    store.sync()


def test_rows_holding_every_word_come_first_then_files_holding_them_across_rows(search_store):
    seed(search_store)
    hits = search_store.find("E00042 Smith").hits
    assert [(h.artifact_id, h.across_rows) for h in hits] == [
        ("payslip", False),  # one row has both: first, though its run is the oldest
        ("roster", True),  # both words, in different rows
    ]
    across = hits[1]
    assert across.location == {"row": 1, "column": "id"}  # at the first word's first row
    assert across.marked() == "«E00042» | Payroll"


def test_across_rows_keeps_excludes_and_needs_every_word(search_store):
    seed(search_store)
    assert [h.artifact_id for h in search_store.find("E00042 Jones").hits] == ["roster", "log"]
    assert [h.artifact_id for h in search_store.find("E00042 Jones -Leeds").hits] == ["log"]
    assert search_store.find("E00042 Nobody").hits == []
    # one word alone is found per row only (a file holding it has a row holding it)
    assert all(not h.across_rows for h in search_store.find("Smith").hits)


def test_content_filter_gives_the_artifacts_holding_every_word_anywhere(search_store):
    seed(search_store)
    search_store.indexer.index_pending()
    index = search_store.index
    assert artifacts_with_content(index, ["e00042", "SMITH"]) == (
        frozenset({"roster", "payslip"}),
        True,
    )
    assert artifacts_with_content(index, ["Smith"])[0] == {"roster", "payslip", "other"}
    assert artifacts_with_content(index, ["checked Jones"])[0] == {"log"}  # a phrase
    assert artifacts_with_content(index, ["Smith", "21"])[0] == {"payslip"}  # short: per row
    assert artifacts_with_content(index, ["zzqxq"])[0] == frozenset()
    with pytest.raises(QueryError):
        artifacts_with_content(index, ["ab"])


def test_a_word_in_too_many_files_is_cut_short_and_said(search_store, monkeypatch):
    seed(search_store)
    search_store.indexer.index_pending()
    index = search_store.index
    assert len(docs_with_term(index, "E000")) == 4
    assert docs_with_term(index, "E000", cap=2) is None
    monkeypatch.setattr("artifact_viewer.core.search.finder.MAX_FILE_DOCS", 1)
    result = search_store.find("E00 Smith")  # both words in more files than that
    assert not result.complete and any("first 1 files" in n for n in result.notes)
