"""The catalog's SQLite plumbing: one connection per thread, WAL, busy timeout, migrations."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from artifact_viewer.core.catalog.schema import migrate
from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.paths import FILE_MODE, ensure_private_dir

BUSY_TIMEOUT_MS = 30_000

T = TypeVar("T")


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
            # Another process may be creating or migrating the same file right now.
            retry_while_locked(lambda: migrate(self._conn()), BUSY_TIMEOUT_MS / 1000)
        except (sqlite3.DatabaseError, CacheError) as exc:
            self.close()
            reason = exc.__cause__ if isinstance(exc, CacheError) and exc.__cause__ else exc
            raise CacheError(
                f"The local catalog at {path} cannot be opened ({reason}).",
                hint="Move it aside and start again; it is rebuilt from the API on the next sync.",
            ) from exc

    # -- connections ---------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if self._closed:
            raise CacheError("The local catalog is closed.")
        with self._errors():
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
            try:
                retry_while_locked(lambda: _configure(conn), BUSY_TIMEOUT_MS / 1000)
            except BaseException:
                conn.close()
                raise
        self._local.conn = conn
        with self._lock:
            self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite failures (disk full, locked too long, damaged file) as a :class:`CacheError`."""
        try:
            yield
        except sqlite3.Error as exc:
            raise catalog_error(exc, self.path) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            with self._errors():
                conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise catalog_error(exc, self.path) from exc
            raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        conn = self._conn()
        with self._errors():
            cur = conn.execute(sql, tuple(params))
            cur.row_factory = sqlite3.Row
            return cur.fetchall()

    def _scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row (None when there is no row)."""
        conn = self._conn()
        with self._errors():
            row = conn.execute(sql, tuple(params)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def integrity_check(self) -> str:
        return str(self._scalar("PRAGMA integrity_check") or "no answer")


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")


def retry_while_locked(action: Callable[[], T], timeout: float) -> T:
    """Run ``action``, retrying while another process holds the file.

    SQLite's busy timeout does not cover everything: switching a new file to WAL while
    another process holds a write lock on it answers "database is locked" at once.
    """
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            text = str(exc).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def catalog_error(exc: sqlite3.Error, path: Path) -> CacheError:
    """What a person should read for an SQLite failure (the raw text goes to the log)."""
    text = str(exc).lower()
    if "full" in text:  # SQLITE_FULL: "database or disk is full"
        return CacheError(
            "The disk is full: the local catalog could not be updated.",
            hint="Free some disk space or lower the cache quota in Settings, then try again.",
        )
    if "locked" in text or "busy" in text:
        return CacheError(
            "The local catalog stayed locked by another artifact-viewer process.",
            hint="Wait for the other sync or window to finish, then try again.",
        )
    if "readonly" in text or "read-only" in text:
        return CacheError(
            f"The local catalog at {path} is read-only.",
            hint="Check the permissions of the app's data folder.",
        )
    return CacheError(
        f"The local catalog at {path} failed ({exc}).",
        hint="If it persists, move it aside; it is rebuilt from the API on the next sync.",
    )
