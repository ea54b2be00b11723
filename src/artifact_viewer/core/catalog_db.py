"""The catalog's SQLite plumbing: one connection per thread, WAL, busy timeout, migrations."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.paths import FILE_MODE, ensure_private_dir
from artifact_viewer.core.schema import migrate

BUSY_TIMEOUT_MS = 30_000


class CatalogDb:
    """An SQLite file shared by threads and processes. Thread-safe: each thread gets its
    own connection.

    WAL mode plus a busy timeout let two processes (say, two ``sync`` runs) write in turn.
    Writes use ``BEGIN IMMEDIATE`` so a reader never has to upgrade to a writer mid-way.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        ensure_private_dir(path.parent)
        if not path.exists():
            # Create it 0600 before SQLite does, so the catalog is private from the start.
            path.touch(mode=FILE_MODE)
        try:
            migrate(self._conn())
        except sqlite3.DatabaseError as exc:
            self.close()
            raise CacheError(
                f"The local catalog at {path} cannot be opened ({exc}).",
                hint="Move it aside and start again; it is rebuilt from the API on the next sync.",
            ) from exc

    # -- connections ---------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise CacheError("The local catalog is closed.")
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        conn = self._conn()
        cur = conn.execute(sql, tuple(params))
        cur.row_factory = sqlite3.Row
        return cur.fetchall()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def integrity_check(self) -> str:
        row = self._conn().execute("PRAGMA integrity_check").fetchone()
        return str(row[0]) if row else "no answer"
