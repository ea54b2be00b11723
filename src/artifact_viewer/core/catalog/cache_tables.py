"""Catalog tables about local state: cached files per artifact, pins, sync times."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from artifact_viewer.core.catalog.db import CatalogDb
from artifact_viewer.core.store_models import CachedArtifact, CacheEntry, CacheState

USABLE_STATES = (CacheState.VERIFIED.value, CacheState.NOT_VERIFIABLE.value)
_USABLE = USABLE_STATES


class CacheTables(CatalogDb):
    """Which artifact maps to which blob and in what state; pinned runs; sync bookkeeping."""

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

    def cache_listing(
        self,
        *,
        run_id: str | None = None,
        state: CacheState | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CachedArtifact]:
        """A page of cached (or failed) artifacts, newest first, filtered and paged in SQL:
        the cost follows the cache's size, never the catalog's."""
        clauses: list[str] = []
        args: list[Any] = []
        if run_id:
            clauses.append("a.workflow_run_id = ?")
            args.append(run_id)
        if state is not None:
            clauses.append("c.state = ?")
            args.append(state.value)
        where = " AND ".join(clauses) or "1"
        rows = self._read(
            "SELECT c.artifact_id, coalesce(a.display_name, c.artifact_id) AS name,"
            " a.workflow_run_id AS run_id, c.state, c.size, c.last_opened_at,"
            " EXISTS (SELECT 1 FROM pins p WHERE p.run_id = a.workflow_run_id) AS pinned"
            # CROSS JOIN keeps cache_entries the outer loop: SQLite would otherwise walk
            # every catalog row in date order (4x slower with 100k artifacts, 2k cached).
            f" FROM cache_entries c CROSS JOIN artifacts a ON a.id = c.artifact_id WHERE {where}"
            " ORDER BY a.created_at DESC, c.artifact_id DESC LIMIT ? OFFSET ?",
            [*args, limit if limit is not None else -1, max(offset, 0)],
        )
        return [
            CachedArtifact(
                artifact_id=r["artifact_id"],
                name=r["name"],
                run_id=r["run_id"],
                state=CacheState(r["state"]),
                size=r["size"],
                pinned=bool(r["pinned"]),
                last_opened_at=r["last_opened_at"],
            )
            for r in rows
        ]

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
        return int(
            self._scalar(
                "SELECT coalesce(sum(size), 0) FROM (SELECT max(coalesce(size, 0)) AS size FROM cache_entries"
                f" WHERE sha256 IS NOT NULL AND state IN {_USABLE!r} GROUP BY sha256)"
            )
        )

    def state_counts(self) -> dict[str, int]:
        rows = self._read("SELECT state, count(*) AS n FROM cache_entries GROUP BY state")
        return {str(r["state"]): int(r["n"]) for r in rows}

    def count_rows(self, table: str) -> int:
        if table not in {"workflows", "jobs", "job_runs", "workflow_runs", "artifacts"}:
            raise ValueError(table)
        return int(self._scalar(f"SELECT count(*) FROM {table} WHERE deleted = 0"))

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
        return int(
            self._scalar(
                "SELECT coalesce(sum(size), 0) FROM (SELECT max(coalesce(c.size, 0)) AS size"
                " FROM cache_entries c JOIN artifacts a ON a.id = c.artifact_id"
                " JOIN pins p ON p.run_id = a.workflow_run_id"
                f" WHERE c.sha256 IS NOT NULL AND c.state IN {_USABLE!r} GROUP BY c.sha256)"
            )
        )

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
