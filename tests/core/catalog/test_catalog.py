"""The SQLite catalog: upserts, deletions by full refresh, filters, paging, migrations, threads."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime

import pytest

from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.catalog.schema import LATEST, MIGRATIONS, migrate
from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.store_models import ArtifactQuery, CacheEntry, CacheState


def art(i: int, **over) -> Artifact:
    data = {
        "id": f"a{i:03d}",
        "workflowId": over.pop("wf", "wf-1"),
        "workflowRunId": over.pop("run", "run-1"),
        "type": over.pop("type", "extracted_data"),
        "displayName": over.pop("name", f"Report {i}.csv"),
        "mimeType": over.pop("mime", "text/csv"),
        "fileSize": over.pop("size", i),
        "fileHash": "0" * 64,
        "createdAt": over.pop("created", f"2025-01-{1 + i % 28:02d}T00:00:00Z"),
        "signedUrl": "https://s3.test/o?X-Amz-Signature=topsecret",
    }
    data.update(over)
    return Artifact.from_json(data)


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog(tmp_path / "catalog.sqlite3")
    yield cat
    cat.close()


def test_artifacts_round_trip_without_their_signed_url(catalog, tmp_path):
    catalog.upsert_artifacts([art(1, extraField={"kept": True})])
    loaded = catalog.artifact("a001")
    assert loaded is not None and loaded.signed_url is None
    assert loaded.display_name == "Report 1.csv" and loaded.extra["extraField"] == {"kept": True}
    catalog.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert b"topsecret" not in raw and b"signedUrl" not in raw


def test_full_refresh_marks_missing_rows_deleted_but_keeps_cache_entries(catalog):
    catalog.upsert_artifacts([art(1), art(2), art(3, run="run-2")], full=True)
    catalog.put_cache_entry(CacheEntry("a002", CacheState.VERIFIED, sha256="f" * 64, size=2))
    catalog.upsert_artifacts([art(1)], full=True, run_id="run-1")
    ids = [a.id for a in catalog.artifacts(ArtifactQuery())]
    assert ids == ["a003", "a001"] or sorted(ids) == ["a001", "a003"]
    assert "a002" not in ids  # gone from the run's listing
    assert catalog.cache_entry("a002") is not None  # its file is not dropped blindly
    assert [
        a.id for a in catalog.artifacts(ArtifactQuery(include_deleted=True, run_id="run-1"))
    ] != []
    catalog.upsert_artifacts([art(2)])  # listed again: visible again
    assert catalog.count_artifacts(ArtifactQuery()) == 3


def test_upsert_updates_changed_fields(catalog):
    catalog.upsert_artifacts([art(1)])
    catalog.upsert_artifacts([art(1, name="Renamed.csv")])
    assert catalog.artifact("a001").display_name == "Renamed.csv"
    assert catalog.count_artifacts(ArtifactQuery(text="renamed")) == 1


def test_filters_combine_and_count_matches_list(catalog):
    rows = [
        art(i, type="screenshot", mime="image/png") if i % 3 == 0 else art(i) for i in range(1, 31)
    ]
    rows.append(art(99, name="100%_done.csv", run="run-2", wf="wf-2"))
    catalog.upsert_artifacts(rows)
    catalog.upsert_runs(
        [
            WorkflowRun.from_json({"id": "run-1", "workflowId": "wf-1", "status": "COMPLETED"}),
            WorkflowRun.from_json({"id": "run-2", "workflowId": "wf-2", "status": "FAILED"}),
        ]
    )
    catalog.put_cache_entry(CacheEntry("a003", CacheState.VERIFIED, sha256="a" * 64, size=3))
    catalog.put_cache_entry(CacheEntry("a004", CacheState.MISMATCH))
    cases = {
        ArtifactQuery(type="screenshot"): 10,
        ArtifactQuery(mime="text/csv"): 21,
        ArtifactQuery(text="REPORT 1"): 11,  # 1, 10..19
        ArtifactQuery(text="100%_"): 1,  # LIKE wildcards are literal
        ArtifactQuery(text="%"): 1,
        ArtifactQuery(status="FAILED"): 1,
        ArtifactQuery(workflow_id="wf-2"): 1,
        ArtifactQuery(run_id="run-1", type="extracted_data"): 20,
        ArtifactQuery(cached_only=True): 1,
        ArtifactQuery(cache_state=CacheState.MISMATCH): 1,
        ArtifactQuery(cache_state=CacheState.NOT_CACHED): 29,
        ArtifactQuery(
            since=datetime(2025, 1, 10, tzinfo=UTC), until=datetime(2025, 1, 12, tzinfo=UTC)
        ): 2,
    }
    for query, expected in cases.items():
        assert catalog.count_artifacts(query) == expected, query
        assert len(catalog.artifacts(query)) == expected, query


def test_sorting_and_paging_are_stable(catalog):
    catalog.upsert_artifacts([art(i, size=100 - i) for i in range(1, 21)])
    by_size = catalog.artifacts(ArtifactQuery(order_by="file_size", descending=False))
    assert [a.file_size for a in by_size] == sorted(a.file_size for a in by_size)
    pages = [
        a.id
        for offset in range(0, 20, 7)
        for a in catalog.artifacts(ArtifactQuery(order_by="name", limit=7, offset=offset))
    ]
    assert pages == [a.id for a in catalog.artifacts(ArtifactQuery(order_by="name"))]
    assert len(set(pages)) == 20
    with pytest.raises(ValueError, match="cannot sort"):
        catalog.artifacts(ArtifactQuery(order_by="file_size; DROP TABLE artifacts"))


def test_runs_filter_by_workflow_and_status_and_deleted_runs_vanish(catalog):
    runs = [
        WorkflowRun.from_json(
            {
                "id": f"r{i}",
                "workflowId": f"wf-{i % 2}",
                "status": "COMPLETED" if i % 3 else "FAILED",
            }
        )
        for i in range(6)
    ]
    catalog.upsert_runs(runs, full=True)
    assert {r.id for r in catalog.runs("wf-0")} == {"r0", "r2", "r4"}
    assert {r.id for r in catalog.runs(status="FAILED")} == {"r0", "r3"}
    catalog.upsert_runs(runs[:1], full=True, workflow_id="wf-0")
    assert {r.id for r in catalog.runs("wf-0")} == {"r0"}
    assert {r.id for r in catalog.runs("wf-1")} == {"r1", "r3", "r5"}  # other scope untouched


def test_upgrade_from_v1_keeps_rows_and_adds_pins(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=1) == 1
    conn.execute(
        "INSERT INTO artifacts (id, workflow_run_id, display_name, json, seen_at) VALUES (?,?,?,?,?)",
        (
            "old-1",
            "run-9",
            "Old Tax Form.PDF",
            '{"id": "old-1", "displayName": "Old Tax Form.PDF"}',
            1.0,
        ),
    )
    conn.close()
    cat = Catalog(path)
    try:
        check = sqlite3.connect(path)
        assert (
            check.execute("SELECT max(version) FROM schema_version").fetchone()[0]
            == LATEST
            == len(MIGRATIONS)
        )
        check.close()
        assert cat.count_artifacts(ArtifactQuery(text="tax form")) == 1  # name_key back-filled
        cat.pin("run-9")
        assert cat.is_pinned("run-9")
    finally:
        cat.close()


def test_migrating_twice_is_a_no_op(tmp_path):
    Catalog(tmp_path / "c.sqlite3").close()
    conn = sqlite3.connect(tmp_path / "c.sqlite3", isolation_level=None)
    assert migrate(conn) == LATEST
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == LATEST
    conn.close()


def test_threads_write_and_read_concurrently(catalog):
    errors: list[BaseException] = []

    def writer(base: int) -> None:
        try:
            for i in range(20):
                catalog.upsert_artifacts([art(base + i)])
                catalog.count_artifacts(ArtifactQuery())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n * 100,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert catalog.count_artifacts(ArtifactQuery()) == 80
    assert catalog.integrity_check() == "ok"


def test_two_catalog_objects_on_one_file_see_each_other(tmp_path):
    first, second = Catalog(tmp_path / "c.sqlite3"), Catalog(tmp_path / "c.sqlite3")
    try:
        first.upsert_artifacts([art(1)])
        assert second.artifact("a001") is not None
        second.mark_synced("artifacts:all", 123.0)
        assert first.last_synced("artifacts:all") == 123.0
    finally:
        first.close()
        second.close()


def test_catalog_file_is_private(tmp_path):
    Catalog(tmp_path / "c.sqlite3").close()
    assert (tmp_path / "c.sqlite3").stat().st_mode & 0o777 == 0o600


def test_corrupt_catalog_gives_a_clear_error(tmp_path):
    from artifact_viewer.core.errors import CacheError

    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheError, match="cannot be opened"):
        Catalog(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[draft]", {"a001"}),
        ("*", {"a002"}),
        ("?", {"a002"}),
        ("W2", {"a001", "a003"}),  # two letters: the plain scan
        ("STAR?", {"a002"}),  # trigram index
        ("é", {"a003"}),
        ("nothing-like-it", set()),
    ],
)
def test_name_search_treats_every_character_literally(catalog, text, expected):
    catalog.upsert_artifacts(
        [art(1, name="[Draft] W2.pdf"), art(2, name="what*star?.txt"), art(3, name="Résumé_w2.PDF")]
    )
    assert {a.id for a in catalog.artifacts(ArtifactQuery(text=text))} == expected
    assert catalog.count_artifacts(ArtifactQuery(text=text)) == len(expected)


def test_renamed_artifact_is_found_by_its_new_name_only(catalog):
    catalog.upsert_artifacts([art(1, name="quarterly_ledger.csv")])
    catalog.upsert_artifacts([art(1, name="annual_summary.csv")])
    assert catalog.count_artifacts(ArtifactQuery(text="ledger")) == 0
    assert catalog.count_artifacts(ArtifactQuery(text="annual")) == 1


def test_search_falls_back_to_a_scan_without_fts5(tmp_path):
    conn = sqlite3.connect(tmp_path / "c.sqlite3", isolation_level=None)

    class NoFts5:
        """A connection whose SQLite was built without FTS5."""

        def execute(self, sql, *args):
            if "USING fts5" in sql:
                raise sqlite3.OperationalError("no such module: fts5")
            return conn.execute(sql, *args)

    assert migrate(NoFts5()) == LATEST  # the search step records itself and moves on
    conn.close()
    cat = Catalog(tmp_path / "c.sqlite3")
    try:
        assert cat._has_name_search() is False
        cat.upsert_artifacts([art(1, name="Payroll Ledger.csv"), art(2)])
        assert [a.id for a in cat.artifacts(ArtifactQuery(text="ledger"))] == ["a001"]
    finally:
        cat.close()


def test_full_disk_during_a_write_is_a_clear_cache_error_and_loses_nothing(catalog):
    catalog.upsert_artifacts([art(1)])
    conn = catalog._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    with pytest.raises(CacheError, match="The disk is full") as info:
        catalog.upsert_artifacts([art(i, name="x" * 2000) for i in range(2, 200)])
    assert "Traceback" not in info.value.user_message()
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert [a.id for a in catalog.artifacts(ArtifactQuery())] == ["a001"]  # rolled back whole
    assert catalog.integrity_check() == "ok"
    catalog.upsert_artifacts([art(2)])
    assert catalog.count_artifacts(ArtifactQuery()) == 2


def test_a_catalog_locked_too_long_by_another_process_is_a_clear_cache_error(
    catalog, tmp_path, monkeypatch
):
    monkeypatch.setattr("artifact_viewer.core.catalog.db.BUSY_TIMEOUT_MS", 50)
    other = Catalog(tmp_path / "catalog.sqlite3")
    try:
        holder = sqlite3.connect(tmp_path / "catalog.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
        try:
            with pytest.raises(CacheError, match="locked by another"):
                other.upsert_artifacts([art(1)])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        other.upsert_artifacts([art(1)])
        assert catalog.artifact("a001") is not None
    finally:
        other.close()


def test_cache_listing_filters_and_pages_in_sql_over_a_large_catalog(catalog):
    catalog.upsert_artifacts(
        [
            art(
                i,
                run="run-1" if i % 2 else "run-2",
                created=f"2025-01-01T00:{i // 60:02d}:{i % 60:02d}Z",
            )
            for i in range(3000)
        ]
    )
    for i in (10, 11, 12, 13, 2999):
        catalog.put_cache_entry(
            CacheEntry(f"a{i:03d}", CacheState.VERIFIED, sha256=f"{i:064d}", size=i)
        )
    catalog.put_cache_entry(CacheEntry("a014", CacheState.MISMATCH))
    catalog.pin("run-1")
    everything = catalog.cache_listing()
    assert [c.artifact_id for c in everything] == ["a2999", "a014", "a013", "a012", "a011", "a010"]
    assert [c.pinned for c in everything] == [True, False, True, False, True, False]
    assert catalog.cache_listing(limit=2, offset=1) == everything[1:3]
    assert [c.artifact_id for c in catalog.cache_listing(run_id="run-2")] == [
        "a014",
        "a012",
        "a010",
    ]
    failed = catalog.cache_listing(state=CacheState.MISMATCH)
    assert [(c.artifact_id, c.size, c.name) for c in failed] == [("a014", None, "Report 14.csv")]


@pytest.mark.parametrize(
    "query",
    [
        ArtifactQuery(text="REPORT 1"),
        ArtifactQuery(type="screenshot"),
        ArtifactQuery(mime="text/csv", run_id="run-2"),
        ArtifactQuery(workflow_id="wf-1"),
        ArtifactQuery(
            since=datetime(2025, 1, 10, tzinfo=UTC), until=datetime(2025, 1, 20, tzinfo=UTC)
        ),
        ArtifactQuery(text="5", type="extracted_data", since=datetime(2025, 1, 5, tzinfo=UTC)),
    ],
)
def test_query_matches_in_python_exactly_what_the_catalog_finds_in_sql(catalog, query):
    arts = [
        art(
            i,
            run=f"run-{i % 3}",
            wf=f"wf-{i % 2}",
            type="screenshot" if i % 4 == 0 else "extracted_data",
            mime="image/png" if i % 4 == 0 else "text/csv",
        )
        for i in range(60)
    ]
    catalog.upsert_artifacts(arts)
    found = {a.id for a in catalog.artifacts(query)}
    assert found == {a.id for a in arts if query.matches(a)}
    assert found  # every query here matches something


def test_opening_while_another_process_creates_the_file_waits_instead_of_failing(tmp_path):
    path = tmp_path / "catalog.sqlite3"
    path.touch()
    # Another process has just created the file and holds its write lock (before WAL):
    # SQLite answers "database is locked" at once to switching this file to WAL.
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE other_process (x)")
    opened = threading.Event()
    release = threading.Timer(0.3, lambda: (holder.execute("COMMIT"), opened.set()))
    release.start()
    try:
        catalog = Catalog(path)
    finally:
        release.join()
        holder.close()
    try:
        assert opened.is_set()
        assert catalog.integrity_check() == "ok"
        catalog.upsert_artifacts([art(1)])
        assert catalog.artifact("a001") is not None
    finally:
        catalog.close()


def test_filter_box_terms_words_phrases_excludes_types_extensions_runs_workflows(catalog):
    from artifact_viewer.core.models import Workflow

    catalog.upsert_workflows(
        [
            Workflow.from_json({"id": "wf-payroll", "name": "Export payroll register"}),
            Workflow.from_json({"id": "wf-w2", "name": "Download W-2 forms"}),
        ]
    )
    catalog.upsert_artifacts(
        [
            art(1, name="payroll_register.csv", wf="wf-payroll", run="run-aaa111"),
            art(2, name="register payroll.csv", wf="wf-payroll", run="run-aaa111"),
            art(3, name="login.png", type="screenshot", mime="image/png", run="run-bbb222"),
            art(4, name="w2_2026.pdf", mime="application/pdf", wf="wf-w2", run="run-ccc333"),
            art(5, name="photo.JPEG", mime="image/jpeg", run="run-ccc333"),
        ]
    )
    cases = {
        ArtifactQuery(terms=("payroll", "register")): 2,  # both words, any order
        ArtifactQuery(terms=("payroll_register",)): 1,  # a phrase is one term
        ArtifactQuery(terms=("register",), exclude=("payroll_",)): 1,
        ArtifactQuery(mimes=("image/",)): 2,  # a prefix
        ArtifactQuery(mimes=("text/csv", "application/pdf")): 3,  # any of
        ArtifactQuery(extensions=("jpeg",)): 1,  # any case
        ArtifactQuery(extensions=("pdf", "png")): 2,
        ArtifactQuery(run_match="run-aaa"): 2,  # the start of a run id
        ArtifactQuery(workflow_match="payroll"): 2,  # words of the workflow's name
        ArtifactQuery(workflow_match="wf-w"): 1,  # or the start of its id
        ArtifactQuery(terms=("*",)): 0,  # GLOB characters are literal
    }
    for query, expected in cases.items():
        assert catalog.count_artifacts(query) == expected, query
        assert all(query.matches(a) for a in catalog.artifacts(query)) or query.workflow_match
    assert catalog.run_ids_matching(ArtifactQuery(mimes=("image/",))) == {
        "run-bbb222",
        "run-ccc333",
    }


WORD_CASES = (
    ("payroll",),
    ("payroll", "register"),
    ("payroll register",),  # a space also matches _ . and -
    ("roll_reg",),
    ("w2",),  # too short for the trigram index: a plain scan
    ("a*b",),  # GLOB characters stay literal through the index too
    ("[x]",),
    ("ledger",),
)


def test_filter_words_go_through_the_trigram_index_and_match_as_a_scan_does(tmp_path):
    names = (
        "payroll_register.csv",
        "register-payroll.csv",
        "payroll.register.pdf",
        "w2_2026.pdf",
        "a*b.txt",
        "axb.txt",
        "[x]notes.log",
        "x.log",
        "Quarterly LEDGER.csv",
    )
    arts = [art(i + 1, name=name) for i, name in enumerate(names)]
    indexed = Catalog(tmp_path / "indexed.sqlite3")
    conn = sqlite3.connect(tmp_path / "plain.sqlite3", isolation_level=None)

    class NoFts5:
        def execute(self, sql, *args):
            if "USING fts5" in sql:
                raise sqlite3.OperationalError("no such module: fts5")
            return conn.execute(sql, *args)

    migrate(NoFts5())
    conn.close()
    plain = Catalog(tmp_path / "plain.sqlite3")
    try:
        assert indexed._has_name_search() and not plain._has_name_search()
        for catalog in (indexed, plain):
            catalog.upsert_artifacts(arts)
        for words in WORD_CASES:
            for query in (ArtifactQuery(terms=words), ArtifactQuery(exclude=words)):
                by_index = {a.id for a in indexed.artifacts(query)}
                by_scan = {a.id for a in plain.artifacts(query)}
                expected = {a.id for a in arts if query.matches(a)}
                assert by_index == by_scan == expected, query
        where, args = indexed._artifact_where(ArtifactQuery(terms=("payroll",)))
        plan = " ".join(
            str(row[-1])
            for row in indexed._read(
                f"EXPLAIN QUERY PLAN SELECT 1 FROM artifacts a WHERE {where}", args
            )
        )
        assert "artifacts_fts" in plan
    finally:
        indexed.close()
        plain.close()
