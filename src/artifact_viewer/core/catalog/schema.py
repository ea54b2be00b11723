"""Catalog schema as an ordered list of migration steps; the database records how far it got."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Step = str | Callable[[sqlite3.Connection], None]

NAME_SEARCH_TABLE = "artifacts_fts"


def _add_name_search(conn: sqlite3.Connection) -> None:
    """v3: a trigram index over lower-cased names, so substring search skips the full scan.

    FTS5 ships with practically every SQLite build, but not all: without it this step
    records itself and search keeps using a plain scan.
    """
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return
    conn.execute("DROP TABLE temp.fts5_probe")
    for statement in _statements(
        f"""
        CREATE VIRTUAL TABLE {NAME_SEARCH_TABLE} USING fts5(
            name_key, content='artifacts', content_rowid='rowid',
            tokenize='trigram case_sensitive 1'
        );
        CREATE TRIGGER artifacts_fts_insert AFTER INSERT ON artifacts BEGIN
            INSERT INTO {NAME_SEARCH_TABLE}(rowid, name_key) VALUES (new.rowid, new.name_key);
        END;
        CREATE TRIGGER artifacts_fts_delete AFTER DELETE ON artifacts BEGIN
            INSERT INTO {NAME_SEARCH_TABLE}({NAME_SEARCH_TABLE}, rowid, name_key)
                VALUES ('delete', old.rowid, old.name_key);
        END;
        CREATE TRIGGER artifacts_fts_rename AFTER UPDATE OF name_key ON artifacts
        WHEN old.name_key IS NOT new.name_key BEGIN
            INSERT INTO {NAME_SEARCH_TABLE}({NAME_SEARCH_TABLE}, rowid, name_key)
                VALUES ('delete', old.rowid, old.name_key);
            INSERT INTO {NAME_SEARCH_TABLE}(rowid, name_key) VALUES (new.rowid, new.name_key);
        END;
        INSERT INTO {NAME_SEARCH_TABLE}({NAME_SEARCH_TABLE}) VALUES ('rebuild');
        """
    ):
        conn.execute(statement)


# Step N (1-based) brings a database from version N-1 to N. Never edit a released step:
# append a new one. Timestamps are epoch seconds (REAL) so they sort and compare exactly.
MIGRATIONS: tuple[Step, ...] = (
    # v1: mirror of the API resources plus what we cached.
    """
    CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        name TEXT, source_provider TEXT, type TEXT,
        created_at REAL, updated_at REAL,
        json TEXT NOT NULL,
        seen_at REAL NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        name TEXT, source_provider TEXT, created_at REAL,
        json TEXT NOT NULL, seen_at REAL NOT NULL, deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE job_runs (
        id TEXT PRIMARY KEY,
        job_id TEXT, status TEXT, created_at REAL,
        json TEXT NOT NULL, seen_at REAL NOT NULL, deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE workflow_runs (
        id TEXT PRIMARY KEY,
        workflow_id TEXT, job_run_id TEXT, status TEXT,
        created_at REAL, completed_at REAL,
        json TEXT NOT NULL, seen_at REAL NOT NULL, deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX workflow_runs_workflow ON workflow_runs(workflow_id, created_at);
    CREATE TABLE artifacts (
        id TEXT PRIMARY KEY,
        workflow_id TEXT, workflow_run_id TEXT,
        type TEXT, display_name TEXT, mime_type TEXT,
        file_size INTEGER, file_hash TEXT, created_at REAL,
        json TEXT NOT NULL, seen_at REAL NOT NULL, deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX artifacts_run ON artifacts(workflow_run_id, created_at);
    CREATE INDEX artifacts_workflow ON artifacts(workflow_id, created_at);
    CREATE TABLE cache_entries (
        artifact_id TEXT PRIMARY KEY REFERENCES artifacts(id) ON DELETE CASCADE,
        state TEXT NOT NULL,
        sha256 TEXT,
        size INTEGER,
        expected TEXT,
        actual TEXT,
        fetched_at REAL,
        verified_at REAL,
        last_opened_at REAL
    );
    CREATE INDEX cache_entries_sha256 ON cache_entries(sha256);
    """,
    # v2: pins, per-scope sync bookkeeping, and indexes for the artifact browser's filters.
    """
    CREATE TABLE pins (
        run_id TEXT PRIMARY KEY,
        pinned_at REAL NOT NULL
    );
    CREATE TABLE sync_state (
        scope TEXT PRIMARY KEY,
        last_synced_at REAL NOT NULL
    );
    ALTER TABLE artifacts ADD COLUMN name_key TEXT;
    UPDATE artifacts SET name_key = lower(coalesce(display_name, id));
    CREATE INDEX artifacts_created ON artifacts(deleted, created_at);
    CREATE INDEX artifacts_type ON artifacts(type, created_at);
    CREATE INDEX artifacts_mime ON artifacts(mime_type, created_at);
    CREATE INDEX artifacts_name ON artifacts(name_key);
    CREATE INDEX workflow_runs_status ON workflow_runs(status);
    CREATE INDEX cache_entries_opened ON cache_entries(last_opened_at);
    """,
    # v3: substring search on names through a trigram index (when SQLite has FTS5).
    _add_name_search,
    # v4: notes on runs and artifacts (local only), and which records came from a bundle.
    """
    CREATE TABLE notes (
        kind TEXT NOT NULL CHECK (kind IN ('run', 'artifact')),
        target_id TEXT NOT NULL,
        text TEXT NOT NULL,
        text_key TEXT NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (kind, target_id)
    );
    CREATE TABLE imported (
        tbl TEXT NOT NULL,
        id TEXT NOT NULL,
        source TEXT NOT NULL,
        exported_at TEXT,
        imported_at REAL NOT NULL,
        PRIMARY KEY (tbl, id)
    );
    """,
)

LATEST = len(MIGRATIONS)


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply missing steps up to ``target``, each in its own transaction; return the version.

    A database newer than this code is left alone (an older app must not damage it).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = current_version(conn)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    while version < target:
        step = MIGRATIONS[version]
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if current_version(conn) != version:
                conn.execute("ROLLBACK")
                version = current_version(conn)
                continue
            if callable(step):
                step(conn)
            else:
                for statement in _statements(step):
                    conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version += 1
    return version


def _statements(script: str) -> list[str]:
    """Split a step into statements (``executescript`` would commit our transaction)."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out
