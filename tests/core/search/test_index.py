"""The index in step with the cache: downloads indexed, evictions/purges/failed verification
removed, damaged or older index files rebuilt; hits located and ordered."""

from __future__ import annotations

import json
import sqlite3

import pytest

from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.search import Indexer, QueryError, SearchIndex, parse_query
from artifact_viewer.core.search.finder import search
from artifact_viewer.core.search.index import index_path

CSV = b"id,name,amount\nE00001,Ada Lovelace,10\nE00042,Grace Hopper,20\n"
LOG = b"start\nconnecting\nERROR timeout talking to E00042\ndone\n"
JSON_DOC = json.dumps({"employees": [{"id": "E00042", "first name": "Grace"}]}).encode()


def seed(store):
    store.add("a-csv", CSV, "payroll.csv", run_id="run-old", created="2025-01-01T00:00:00Z")
    store.add("a-log", LOG, "run.log", run_id="run-new", created="2025-03-01T00:00:00Z")
    store.add("a-json", JSON_DOC, "people.json", run_id="run-mid", created="2025-02-01T00:00:00Z")
    store.sync()


def test_hits_are_located_per_kind_and_newest_run_comes_first(search_store):
    seed(search_store)
    hits = search_store.find("E00042").hits
    assert [(h.artifact_id, h.location) for h in hits] == [
        ("a-log", {"line": 3}),
        ("a-json", {"path": "$.employees[0].id"}),
        ("a-csv", {"row": 2, "column": "id"}),
    ]
    assert hits[0].marked() == "ERROR timeout talking to «E00042»"
    assert hits[2].snippet == "E00042 | Grace Hopper | 20"


def test_words_are_anded_case_insensitively_phrases_kept_and_excludes_applied(search_store):
    seed(search_store)
    assert [h.location for h in search_store.find("grace HOPPER").hits] == [
        {"row": 2, "column": "name"}
    ]
    assert search_store.find('"hopper grace"').hits == []
    assert [h.artifact_id for h in search_store.find("E00042 -timeout").hits] == [
        "a-json",
        "a-csv",
    ]


def test_short_words_narrow_a_search_and_filters_combine(search_store):
    seed(search_store)
    assert [h.location for h in search_store.find("E000 20").hits] == [{"row": 2, "column": "id"}]
    assert [h.artifact_id for h in search_store.find("E00042 run:run-mid").hits] == ["a-json"]
    hits = search_store.find("E00042 since:2025-02-15").hits
    assert [h.artifact_id for h in hits] == ["a-log"]
    with pytest.raises(QueryError):
        search_store.find("E0")


def test_names_and_types_are_searchable_as_metadata(search_store):
    seed(search_store)
    hits = search_store.find("payroll").hits
    assert [(h.artifact_id, h.location) for h in hits] == [("a-csv", {"field": "name"})]


def test_notes_on_an_artifact_or_its_run_are_searchable(search_store):
    seed(search_store)
    search_store.library.set_note("a-json", "Checked by payroll team")
    search_store.library.set_note("run-old", "Quarter close, reviewed")
    assert [(h.artifact_id, h.location) for h in search_store.find("payroll team").hits] == [
        ("a-json", {"field": "note"})
    ]
    assert [(h.artifact_id, h.location) for h in search_store.find("reviewed").hits] == [
        ("a-csv", {"field": "runNote"})
    ]


def test_a_note_added_between_two_queries_is_found_by_the_second(search_store):
    seed(search_store)
    assert search_store.find("E00042").hits  # the searchable artifacts are read and kept
    assert search_store.find("quarterly audit").hits == []
    search_store.library.set_note("a-log", "quarterly audit")  # another connection writes
    hits = search_store.find("quarterly audit").hits
    assert [(h.artifact_id, h.location) for h in hits] == [("a-log", {"field": "note"})]


def test_syntax_characters_in_a_query_never_error(search_store):
    seed(search_store)
    for text in ['E00042"', "NEAR(E00042)", "E00042*", "id:E00042", "AND OR NOT", "(((("]:
        search_store.find(text)


def test_downloads_are_indexed_in_the_background_and_leave_the_index_when_purged(search_store):
    store = search_store
    store.indexer.start()
    seed(store)
    assert store.indexer.wait_idle(30)
    assert store.indexer.pending() == 0
    assert store.index.stats().documents == 3
    assert search(store.index, parse_query("Lovelace")).hits
    store.library.purge()
    assert store.indexer.wait_idle(30)
    assert store.index.stats().documents == 0
    assert search(store.index, parse_query("Lovelace")).hits == []


def test_eviction_under_quota_removes_the_evicted_file_from_the_index(search_store):
    store = search_store
    seed(store)
    store.indexer.index_pending()
    store.library.settings.cache_quota_bytes = len(LOG) + len(JSON_DOC)
    store.indexer.start()
    evicted = store.library.enforce_quota()
    assert evicted  # the oldest-opened file went
    assert store.indexer.wait_idle(30)
    assert store.index.stats().documents == 3 - len(evicted)
    store.indexer.index_pending()
    assert store.indexer.pending() == 0 and store.index.stats().documents == 3 - len(evicted)


def test_a_file_that_fails_verification_leaves_the_index(search_store):
    store = search_store
    seed(store)
    store.indexer.index_pending()
    path = store.library.cached_path("a-log")
    path.chmod(0o600)
    path.write_bytes(LOG.replace(b"ERROR", b"error"))
    store.indexer.start()
    assert store.library.verify("a-log").value == "mismatch"
    assert store.indexer.wait_idle(30)
    assert [h.artifact_id for h in search(store.index, parse_query("E00042")).hits] == [
        "a-json",
        "a-csv",
    ]
    assert store.index.stats().documents == 2


def test_a_blob_dropped_by_another_process_is_pruned_and_never_shown(search_store):
    store = search_store
    seed(store)
    store.indexer.index_pending()
    store.library.catalog.forget_blob(store.library.catalog.cache_entry("a-csv").sha256)
    assert [h.artifact_id for h in search(store.index, parse_query("E00042")).hits] == [
        "a-log",
        "a-json",
    ]
    store.indexer.index_pending()
    assert store.index.stats().documents == 2


def test_a_damaged_index_file_is_detected_and_rebuilt(search_store):
    store = search_store
    seed(store)
    store.indexer.index_pending()
    store.index.close()
    path = index_path(app_paths())
    data = bytearray(path.read_bytes())
    data[4096:8192] = b"\xa5" * 4096  # garbage over the second page
    path.write_bytes(bytes(data))
    fresh = SearchIndex.open(app_paths())
    try:
        assert fresh.rebuilt is not None and "damaged" in fresh.rebuilt
        indexer = Indexer(fresh, store.library.blobs)
        assert indexer.pending() == 3
        seen: list[tuple[int, int | None]] = []
        assert indexer.index_pending(progress=lambda d, t: seen.append((d, t))) == 3
        assert seen[-1][0] == seen[-1][1] == len(CSV) + len(LOG) + len(JSON_DOC)
        assert len(search(fresh, parse_query("E00042")).hits) == 3
    finally:
        fresh.close()


def test_a_file_that_is_not_a_database_is_rebuilt_too(search_store):
    store = search_store
    store.index.close()
    index_path(app_paths()).write_bytes(b"this is not sqlite" * 100)
    fresh = SearchIndex.open(app_paths())
    assert fresh.rebuilt is not None
    fresh.close()


def test_an_index_from_another_schema_version_is_rebuilt(search_store):
    store = search_store
    seed(store)
    store.indexer.index_pending()
    store.index.close()
    conn = sqlite3.connect(index_path(app_paths()))
    conn.execute("PRAGMA user_version = 0")
    conn.close()
    fresh = SearchIndex.open(app_paths())
    try:
        assert fresh.rebuilt is not None and "another version" in fresh.rebuilt
        assert fresh.stats().documents == 0
        assert Indexer(fresh, store.library.blobs).pending() == 3
    finally:
        fresh.close()


def test_reindex_rebuilds_everything_and_records_why_parts_were_skipped(search_store):
    store = search_store
    store.add("bad", b'{"a": 1, oops', "broken.json")
    seed(store)
    assert store.indexer.reindex() == 4
    sha = store.library.catalog.cache_entry("bad").sha256
    assert "not valid JSON" in (store.index.skipped(sha) or "")
    assert [h.location for h in store.find("oops").hits] == [{"line": 1}]


def test_the_index_file_is_private(search_store):
    assert index_path(app_paths()).stat().st_mode & 0o777 == 0o600
