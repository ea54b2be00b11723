"""The search index: its own SQLite file beside the catalog, an FTS5 trigram table of rows.

Each cached blob (by SHA-256) is one document; its rows get rowids ``doc_id << 32 | n`` so
a document's rows are one rowid range (found, deleted and ordered without a scan). The
catalog is attached read-only in spirit (``cat``): which artifacts use a blob, their runs and
workflows are always read from it, so a blob the cache dropped never shows up in results.

An index written by another schema version, or one SQLite reports as damaged, is deleted
and started afresh (``rebuilt`` says why); its documents are then pending again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from artifact_viewer.core.crypto.sqlite import open_derived_db, sqlcipher_available
from artifact_viewer.core.crypto.state import encryption_enabled
from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.paths import FILE_MODE, AppPaths, ensure_private_dir
from artifact_viewer.core.search.rows import DocInfo, Row

log = logging.getLogger("artifact_viewer.search")

#: bump when the tables or what extractors write change: older indexes are rebuilt
SCHEMA_VERSION = 1
INDEX_FILE = "search.sqlite3"
PURPOSE = "content-index"  # picks the index's key when the cache is encrypted
BUSY_TIMEOUT_MS = 30_000
#: characters of text per write transaction while a file is indexed
COMMIT_CHARS = 16 * 1024 * 1024
DOC_SHIFT = 32
USABLE = ("verified", "not_verifiable")

_SCHEMA = """
CREATE TABLE docs (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    columns TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    text_chars INTEGER NOT NULL DEFAULT 0,
    skipped TEXT,
    complete INTEGER NOT NULL DEFAULT 0,
    indexed_at REAL NOT NULL
);
CREATE VIRTUAL TABLE content USING fts5(
    text, loc UNINDEXED, tokenize='trigram', columnsize=0
);
"""

_DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image", "no such table")


def index_path(paths: AppPaths) -> Path:
    """The index file: beside the catalog, in the app's data folder."""
    return paths.catalog_path.with_name(INDEX_FILE)


def doc_range(doc_id: int) -> tuple[int, int]:
    """The first and last rowid a document's rows may have."""
    return doc_id << DOC_SHIFT, ((doc_id + 1) << DOC_SHIFT) - 1


class IndexDamaged(CacheError):
    """SQLite found the index damaged mid-use; it was reset and must be filled again."""


@dataclass(frozen=True, slots=True)
class IndexStats:
    documents: int
    rows: int
    text_chars: int
    file_bytes: int


@dataclass(frozen=True, slots=True)
class PendingBlob:
    """A cached blob the index does not hold yet, with a name and MIME type to read it by."""

    sha256: str
    name: str
    mime: str
    size: int


def _db_errors() -> tuple[type[Exception], ...]:
    """SQLite's errors, and SQLCipher's (its own classes) when that binding is there."""
    try:
        import sqlcipher3
    except ImportError:
        return (sqlite3.Error,)
    return (sqlite3.Error, sqlcipher3.Error)


DB_ERRORS = _db_errors()


def is_damage(exc: Exception) -> bool:
    """A DatabaseError (SQLite's or SQLCipher's) saying the file is damaged or not ours."""
    is_db = any(c.__name__ == "DatabaseError" for c in type(exc).__mro__)
    return is_db and any(word in str(exc).lower() for word in _DAMAGE_WORDS)


class SearchIndex:
    """Thread-safe. Two connections, each used by one thread at a time: the writer (the
    indexer's inserts) and the reader (queries, with the catalog attached), so a write
    transaction never locks the catalog a download writes to, and a query never waits for
    an insert. The file follows the cache's encryption setting (plain, SQLCipher, or in
    memory only; see ``core.crypto.sqlite``)."""

    def __init__(self, path: Path, catalog_path: Path, paths: AppPaths | None = None) -> None:
        self.path = path
        self.catalog_path = catalog_path
        self.paths = paths
        self.rebuilt: str | None = None
        #: the last query's searchable artifacts, by its filters and data_versions()
        self.targets_memo: tuple[Any, Any] | None = None
        self.mode: str = "plain"
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._wlock = threading.RLock()
        self._rlock = threading.RLock()
        self._closed = False
        ensure_private_dir(path.parent)
        self._prepare()

    @classmethod
    def open(cls, paths: AppPaths) -> SearchIndex:
        """The app's index (beside the catalog), in the form the encryption setting asks."""
        return cls(index_path(paths), paths.catalog_path, paths)

    # -- file and connections ---------------------------------------------------------------

    def _connect(self) -> tuple[sqlite3.Connection, str, bool]:
        """A new connection: (connection, mode, file was new or started over)."""
        if self.paths is None:
            conn = sqlite3.connect(self.path, check_same_thread=False)
            mode, fresh = "plain", False
        else:
            if not self.path.exists() and (
                not encryption_enabled(self.paths) or sqlcipher_available()
            ):
                self.path.touch(mode=FILE_MODE)  # private from its first byte
            derived = open_derived_db(self.paths, self.path, PURPOSE)
            conn, mode, fresh = derived.conn, derived.mode, derived.rebuilt
        conn.isolation_level = None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if mode != "memory":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn, mode, fresh

    def _open_connections(self) -> bool:
        if self._closed:
            raise CacheError("The search index is closed.")
        had_data = self.path.exists() and self.path.stat().st_size > 0
        writer, mode, fresh = self._connect()
        # In memory there is one database per connection: both roles share it.
        reader = writer if mode == "memory" else self._connect()[0]
        if self.catalog_path.exists():
            key = " KEY ''" if mode == "encrypted" else ""  # the catalog itself is plain
            reader.execute(f"ATTACH DATABASE ? AS cat{key}", (str(self.catalog_path),))
        self._writer, self._reader, self.mode = writer, reader, mode
        if mode == "memory":
            self._wlock = self._rlock
        return fresh and had_data

    def _prepare(self) -> None:
        """Create the tables, or start afresh if the file is from another version or damaged."""
        try:
            if self._open_connections():
                self.rebuilt = "The search index was started afresh: cache encryption changed."
            conn = self._writer
            assert conn is not None
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version == 0 and not _has_tables(conn):
                self._create(conn)
                return
            if version != SCHEMA_VERSION:
                self._reset(f"it was written by another version (schema {version})")
                return
            conn.execute("SELECT count(*) FROM docs").fetchone()
            if self.mode != "memory" and self.path.stat().st_size <= 64 * 1024 * 1024:
                self.check()
        except DB_ERRORS as exc:
            self._reset(f"it is damaged ({exc})")

    def _begin(self) -> str:
        # In memory the one connection has the catalog attached: IMMEDIATE would lock it.
        return "BEGIN" if self.mode == "memory" else "BEGIN IMMEDIATE"

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute(self._begin())
        try:
            if not _has_tables(conn):
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(*DB_ERRORS):
                conn.execute("ROLLBACK")
            raise

    def _reset(self, reason: str) -> None:
        """Delete the file and create it empty; every cached file is then pending again."""
        log.warning("Search index rebuilt: %s", reason)
        self.rebuilt = f"The search index was rebuilt: {reason}."
        with self._wlock, self._rlock:
            self._close_connections()
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
            self._open_connections()
            assert self._writer is not None
            self._create(self._writer)

    def _close_connections(self) -> None:
        for conn in {id(c): c for c in (self._writer, self._reader) if c is not None}.values():
            with contextlib.suppress(*DB_ERRORS):
                conn.close()
        self._writer = self._reader = None

    def close(self) -> None:
        with self._wlock, self._rlock:
            self._closed = True
            self._close_connections()

    @contextlib.contextmanager
    def guard(self, *, attach: bool = False) -> Iterator[sqlite3.Connection]:
        """The reader (``attach``: the catalog is ``cat``) or the writer, held for the
        block. Damage found meanwhile resets the index and raises IndexDamaged; other
        SQLite failures become CacheError."""
        lock = self._rlock if attach else self._wlock
        with lock:
            conn = self._reader if attach else self._writer
            if conn is None:
                raise CacheError("The search index is closed.")
            try:
                yield conn
            except DB_ERRORS as exc:
                with contextlib.suppress(*DB_ERRORS):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                if is_damage(exc):
                    self._reset(f"it is damaged ({exc})")
                    raise IndexDamaged(self.rebuilt or "The search index was rebuilt.") from None
                raise CacheError(f"The search index at {self.path} failed ({exc}).") from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.guard() as conn:
            conn.execute(self._begin())
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def check(self) -> None:
        """Full integrity check (SQLite's and FTS5's own); a damaged index is reset."""
        try:
            with self._wlock:
                conn = self._writer
                assert conn is not None
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed: {result}")
                conn.execute("INSERT INTO content(content) VALUES ('integrity-check')")
        except DB_ERRORS as exc:
            self._reset(f"it is damaged ({exc})")

    # -- documents ----------------------------------------------------------------------

    def begin_doc(self, sha256: str, kind: str) -> int:
        """A new (incomplete) document for ``sha256``, replacing any older one."""
        with self._write() as conn:
            row = conn.execute("SELECT id FROM docs WHERE sha256 = ?", (sha256,)).fetchone()
            if row is not None:
                low, high = doc_range(int(row[0]))
                conn.execute("DELETE FROM content WHERE rowid BETWEEN ? AND ?", (low, high))
                conn.execute("DELETE FROM docs WHERE id = ?", (int(row[0]),))
            cur = conn.execute(
                "INSERT INTO docs (sha256, kind, indexed_at) VALUES (?, ?, ?)",
                (sha256, kind, time.time()),
            )
            return int(cur.lastrowid or 0)

    def add_rows(self, doc_id: int, batches: Iterable[Sequence[Row]]) -> tuple[int, int]:
        """Store a document's rows (numbered from 0), committing every COMMIT_CHARS
        characters: FTS5 does its indexing work at commit, and fewer, larger commits make
        fewer segments to merge. Returns (rows, characters)."""
        base = doc_id << DOC_SHIFT
        count = chars = pending = 0
        with self.guard() as conn:
            try:
                conn.execute(self._begin())
                for batch in batches:
                    if count + len(batch) >= 1 << DOC_SHIFT:
                        raise CacheError("A file has too many rows to index.")
                    conn.executemany(
                        "INSERT INTO content (rowid, text, loc) VALUES (?, ?, ?)",
                        ((base + count + i, text, loc) for i, (text, loc) in enumerate(batch)),
                    )
                    count += len(batch)
                    size = sum(len(text) for text, _loc in batch)
                    chars += size
                    pending += size
                    if pending >= COMMIT_CHARS:
                        conn.execute("COMMIT")
                        conn.execute(self._begin())
                        pending = 0
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return count, chars

    def finish_doc(self, doc_id: int, info: DocInfo, rows: int, text_chars: int) -> bool:
        """Mark a document complete; False (and its rows dropped) if another indexer
        replaced it meanwhile."""
        with self._write() as conn:
            updated = conn.execute(
                "UPDATE docs SET kind = ?, columns = ?, rows = ?, text_chars = ?, skipped = ?,"
                " complete = 1, indexed_at = ? WHERE id = ?",
                (
                    info.kind,
                    json.dumps(info.columns) if info.columns is not None else None,
                    rows,
                    text_chars,
                    "; ".join(info.skipped) or None,
                    time.time(),
                    doc_id,
                ),
            ).rowcount
            if not updated:
                low, high = doc_range(doc_id)
                conn.execute("DELETE FROM content WHERE rowid BETWEEN ? AND ?", (low, high))
        return bool(updated)

    def remove_doc(self, doc_id: int) -> None:
        low, high = doc_range(doc_id)
        with self._write() as conn:
            conn.execute("DELETE FROM content WHERE rowid BETWEEN ? AND ?", (low, high))
            conn.execute("DELETE FROM docs WHERE id = ?", (doc_id,))

    def remove_blob(self, sha256: str) -> bool:
        """Forget a blob's document (it left the cache); True if there was one."""
        with self.guard() as conn:
            row = conn.execute("SELECT id FROM docs WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return False
        self.remove_doc(int(row[0]))
        return True

    def clear(self) -> None:
        """Empty the index (``cache reindex`` then fills it again)."""
        with self._write() as conn:
            conn.execute("DELETE FROM docs")
            conn.execute("DELETE FROM content")
        with self.guard() as conn:
            conn.execute("VACUUM")

    def has_blob(self, sha256: str) -> bool:
        with self.guard() as conn:
            row = conn.execute(
                "SELECT 1 FROM docs WHERE sha256 = ? AND complete = 1", (sha256,)
            ).fetchone()
        return row is not None

    def skipped(self, sha256: str) -> str | None:
        """Why part of a blob was not indexed (None: all of it was)."""
        with self.guard() as conn:
            row = conn.execute("SELECT skipped FROM docs WHERE sha256 = ?", (sha256,)).fetchone()
        return str(row[0]) if row and row[0] else None

    # -- keeping in step with the catalog -----------------------------------------------

    def data_versions(self) -> tuple[int, int, int] | None:
        """A value that changes whenever the index or the catalog changed since it was last
        read here (SQLite's ``data_version``); None when that cannot be told (in memory)."""
        if self.mode == "memory":
            return None
        with self.guard(attach=True) as conn:
            main = int(conn.execute("PRAGMA main.data_version").fetchone()[0])
            cat = (
                int(conn.execute("PRAGMA cat.data_version").fetchone()[0])
                if self._attached(conn)
                else -1
            )
            return id(conn), main, cat

    @staticmethod
    def _attached(conn: sqlite3.Connection) -> bool:
        return "cat" in {r[1] for r in conn.execute("PRAGMA database_list")}

    def pending(self) -> list[PendingBlob]:
        """Cached blobs without a complete document, most recently fetched first."""
        with self.guard(attach=True) as conn:
            if not self._attached(conn):
                return []
            rows = conn.execute(
                "SELECT c.sha256, min(coalesce(a.display_name, '')), min(coalesce(a.mime_type, '')),"
                " max(coalesce(c.size, 0)) FROM cat.cache_entries c"
                " LEFT JOIN cat.artifacts a ON a.id = c.artifact_id"
                f" WHERE c.sha256 IS NOT NULL AND c.state IN {USABLE!r}"
                " AND NOT EXISTS (SELECT 1 FROM docs d WHERE d.sha256 = c.sha256"
                " AND d.complete = 1)"
                " GROUP BY c.sha256 ORDER BY max(coalesce(c.fetched_at, 0)) DESC"
            ).fetchall()
        return [PendingBlob(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]

    def pending_count(self) -> int:
        with self.guard(attach=True) as conn:
            if not self._attached(conn):
                return 0
            return int(
                conn.execute(
                    "SELECT count(DISTINCT c.sha256) FROM cat.cache_entries c"
                    f" WHERE c.sha256 IS NOT NULL AND c.state IN {USABLE!r}"
                    " AND NOT EXISTS (SELECT 1 FROM docs d WHERE d.sha256 = c.sha256"
                    " AND d.complete = 1)"
                ).fetchone()[0]
            )

    def stale_docs(self) -> list[int]:
        """Documents whose blob the cache no longer holds, or left incomplete by a crash."""
        with self.guard(attach=True) as conn:
            if not self._attached(conn):
                return []
            rows = conn.execute(
                "SELECT id FROM docs d WHERE d.complete = 0 OR NOT EXISTS (SELECT 1 FROM"
                f" cat.cache_entries c WHERE c.sha256 = d.sha256 AND c.state IN {USABLE!r})"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def stats(self) -> IndexStats:
        with self.guard() as conn:
            docs, rows, text = conn.execute(
                "SELECT count(*), coalesce(sum(rows), 0), coalesce(sum(text_chars), 0)"
                " FROM docs WHERE complete = 1"
            ).fetchone()
        size = 0
        if self.mode == "memory":
            with self.guard() as conn:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                size = int(pages) * int(conn.execute("PRAGMA page_size").fetchone()[0])
        for suffix in ("", "-wal") if self.mode != "memory" else ():
            with contextlib.suppress(OSError):
                size += os.stat(f"{self.path}{suffix}").st_size
        return IndexStats(int(docs), int(rows), int(text), size)

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.guard(attach=True) as conn:
            return conn.execute(sql, tuple(params)).fetchall()


def _has_tables(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('docs', 'content')"
    ).fetchone()
    return int(row[0]) == 2
