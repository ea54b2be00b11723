"""SQLite mirror of workflows, runs and artifacts (never their signed URLs) plus cache bookkeeping."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson

from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.models import Artifact, Job, JobRun, Resource, Workflow, WorkflowRun
from artifact_viewer.core.paths import FILE_MODE, ensure_private_dir
from artifact_viewer.core.schema import migrate
from artifact_viewer.core.store_models import ArtifactQuery, CacheEntry, CacheState

log = logging.getLogger("artifact_viewer.store")

R = TypeVar("R", bound=Resource)

BUSY_TIMEOUT_MS = 30_000
OPTIMIZE_AFTER_ROWS = 1000
_ORDER_SQL = {
    "created_at": "a.created_at",
    "name": "a.name_key",
    "type": "a.type",
    "mime_type": "a.mime_type",
    "file_size": "a.file_size",
    "workflow_run_id": "a.workflow_run_id",
}
_USABLE = (CacheState.VERIFIED.value, CacheState.NOT_VERIFIABLE.value)


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _dump(resource: Resource) -> str:
    data = resource.to_json()
    data.pop("signedUrl", None)  # a secret: never written to disk
    return orjson.dumps(data, default=str).decode()


class Catalog:
    """The local catalog. Thread-safe: each thread gets its own connection.

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

    # -- upserts --------------------------------------------------------------------------

    def upsert_workflows(self, items: Iterable[Workflow], *, full: bool = False) -> int:
        rows = [
            (
                w.id,
                w.name,
                w.source_provider,
                w.type,
                _epoch(w.created_at),
                _epoch(w.updated_at),
                _dump(w),
            )
            for w in items
        ]
        sql = (
            "INSERT INTO workflows (id, name, source_provider, type, created_at, updated_at, json, seen_at, deleted)"
            " VALUES (?,?,?,?,?,?,?,?,0) ON CONFLICT(id) DO UPDATE SET name=excluded.name,"
            " source_provider=excluded.source_provider, type=excluded.type, created_at=excluded.created_at,"
            " updated_at=excluded.updated_at, json=excluded.json, seen_at=excluded.seen_at, deleted=0"
        )
        return self._upsert("workflows", sql, rows, full=full, scope_sql="1", scope_args=())

    def upsert_jobs(self, items: Iterable[Job], *, full: bool = False) -> int:
        rows = [(j.id, j.name, j.source_provider, _epoch(j.created_at), _dump(j)) for j in items]
        sql = (
            "INSERT INTO jobs (id, name, source_provider, created_at, json, seen_at, deleted)"
            " VALUES (?,?,?,?,?,?,0) ON CONFLICT(id) DO UPDATE SET name=excluded.name,"
            " source_provider=excluded.source_provider, created_at=excluded.created_at,"
            " json=excluded.json, seen_at=excluded.seen_at, deleted=0"
        )
        return self._upsert("jobs", sql, rows, full=full, scope_sql="1", scope_args=())

    def upsert_job_runs(self, items: Iterable[JobRun], *, full: bool = False) -> int:
        rows = [(r.id, r.job_id, r.status, _epoch(r.created_at), _dump(r)) for r in items]
        sql = (
            "INSERT INTO job_runs (id, job_id, status, created_at, json, seen_at, deleted)"
            " VALUES (?,?,?,?,?,?,0) ON CONFLICT(id) DO UPDATE SET job_id=excluded.job_id,"
            " status=excluded.status, created_at=excluded.created_at, json=excluded.json,"
            " seen_at=excluded.seen_at, deleted=0"
        )
        return self._upsert("job_runs", sql, rows, full=full, scope_sql="1", scope_args=())

    def upsert_runs(
        self, items: Iterable[WorkflowRun], *, full: bool = False, workflow_id: str | None = None
    ) -> int:
        rows = [
            (
                r.id,
                r.workflow_id,
                r.job_run_id,
                r.status,
                _epoch(r.created_at),
                _epoch(r.completed_at),
                _dump(r),
            )
            for r in items
        ]
        sql = (
            "INSERT INTO workflow_runs (id, workflow_id, job_run_id, status, created_at, completed_at,"
            " json, seen_at, deleted) VALUES (?,?,?,?,?,?,?,?,0) ON CONFLICT(id) DO UPDATE SET"
            " workflow_id=excluded.workflow_id, job_run_id=excluded.job_run_id, status=excluded.status,"
            " created_at=excluded.created_at, completed_at=excluded.completed_at, json=excluded.json,"
            " seen_at=excluded.seen_at, deleted=0"
        )
        scope_sql, args = ("workflow_id = ?", (workflow_id,)) if workflow_id else ("1", ())
        return self._upsert(
            "workflow_runs", sql, rows, full=full, scope_sql=scope_sql, scope_args=args
        )

    def upsert_artifacts(
        self,
        items: Iterable[Artifact],
        *,
        full: bool = False,
        run_id: str | None = None,
        workflow_id: str | None = None,
    ) -> int:
        rows = [
            (
                a.id,
                a.workflow_id,
                a.workflow_run_id,
                a.type,
                a.display_name,
                (a.display_name or a.id).lower(),
                a.mime_type,
                a.file_size,
                a.file_hash,
                _epoch(a.created_at),
                _dump(a),
            )
            for a in items
        ]
        sql = (
            "INSERT INTO artifacts (id, workflow_id, workflow_run_id, type, display_name, name_key,"
            " mime_type, file_size, file_hash, created_at, json, seen_at, deleted)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0) ON CONFLICT(id) DO UPDATE SET"
            " workflow_id=excluded.workflow_id, workflow_run_id=excluded.workflow_run_id,"
            " type=excluded.type, display_name=excluded.display_name, name_key=excluded.name_key,"
            " mime_type=excluded.mime_type, file_size=excluded.file_size, file_hash=excluded.file_hash,"
            " created_at=excluded.created_at, json=excluded.json, seen_at=excluded.seen_at, deleted=0"
        )
        clauses: list[str] = []
        args: list[str] = []
        if run_id:
            clauses.append("workflow_run_id = ?")
            args.append(run_id)
        if workflow_id:
            clauses.append("workflow_id = ?")
            args.append(workflow_id)
        scope_sql = " AND ".join(clauses) or "1"
        return self._upsert(
            "artifacts", sql, rows, full=full, scope_sql=scope_sql, scope_args=tuple(args)
        )

    def _upsert(
        self,
        table: str,
        sql: str,
        rows: list[tuple[Any, ...]],
        *,
        full: bool,
        scope_sql: str,
        scope_args: tuple[Any, ...],
    ) -> int:
        """Insert or update ``rows``; on a full refresh, mark rows of the scope not seen as deleted.

        Deleted rows keep their cached files: the user decides (purge) or eviction does.
        """
        with self._write() as conn:
            seen = time.time()
            conn.executemany(sql, [(*row, seen) for row in rows])
            if full:
                ids = [row[0] for row in rows]
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS seen_ids (id TEXT PRIMARY KEY)")
                conn.execute("DELETE FROM seen_ids")
                conn.executemany("INSERT OR IGNORE INTO seen_ids VALUES (?)", [(i,) for i in ids])
                gone = conn.execute(
                    f"UPDATE {table} SET deleted = 1 WHERE deleted = 0 AND ({scope_sql})"
                    " AND id NOT IN (SELECT id FROM seen_ids)",
                    scope_args,
                ).rowcount
                conn.execute("DELETE FROM seen_ids")
                if gone:
                    log.info("%d %s no longer listed by the API; marked deleted", gone, table)
        if len(rows) >= OPTIMIZE_AFTER_ROWS:
            # Without statistics SQLite drives every query from the (deleted, created_at)
            # index; a sampled ANALYZE (milliseconds) lets it pick the run/type/name ones.
            conn = self._conn()
            conn.execute("PRAGMA analysis_limit = 1000")
            conn.execute("ANALYZE")
        return len(rows)

    # -- resource reads -------------------------------------------------------------------

    @staticmethod
    def _load(cls: type[R], rows: Iterable[sqlite3.Row]) -> list[R]:
        out: list[R] = []
        for row in rows:
            try:
                out.append(cls.from_json(orjson.loads(row["json"])))
            except (orjson.JSONDecodeError, TypeError) as exc:
                log.warning("Skipping unreadable %s row: %s", cls.kind, exc)
        return out

    def workflows(self) -> list[Workflow]:
        rows = self._read(
            "SELECT json FROM workflows WHERE deleted = 0 ORDER BY lower(coalesce(name, id))"
        )
        return self._load(Workflow, rows)

    def workflow(self, workflow_id: str) -> Workflow | None:
        found = self._load(
            Workflow, self._read("SELECT json FROM workflows WHERE id = ?", (workflow_id,))
        )
        return found[0] if found else None

    def jobs(self) -> list[Job]:
        return self._load(
            Job, self._read("SELECT json FROM jobs WHERE deleted = 0 ORDER BY created_at DESC")
        )

    def job_runs(self) -> list[JobRun]:
        return self._load(
            JobRun,
            self._read("SELECT json FROM job_runs WHERE deleted = 0 ORDER BY created_at DESC"),
        )

    def runs(self, workflow_id: str | None = None, status: str | None = None) -> list[WorkflowRun]:
        clauses = ["deleted = 0"]
        args: list[str] = []
        if workflow_id:
            clauses.append("workflow_id = ?")
            args.append(workflow_id)
        if status:
            clauses.append("status = ?")
            args.append(status)
        sql = f"SELECT json FROM workflow_runs WHERE {' AND '.join(clauses)} ORDER BY created_at DESC, id"
        return self._load(WorkflowRun, self._read(sql, args))

    def run(self, run_id: str) -> WorkflowRun | None:
        found = self._load(
            WorkflowRun, self._read("SELECT json FROM workflow_runs WHERE id = ?", (run_id,))
        )
        return found[0] if found else None

    def offline_runs(self) -> list[WorkflowRun]:
        """Runs that can be browsed offline: pinned, or holding at least one usable cached file."""
        sql = (
            "SELECT r.json FROM workflow_runs r WHERE r.id IN (SELECT run_id FROM pins) OR r.id IN"
            " (SELECT a.workflow_run_id FROM artifacts a JOIN cache_entries c ON c.artifact_id = a.id"
            f" WHERE c.state IN {_USABLE!r}) ORDER BY r.created_at DESC, r.id"
        )
        return self._load(WorkflowRun, self._read(sql))

    def artifact(self, artifact_id: str) -> Artifact | None:
        found = self._load(
            Artifact, self._read("SELECT json FROM artifacts WHERE id = ?", (artifact_id,))
        )
        return found[0] if found else None

    def _artifact_where(self, query: ArtifactQuery) -> tuple[str, list[Any]]:
        # Sub-selects rather than joins: the small side (cache rows, runs with a status)
        # is looked up once and the artifact indexes keep driving the scan and the order.
        clauses: list[str] = [] if query.include_deleted else ["a.deleted = 0"]
        args: list[Any] = []
        if query.text.strip():
            escaped = query.text.strip().lower()
            escaped = escaped.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("a.name_key LIKE ? ESCAPE '\\'")
            args.append(f"%{escaped}%")
        for column, value in (
            ("a.type", query.type),
            ("a.mime_type", query.mime),
            ("a.workflow_id", query.workflow_id),
            ("a.workflow_run_id", query.run_id),
        ):
            if value:
                clauses.append(f"{column} = ?")
                args.append(value)
        if query.status:
            clauses.append("a.workflow_run_id IN (SELECT id FROM workflow_runs WHERE status = ?)")
            args.append(query.status)
        if query.since is not None:
            clauses.append("a.created_at >= ?")
            args.append(query.since.timestamp())
        if query.until is not None:
            clauses.append("a.created_at < ?")
            args.append(query.until.timestamp())
        if query.cached_only:
            clauses.append(
                f"a.id IN (SELECT artifact_id FROM cache_entries WHERE state IN {_USABLE!r})"
            )
        if query.cache_state is not None:
            if query.cache_state is CacheState.NOT_CACHED:
                clauses.append(
                    "a.id NOT IN (SELECT artifact_id FROM cache_entries WHERE state != ?)"
                )
            else:
                clauses.append("a.id IN (SELECT artifact_id FROM cache_entries WHERE state = ?)")
            args.append(query.cache_state.value)
        return " AND ".join(clauses) or "1", args

    def artifacts(self, query: ArtifactQuery) -> list[Artifact]:
        if query.order_by not in _ORDER_SQL:
            raise ValueError(
                f"cannot sort artifacts by {query.order_by!r}; use one of {sorted(_ORDER_SQL)}"
            )
        where, args = self._artifact_where(query)
        direction = "DESC" if query.descending else "ASC"
        sql = (
            f"SELECT a.json FROM artifacts a WHERE {where}"
            f" ORDER BY {_ORDER_SQL[query.order_by]} {direction}, a.id {direction}"
        )
        if query.limit is not None or query.offset:
            sql += " LIMIT ? OFFSET ?"
            args += [query.limit if query.limit is not None else -1, max(query.offset, 0)]
        return self._load(Artifact, self._read(sql, args))

    def count_artifacts(self, query: ArtifactQuery) -> int:
        where, args = self._artifact_where(query)
        row = (
            self._conn().execute(f"SELECT count(*) FROM artifacts a WHERE {where}", args).fetchone()
        )
        return int(row[0])

    def artifact_ids(
        self, *, run_id: str | None = None, workflow_id: str | None = None
    ) -> list[str]:
        clauses = ["deleted = 0"]
        args: list[str] = []
        if run_id:
            clauses.append("workflow_run_id = ?")
            args.append(run_id)
        if workflow_id:
            clauses.append("workflow_id = ?")
            args.append(workflow_id)
        rows = self._read(
            f"SELECT id FROM artifacts WHERE {' AND '.join(clauses)} ORDER BY created_at, id", args
        )
        return [str(r["id"]) for r in rows]

    # -- cache entries --------------------------------------------------------------------

    @staticmethod
    def _entry(row: sqlite3.Row) -> CacheEntry:
        return CacheEntry(
            artifact_id=row["artifact_id"],
            state=CacheState(row["state"]),
            sha256=row["sha256"],
            size=row["size"],
            expected=row["expected"],
            actual=row["actual"],
            fetched_at=row["fetched_at"],
            verified_at=row["verified_at"],
            last_opened_at=row["last_opened_at"],
        )

    def cache_entry(self, artifact_id: str) -> CacheEntry | None:
        rows = self._read("SELECT * FROM cache_entries WHERE artifact_id = ?", (artifact_id,))
        return self._entry(rows[0]) if rows else None

    def cache_entries(self, artifact_ids: Sequence[str] | None = None) -> dict[str, CacheEntry]:
        if artifact_ids is None:
            return {
                e.artifact_id: e
                for e in map(self._entry, self._read("SELECT * FROM cache_entries"))
            }
        out: dict[str, CacheEntry] = {}
        ids = list(artifact_ids)
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._read(
                f"SELECT * FROM cache_entries WHERE artifact_id IN ({marks})", chunk
            ):
                out[row["artifact_id"]] = self._entry(row)
        return out

    def cache_entries_by_expected(self, expected: str) -> list[CacheEntry]:
        """Entries whose expected hash is ``expected`` (e.g. ``md5:...``): same bytes, any artifact."""
        rows = self._read("SELECT * FROM cache_entries WHERE expected = ?", (expected,))
        return [self._entry(r) for r in rows]

    def put_cache_entry(self, entry: CacheEntry) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO cache_entries (artifact_id, state, sha256, size, expected, actual, fetched_at,"
                " verified_at, last_opened_at) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(artifact_id) DO UPDATE"
                " SET state=excluded.state, sha256=excluded.sha256, size=excluded.size,"
                " expected=excluded.expected, actual=excluded.actual, fetched_at=excluded.fetched_at,"
                " verified_at=excluded.verified_at, last_opened_at=excluded.last_opened_at",
                (
                    entry.artifact_id,
                    entry.state.value,
                    entry.sha256,
                    entry.size,
                    entry.expected,
                    entry.actual,
                    entry.fetched_at,
                    entry.verified_at,
                    entry.last_opened_at,
                ),
            )

    def delete_cache_entry(self, artifact_id: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM cache_entries WHERE artifact_id = ?", (artifact_id,))

    def touch(self, artifact_id: str, when: float | None = None) -> None:
        """Record that an artifact was opened (drives LRU eviction)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE cache_entries SET last_opened_at = ? WHERE artifact_id = ?",
                (when if when is not None else time.time(), artifact_id),
            )

    def entries_for_blob(self, sha256: str) -> list[CacheEntry]:
        return [
            self._entry(r)
            for r in self._read("SELECT * FROM cache_entries WHERE sha256 = ?", (sha256,))
        ]

    def forget_blob(self, sha256: str) -> int:
        """Drop every artifact's claim on a blob (after its file was removed)."""
        with self._write() as conn:
            return conn.execute("DELETE FROM cache_entries WHERE sha256 = ?", (sha256,)).rowcount

    def blobs_by_age(self) -> list[tuple[str, int, float, bool]]:
        """(sha256, size, last used, pinned) per cached blob, least recently used first."""
        rows = self._read(
            "SELECT c.sha256 AS sha256, max(coalesce(c.size, 0)) AS size,"
            " max(coalesce(c.last_opened_at, c.fetched_at, 0)) AS used,"
            " max(CASE WHEN p.run_id IS NULL THEN 0 ELSE 1 END) AS pinned"
            " FROM cache_entries c LEFT JOIN artifacts a ON a.id = c.artifact_id"
            " LEFT JOIN pins p ON p.run_id = a.workflow_run_id"
            f" WHERE c.sha256 IS NOT NULL AND c.state IN {_USABLE!r}"
            " GROUP BY c.sha256 ORDER BY used ASC, c.sha256"
        )
        return [(r["sha256"], int(r["size"]), float(r["used"]), bool(r["pinned"])) for r in rows]

    def cached_bytes(self) -> int:
        row = (
            self._conn()
            .execute(
                "SELECT coalesce(sum(size), 0) FROM (SELECT max(coalesce(size, 0)) AS size FROM cache_entries"
                f" WHERE sha256 IS NOT NULL AND state IN {_USABLE!r} GROUP BY sha256)"
            )
            .fetchone()
        )
        return int(row[0])

    def state_counts(self) -> dict[str, int]:
        rows = self._read("SELECT state, count(*) AS n FROM cache_entries GROUP BY state")
        return {str(r["state"]): int(r["n"]) for r in rows}

    def count_rows(self, table: str) -> int:
        if table not in {"workflows", "jobs", "job_runs", "workflow_runs", "artifacts"}:
            raise ValueError(table)
        return int(
            self._conn().execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
        )

    # -- pins and sync bookkeeping --------------------------------------------------------

    def pin(self, run_id: str) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO pins (run_id, pinned_at) VALUES (?, ?)",
                (run_id, time.time()),
            )

    def unpin(self, run_id: str) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM pins WHERE run_id = ?", (run_id,)).rowcount > 0

    def pinned_runs(self) -> list[str]:
        return [str(r["run_id"]) for r in self._read("SELECT run_id FROM pins ORDER BY pinned_at")]

    def is_pinned(self, run_id: str) -> bool:
        return bool(self._read("SELECT 1 FROM pins WHERE run_id = ?", (run_id,)))

    def pinned_bytes(self) -> int:
        row = (
            self._conn()
            .execute(
                "SELECT coalesce(sum(size), 0) FROM (SELECT max(coalesce(c.size, 0)) AS size"
                " FROM cache_entries c JOIN artifacts a ON a.id = c.artifact_id"
                " JOIN pins p ON p.run_id = a.workflow_run_id"
                f" WHERE c.sha256 IS NOT NULL AND c.state IN {_USABLE!r} GROUP BY c.sha256)"
            )
            .fetchone()
        )
        return int(row[0])

    def mark_synced(self, scope: str, when: float | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sync_state (scope, last_synced_at) VALUES (?, ?) ON CONFLICT(scope)"
                " DO UPDATE SET last_synced_at = excluded.last_synced_at",
                (scope, when if when is not None else time.time()),
            )

    def last_synced(self, scope: str) -> float | None:
        rows = self._read("SELECT last_synced_at FROM sync_state WHERE scope = ?", (scope,))
        return float(rows[0]["last_synced_at"]) if rows else None
