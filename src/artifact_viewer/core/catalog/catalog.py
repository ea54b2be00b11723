"""SQLite mirror of workflows, runs and artifacts (never their signed URLs) plus cache bookkeeping."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import orjson

from artifact_viewer.core.catalog.cache_tables import USABLE_STATES, CacheTables
from artifact_viewer.core.catalog.listing import RunListing, read_run_listing
from artifact_viewer.core.catalog.notes import NoteTables
from artifact_viewer.core.catalog.schema import NAME_SEARCH_TABLE
from artifact_viewer.core.models import Artifact, Job, JobRun, Resource, Workflow, WorkflowRun
from artifact_viewer.core.store_models import ArtifactQuery, CacheState

log = logging.getLogger("artifact_viewer.store")

R = TypeVar("R", bound=Resource)

OPTIMIZE_AFTER_ROWS = 1000
TRIGRAM = 3  # shorter search text cannot use the trigram index
_ORDER_SQL = {
    "created_at": "a.created_at",
    "name": "a.name_key",
    "type": "a.type",
    "mime_type": "a.mime_type",
    "file_size": "a.file_size",
    "workflow_run_id": "a.workflow_run_id",
    # Grouped by run, newest run first: the run's start, then its id keeps a group together.
    "run_started": "(SELECT r.created_at FROM workflow_runs r WHERE r.id = a.workflow_run_id)"
    " {dir}, a.workflow_run_id",
}
_USABLE = USABLE_STATES


def _epoch(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _equals(pairs: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """``col = ? AND ...`` for the pairs whose value is set (``1`` when none is) and its args."""
    used = [(column, value) for column, value in pairs.items() if value]
    return " AND ".join(f"{c} = ?" for c, _ in used) or "1", tuple(v for _, v in used)


def _dump(resource: Resource) -> str:
    data = resource.to_json()
    data.pop("signedUrl", None)  # a secret: never written to disk
    try:
        return orjson.dumps(data, default=str).decode()
    except orjson.JSONEncodeError:  # e.g. an integer past 64 bits in an unknown field
        return json.dumps(data, default=str)


WORKFLOW_COLUMNS = ("id", "name", "source_provider", "type", "created_at", "updated_at")
RUN_COLUMNS = ("id", "workflow_id", "job_run_id", "status", "created_at", "completed_at")
ARTIFACT_COLUMNS = (
    "id", "workflow_id", "workflow_run_id", "type", "display_name",
    "name_key", "mime_type", "file_size", "file_hash", "created_at",
)  # fmt: skip


def workflow_row(w: Workflow) -> tuple[Any, ...]:
    """``WORKFLOW_COLUMNS`` then the stored JSON."""
    return (
        *(w.id, w.name, w.source_provider, w.type),
        *(_epoch(w.created_at), _epoch(w.updated_at), _dump(w)),
    )


def run_row(r: WorkflowRun) -> tuple[Any, ...]:
    """``RUN_COLUMNS`` then the stored JSON."""
    return (
        *(r.id, r.workflow_id, r.job_run_id, r.status),
        *(_epoch(r.created_at), _epoch(r.completed_at), _dump(r)),
    )


def artifact_row(a: Artifact) -> tuple[Any, ...]:
    """``ARTIFACT_COLUMNS`` then the stored JSON (never the signed URL)."""
    return (
        *(a.id, a.workflow_id, a.workflow_run_id, a.type, a.display_name),
        *((a.display_name or a.id).lower(), a.mime_type, a.file_size, a.file_hash),
        *(_epoch(a.created_at), _dump(a)),
    )


def _glob_escape(text: str) -> str:
    """GLOB treats only * ? [ as special; each escapes as [x]."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _glob(text: str) -> str:
    """Anywhere in a name; a space in ``text`` also matches ``_``, ``.`` and ``-`` (names
    rarely hold spaces: "payroll register" finds payroll_register.csv)."""
    return "*" + "[ _.-]".join(_glob_escape(part) for part in text.split(" ")) + "*"


def _glob_prefix(text: str) -> str:
    return _glob_escape(text) + "*"


class Catalog(CacheTables, NoteTables):
    """The local catalog: mirrored API resources (never signed URLs) plus cache bookkeeping.

    Thread-safe and shared by processes; see :class:`CatalogDb`.
    """

    _name_search: bool | None = None  # whether the trigram index exists (looked up once)

    def _has_name_search(self) -> bool:
        if self._name_search is None:
            found = self._scalar("SELECT 1 FROM sqlite_master WHERE name = ?", (NAME_SEARCH_TABLE,))
            self._name_search = found is not None
        return self._name_search

    # -- upserts --------------------------------------------------------------------------

    def upsert_workflows(self, items: Iterable[Workflow], *, full: bool = False) -> int:
        rows = [workflow_row(w) for w in items]
        return self._upsert("workflows", WORKFLOW_COLUMNS, rows, full=full, scope={})

    def upsert_jobs(self, items: Iterable[Job], *, full: bool = False) -> int:
        rows = [(j.id, j.name, j.source_provider, _epoch(j.created_at), _dump(j)) for j in items]
        columns = ("id", "name", "source_provider", "created_at")
        return self._upsert("jobs", columns, rows, full=full, scope={})

    def upsert_job_runs(self, items: Iterable[JobRun], *, full: bool = False) -> int:
        rows = [(r.id, r.job_id, r.status, _epoch(r.created_at), _dump(r)) for r in items]
        columns = ("id", "job_id", "status", "created_at")
        return self._upsert("job_runs", columns, rows, full=full, scope={})

    def upsert_runs(
        self, items: Iterable[WorkflowRun], *, full: bool = False, workflow_id: str | None = None
    ) -> int:
        rows = [run_row(r) for r in items]
        scope = {"workflow_id": workflow_id}
        return self._upsert("workflow_runs", RUN_COLUMNS, rows, full=full, scope=scope)

    def upsert_artifacts(
        self,
        items: Iterable[Artifact],
        *,
        full: bool = False,
        run_id: str | None = None,
        workflow_id: str | None = None,
    ) -> int:
        rows = [artifact_row(a) for a in items]
        scope = {"workflow_run_id": run_id, "workflow_id": workflow_id}
        return self._upsert("artifacts", ARTIFACT_COLUMNS, rows, full=full, scope=scope)

    def mark_unseen_deleted(
        self, table: str, *, since: float, scope: Mapping[str, str | None]
    ) -> int:
        """After a full listing written in batches: rows of ``scope`` not written since
        ``since`` (epoch seconds) are no longer listed by the API, so marked deleted
        (rows imported from a bundle excepted, as in a one-batch refresh)."""
        if table not in ("artifacts", "workflow_runs", "workflows", "jobs", "job_runs"):
            raise ValueError(table)
        scope_sql, scope_args = _equals(scope)
        with self._write() as conn:
            gone: int = conn.execute(
                f"UPDATE {table} SET deleted = 1 WHERE deleted = 0 AND ({scope_sql})"
                " AND (seen_at IS NULL OR seen_at < ?)"
                " AND id NOT IN (SELECT id FROM imported WHERE tbl = ?)",
                (*scope_args, since, table),
            ).rowcount
        if gone:
            log.info("%d %s no longer listed by the API; marked deleted", gone, table)
        return gone

    def _upsert(
        self,
        table: str,
        columns: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        full: bool,
        scope: Mapping[str, str | None],
    ) -> int:
        """Insert or update ``rows``; on a full refresh, mark rows of the scope not seen as deleted.

        Deleted rows keep their cached files: the user decides (purge) or eviction does.
        Rows imported from a bundle are never marked deleted: the API not listing them
        (another organisation, or retention) does not make the user's copy go away.
        """
        every = [*columns, "json", "seen_at"]  # each row: the columns, then json; seen_at added
        sql = (
            f"INSERT INTO {table} ({', '.join(every)}, deleted) VALUES ({', '.join('?' * len(every))}, 0)"
            f" ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c}=excluded.{c}' for c in every[1:])},"
            " deleted=0"
        )
        scope_sql, scope_args = _equals(scope)
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
                    " AND id NOT IN (SELECT id FROM seen_ids)"
                    " AND id NOT IN (SELECT id FROM imported WHERE tbl = ?)",
                    (*scope_args, table),
                ).rowcount
                conn.execute("DELETE FROM seen_ids")
                if gone:
                    log.info("%d %s no longer listed by the API; marked deleted", gone, table)
        if len(rows) >= OPTIMIZE_AFTER_ROWS:
            # Without statistics SQLite drives every query from the (deleted, created_at)
            # index; a sampled ANALYZE (milliseconds) lets it pick the run/type/name ones.
            self._scalar("PRAGMA analysis_limit = 1000")
            self._scalar("ANALYZE")
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
        where, args = _equals({"workflow_id": workflow_id, "status": status})
        sql = f"SELECT json FROM workflow_runs WHERE deleted = 0 AND {where} ORDER BY created_at DESC, id"
        return self._load(WorkflowRun, self._read(sql, args))

    def run_listing(self) -> RunListing:
        """What the navigator lists of the runs (see :mod:`.listing`): :meth:`runs`,
        :meth:`offline_runs` and the pinned ones among those, without decoding whole runs."""
        conn = self._conn()
        with self._errors():
            return read_run_listing(conn)

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
        text = query.text.strip().lower()
        if text:
            # GLOB on the lower-cased name: only * ? [ are special, and they escape as [x].
            pattern = "*" + "".join(f"[{c}]" if c in "*?[" else c for c in text) + "*"
            if len(text) >= TRIGRAM and self._has_name_search():
                by_name = (
                    f"a.rowid IN (SELECT rowid FROM {NAME_SEARCH_TABLE} WHERE name_key GLOB ?)"
                )
            else:
                by_name = "a.name_key GLOB ?"
            # The artifact's note is searched too (notes are few: a plain scan of them).
            by_note = (
                "a.id IN (SELECT target_id FROM notes WHERE kind = 'artifact'"
                " AND instr(text_key, ?) > 0)"
            )
            clauses.append(f"({by_name} OR {by_note})")
            args += [pattern, text]
        for term in query.terms:
            clauses.append(f"({self._name_or_note_sql(term)})")
            args += [_glob(term.lower()), term.lower()]
        for term in query.exclude:
            clauses.append(f"NOT ({self._name_or_note_sql(term)})")
            args += [_glob(term.lower()), term.lower()]
        if query.mimes:
            parts = []
            for mime in query.mimes:
                if mime.endswith("/"):
                    parts.append("lower(a.mime_type) GLOB ?")
                    args.append(_glob_prefix(mime.lower()))
                else:
                    parts.append("lower(a.mime_type) = ?")
                    args.append(mime.lower())
            clauses.append("(" + " OR ".join(parts) + ")")
        if query.extensions:
            clauses.append("(" + " OR ".join("a.name_key GLOB ?" for _ in query.extensions) + ")")
            args += ["*" + _glob_escape("." + e.lower()) for e in query.extensions]
        if query.run_match:
            clauses.append("a.workflow_run_id GLOB ?")
            args.append(_glob_prefix(query.run_match))
        if query.workflow_match:
            clauses.append(
                "a.workflow_id IN (SELECT id FROM workflows WHERE id GLOB ?"
                " OR instr(lower(name), ?) > 0)"
            )
            args += [_glob_prefix(query.workflow_match), query.workflow_match.lower()]
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
        if query.ids is not None:
            clauses.append("a.id IN (SELECT value FROM json_each(?))")
            args.append(json.dumps(sorted(query.ids)))
        if query.cache_state is not None:
            if query.cache_state is CacheState.NOT_CACHED:
                clauses.append(
                    "a.id NOT IN (SELECT artifact_id FROM cache_entries WHERE state != ?)"
                )
            else:
                clauses.append("a.id IN (SELECT artifact_id FROM cache_entries WHERE state = ?)")
            args.append(query.cache_state.value)
        return " AND ".join(clauses) or "1", args

    def _name_or_note_sql(self, term: str) -> str:
        """The name holds ``term`` (as :func:`_glob` spells it) or the artifact's note does.

        A term with three letters in a row goes through the trigram index: a plain GLOB
        reads every name (a fifth of a second for 100k artifacts), the index a few rows.
        """
        indexed = max(len(part) for part in term.split(" ")) >= TRIGRAM
        if indexed and self._has_name_search():
            by_name = f"a.rowid IN (SELECT rowid FROM {NAME_SEARCH_TABLE} WHERE name_key GLOB ?)"
        else:
            by_name = "a.name_key GLOB ?"
        return (
            f"{by_name} OR a.id IN (SELECT target_id FROM notes WHERE kind = 'artifact'"
            " AND instr(text_key, ?) > 0)"
        )

    def run_ids_matching(self, query: ArtifactQuery) -> set[str]:
        """Runs holding at least one artifact that ``query`` matches (order and paging ignored)."""
        where, args = self._artifact_where(query)
        sql = f"SELECT DISTINCT a.workflow_run_id FROM artifacts a WHERE {where}"
        return {row[0] for row in self._read(sql, tuple(args)) if row[0]}

    def artifacts(self, query: ArtifactQuery) -> list[Artifact]:
        if query.order_by not in _ORDER_SQL:
            raise ValueError(
                f"cannot sort artifacts by {query.order_by!r}; use one of {sorted(_ORDER_SQL)}"
            )
        where, args = self._artifact_where(query)
        direction = "DESC" if query.descending else "ASC"
        sql = (
            f"SELECT a.json FROM artifacts a WHERE {where}"
            f" ORDER BY {_ORDER_SQL[query.order_by].format(dir=direction)} {direction},"
            f" a.id {direction}"
        )
        if query.limit is not None or query.offset:
            sql += " LIMIT ? OFFSET ?"
            args += [query.limit if query.limit is not None else -1, max(query.offset, 0)]
        return self._load(Artifact, self._read(sql, args))

    def count_artifacts(self, query: ArtifactQuery) -> int:
        where, args = self._artifact_where(query)
        return int(self._scalar(f"SELECT count(*) FROM artifacts a WHERE {where}", args))

    def artifact_ids(
        self, *, run_id: str | None = None, workflow_id: str | None = None
    ) -> list[str]:
        where, args = _equals({"workflow_run_id": run_id, "workflow_id": workflow_id})
        rows = self._read(
            f"SELECT id FROM artifacts WHERE deleted = 0 AND {where} ORDER BY created_at, id", args
        )
        return [str(r["id"]) for r in rows]
