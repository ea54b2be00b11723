"""P11: content search: indexing throughput vs FTS5's own bulk insert, first 50 hits of a
query, and the index's size against the text it holds.

The session writes a corpus of demo artifacts (payroll CSVs, employee JSON, run logs, chart
of accounts XML) straight into a bench home's cache and catalog, spread over runs and
workflows; a handful of files carry a rare id. Ours: ``Indexer.index_pending()`` over that
cache into an empty index (extraction included). Floor: the very same rows, extracted
beforehand (untimed), inserted into an FTS5 trigram table of the same shape with one
``executemany`` per file in one transaction each. Query: a second, larger corpus indexed
once in the session; each run opens the index and times ``search()`` for 50 hits of a rare
id, of a word on most rows, and of a two-word AND. Window: the real window over the query
corpus's home, each query typed key by key into the Search contents pane; timed from the
last keystroke to the first paint of the results list holding its hits (the 100 ms
debounce included), once the indexer's start-up check is over. Off in smoke runs unless
``BENCH_SEARCH_WINDOW=1``.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import log
from bench.spec import (
    INFO,
    Benchmark,
    FeatureMissing,
    Metrics,
    Row,
    at_most,
    require,
    throughput_at_least,
)

# Megabytes of artifacts in the indexing corpus and in the (bigger) query corpus; the
# environment can shrink them on a busy machine (the report's row titles say which).
INDEX_MB = int(os.environ.get("BENCH_SEARCH_INDEX_MB", "100"))
QUERY_MB = int(os.environ.get("BENCH_SEARCH_QUERY_MB", "1000"))
SMOKE_MB = 2
RARE_ID = "ZX-4711-RARE"
RARE_FILES = 5
COMMON_QUERY = "Engineering"
AND_QUERY = "Engineering Bonus"
HITS = 50


def check() -> None:
    require("artifact_viewer.core.search", "Indexer", "SearchIndex", "parse_query")
    require("artifact_viewer.core.search.finder", "search")
    require("artifact_viewer.core.library", "Library")


def _log_file(rng: random.Random, size: int) -> bytes:
    from artifact_viewer.demo.content import run_log

    states = ["login", "open_reports", "download", "extract", "upload"]
    parts: list[bytes] = []
    total = 0
    start = datetime(2026, 1, 1, tzinfo=UTC)
    while total < size:
        outcome = rng.choice(["COMPLETED", "COMPLETED", "FAILED", "AWAITING_USER_INPUT"])
        part = run_log(rng.randrange(1 << 30), start, states, outcome)
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def _files(rng: random.Random, index: int) -> tuple[str, str, bytes]:
    """(name, mime, bytes) of the corpus's file number ``index``: ~400 KB each."""
    from artifact_viewer.demo.content import accounts_xml, employees_json, payroll_csv

    kind = index % 4
    seed = rng.randrange(1 << 30)
    if kind == 0:
        return f"payroll_{index}.csv", "text/csv", payroll_csv(seed, rows=3000)
    if kind == 1:
        return f"employees_{index}.json", "application/json", employees_json(seed, "gusto", 500)
    if kind == 2:
        return f"run_{index}.log", "text/plain", _log_file(rng, 400_000)
    return f"accounts_{index}.xml", "application/xml", accounts_xml(seed, 1500)


def build_corpus(home: str, megabytes: float, seed: int = 11) -> dict[str, Any]:
    """Write ~``megabytes`` of artifacts into the cache and catalog under ``home``."""
    from artifact_viewer.core.library import Library
    from artifact_viewer.core.models import Artifact, Workflow, WorkflowRun
    from artifact_viewer.core.paths import AppPaths
    from artifact_viewer.core.settings import Settings
    from artifact_viewer.core.store_models import CacheEntry, CacheState

    root = Path(home)
    paths = AppPaths(root / "config", root / "cache", root / "data", root / "logs")
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    written = count = 0
    rare_every = max(1, int(target / 400_000 / RARE_FILES))
    settings = Settings(cache_quota_bytes=1 << 50)
    with Library.open(paths.ensure(), settings, None) as library:
        workflows = [Workflow.from_json({"id": f"wf-{i}", "name": f"Flow {i}"}) for i in range(5)]
        library.catalog.upsert_workflows(workflows)
        while written < target:
            name, mime, data = _files(rng, count)
            if count % rare_every == 0 and count // rare_every < RARE_FILES:
                data = data.replace(b"\n", f"\n{RARE_ID} ".encode(), 1)
            run_id = f"run-{count // 4}"
            stamp = f"2026-{1 + count % 11:02d}-{1 + count % 27:02d}T00:00:{count % 60:02d}Z"
            library.catalog.upsert_runs(
                [
                    WorkflowRun.from_json(
                        {
                            "id": run_id,
                            "workflowId": f"wf-{count % 5}",
                            "status": "COMPLETED",
                            "createdAt": stamp,
                        }
                    )
                ]
            )
            artifact = Artifact.from_json(
                {
                    "id": f"art-{count}",
                    "workflowId": f"wf-{count % 5}",
                    "workflowRunId": run_id,
                    "type": "extracted_data",
                    "displayName": name,
                    "mimeType": mime,
                    "fileSize": len(data),
                    "createdAt": stamp,
                }
            )
            library.catalog.upsert_artifacts([artifact])
            with library.blobs.writer(None) as writer:
                writer.write(data)
                sha256, size, _verified = writer.commit()
            library.catalog.put_cache_entry(
                CacheEntry(
                    artifact.id,
                    CacheState.NOT_VERIFIABLE,
                    sha256=sha256,
                    size=size,
                    fetched_at=time.time(),
                )
            )
            written += len(data)
            count += 1
    return {"files": count, "bytes": written}


@contextlib.contextmanager
def corpora(ctx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The indexing corpus (not indexed) and the query corpus (indexed once, here)."""
    check()
    from artifact_viewer.core.paths import AppPaths
    from artifact_viewer.core.search import Indexer, SearchIndex

    small = SMOKE_MB if ctx.get("smoke") else INDEX_MB
    big = SMOKE_MB if ctx.get("smoke") else QUERY_MB
    with (
        tempfile.TemporaryDirectory(prefix="bench-p11-index-") as index_home,
        tempfile.TemporaryDirectory(prefix="bench-p11-query-") as query_home,
    ):
        t0 = time.perf_counter()
        made = build_corpus(index_home, small)
        log(f"  P11 setup: {made['files']} files, {made['bytes'] / 1e6:.0f} MB for indexing")
        made_q = build_corpus(query_home, big, seed=12)
        root = Path(query_home)
        paths = AppPaths(root / "config", root / "cache", root / "data", root / "logs")
        index = SearchIndex.open(paths)
        from artifact_viewer.core.blobstore import BlobStore

        Indexer(index, BlobStore(paths.blobs_dir, paths.partial_dir)).index_pending()
        stats = index.stats()
        index.close()
        log(
            f"  P11 setup: query corpus {made_q['files']} files, {stats.text_chars / 1e6:.0f} M"
            f" characters indexed into {stats.file_bytes / 1e6:.0f} MB"
            f" ({time.perf_counter() - t0:.0f} s)"
        )
        yield {
            "homes": {
                "ours_index": index_home,
                "floor_index": index_home,
                "query": query_home,
                "window": query_home,
            },
            "query_text_chars": stats.text_chars,
            "query_index_bytes": stats.file_bytes,
        }


def _open(home: str) -> tuple[Any, Any]:
    from artifact_viewer.core.blobstore import BlobStore
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.search import Indexer, SearchIndex

    paths = app_paths()
    index = SearchIndex.open(paths)
    return index, Indexer(index, BlobStore(paths.blobs_dir, paths.partial_dir))


def _fresh_index(home: str) -> None:
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.search.index import index_path

    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{index_path(app_paths())}{suffix}").unlink()
    del home


def ours_index(ctx: dict[str, Any]) -> Metrics:
    home = ctx["homes"]["ours_index"]
    _fresh_index(home)
    index, indexer = _open(home)
    try:
        t0 = time.perf_counter()
        indexer.index_pending()
        elapsed = time.perf_counter() - t0
        stats = index.stats()
    finally:
        index.close()
        _fresh_index(home)
    return {
        "index": elapsed,
        "text_bytes": float(stats.text_chars),
        "index_bytes": float(stats.file_bytes),
        "text_mb_per_s": stats.text_chars / 1e6 / elapsed,
    }


def floor_index(ctx: dict[str, Any]) -> Metrics:
    """The same rows into a bare FTS5 trigram table: only SQLite's own insert is timed."""
    from artifact_viewer.core.search.extract import FileHints, extract
    from artifact_viewer.core.search.index import DOC_SHIFT

    home = ctx["homes"]["floor_index"]
    _fresh_index(home)
    index, _indexer = _open(home)
    pending = index.pending()
    index.close()
    _fresh_index(home)
    blobs = Path(home) / "cache" / "blobs" / "sha256"
    elapsed = 0.0
    chars = 0
    with tempfile.TemporaryDirectory(prefix="bench-p11-floor-") as scratch:
        conn = sqlite3.connect(Path(scratch) / "floor.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(
            "CREATE VIRTUAL TABLE content USING fts5("
            "text, loc UNINDEXED, tokenize='trigram', columnsize=0)"
        )
        for number, blob in enumerate(pending, start=1):
            path = blobs / blob.sha256[:2] / blob.sha256[2:]
            _info, rows_iter = extract(path, FileHints(blob.name, blob.mime))
            base = number << DOC_SHIFT
            rows = [(base + i, text, loc) for i, (text, loc) in enumerate(rows_iter)]
            chars += sum(len(r[1]) for r in rows)
            t0 = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO content (rowid, text, loc) VALUES (?, ?, ?)", rows)
            conn.execute("COMMIT")
            elapsed += time.perf_counter() - t0
        conn.close()
    return {"insert": elapsed, "text_mb_per_s": chars / 1e6 / elapsed}


def query(ctx: dict[str, Any]) -> Metrics:
    from artifact_viewer.core.search import parse_query
    from artifact_viewer.core.search.finder import search

    index, _indexer = _open(ctx["homes"]["query"])
    out: Metrics = {}
    try:
        for key, text in (("rare", RARE_ID), ("common", COMMON_QUERY), ("and", AND_QUERY)):
            t0 = time.perf_counter()
            result = search(index, parse_query(text), limit=HITS)
            out[key] = time.perf_counter() - t0
            out[f"{key}_hits"] = float(len(result.hits))
        if out["rare_hits"] < 1 or out["common_hits"] < HITS:
            raise RuntimeError(f"too few hits: {out}")
    finally:
        index.close()
    return out


def window(ctx: dict[str, Any]) -> Metrics:
    """Keystroke to results painted, in the window, for each query typed."""
    if ctx.get("smoke") and os.environ.get("BENCH_SEARCH_WINDOW") != "1":
        raise FeatureMissing("off in smoke runs (BENCH_SEARCH_WINDOW=1 turns it on)")
    require("artifact_viewer.ui.features.search", "SearchFeature")
    from bench.qtrun import Waiter, qt_app

    qapp = qt_app()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtTest import QTest

    from artifact_viewer.app import build_app
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.settings import load_settings
    from artifact_viewer.ui.features.search import SearchFeature

    paths = app_paths()
    feature = SearchFeature()
    app = build_app(paths, load_settings(paths), extensions=[feature])
    painted: list[float] = []

    class PaintWatch(QObject):
        """Notes when the results list has painted rows (after the paint, not before)."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and feature.pane.model.rowCount() and not painted:
                QTimer.singleShot(0, lambda: painted.append(time.perf_counter()))
            return False

    waiter = Waiter()
    out: Metrics = {}
    try:
        app.window.resize(1200, 800)
        app.window.show()
        app.flow.start(demo=False)
        waiter.wait_until(lambda: feature.searcher is not None, 60)
        assert feature.searcher is not None
        # Steady state: the indexer's start-up check of the index (a full integrity check,
        # minutes on a large index, at the lowest priority) is over before typing starts.
        if not feature.searcher.indexer.wait_idle(1200):
            raise RuntimeError("the indexer did not settle within 20 minutes")
        if app.flow.dialog is not None:
            app.flow.dialog.close()  # no key in the bench home: the connect dialog
        feature.focus_box()
        watch = PaintWatch()
        feature.pane.view.viewport().installEventFilter(watch)
        for key, text in (("rare", RARE_ID), ("common", COMMON_QUERY), ("and", AND_QUERY)):
            feature.pane.box.clear()
            waiter.wait_until(lambda: feature.pane.model.rowCount() == 0, 10)
            painted.clear()
            QTest.keyClicks(feature.pane.box, text)
            typed = time.perf_counter()
            waiter.wait_until(lambda: bool(painted), 30)
            out[key] = painted[0] - typed
            out[f"{key}_hits"] = float(len(feature.pane.hits()))
    finally:
        app.window.close()
        app.close()
        qapp.processEvents()
    return out


_Q = at_most(0.1)
_PAINT = at_most(0.15)

BENCH = Benchmark(
    id="P11",
    title="Content search",
    roles={
        "ours_index": "bench.search:ours_index",
        "floor_index": "bench.search:floor_index",
        "query": "bench.search:query",
        "window": "bench.search:window",
    },
    floor_roles=frozenset({"floor_index"}),
    check=check,
    session=corpora,
    timeout_s=1800.0,
    max_rounds={"ours_index": 3, "floor_index": 3},
    rows=[
        Row(
            f"Index {INDEX_MB} MB of artifacts (text extracted and inserted)",
            ("ours_index", "index"),
            ("floor_index", "insert"),
            throughput_at_least(0.7),
            floor_name="FTS5 trigram executemany of the same rows",
        ),
        Row(f"Query {QUERY_MB} MB index: first 50 hits, rare id", ("query", "rare"), None, _Q),
        Row(
            f"Query {QUERY_MB} MB index: first 50 hits, common word", ("query", "common"), None, _Q
        ),
        Row(f"Query {QUERY_MB} MB index: first 50 hits, two words", ("query", "and"), None, _Q),
        Row(
            f"Window over {QUERY_MB} MB: keystroke to results painted, rare id",
            ("window", "rare"),
            None,
            _PAINT,
        ),
        Row(
            f"Window over {QUERY_MB} MB: keystroke to results painted, common word",
            ("window", "common"),
            None,
            _PAINT,
        ),
        Row(
            f"Window over {QUERY_MB} MB: keystroke to results painted, two words",
            ("window", "and"),
            None,
            _PAINT,
        ),
        Row(
            "Index size vs text size",
            ("ours_index", "index_bytes"),
            ("ours_index", "text_bytes"),
            INFO,
            floor_name="the text it holds",
            unit="B",
        ),
    ],
)
