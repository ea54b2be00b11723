"""A bundle's records, cache entries and notes written to the catalog in one transaction."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from artifact_viewer.core.bundle.manifest import Manifest
from artifact_viewer.core.catalog.cache_tables import USABLE_STATES
from artifact_viewer.core.catalog.catalog import (
    ARTIFACT_COLUMNS,
    RUN_COLUMNS,
    WORKFLOW_COLUMNS,
    Catalog,
    artifact_row,
    run_row,
    workflow_row,
)
from artifact_viewer.core.models import Resource
from artifact_viewer.core.store_models import CacheEntry

R = TypeVar("R", bound=Resource)


@dataclass(slots=True)
class RecordCounts:
    """What the import changed in the catalog (all zero when the bundle was already in)."""

    new_runs: int = 0
    new_artifacts: int = 0
    new_files: int = 0
    notes: int = 0


def usable_entries(catalog: Catalog, artifact_ids: Sequence[str]) -> dict[str, CacheEntry]:
    """Artifacts that already have a usable cached file: the import leaves those alone."""
    entries = catalog.cache_entries(artifact_ids)
    return {i: e for i, e in entries.items() if e.state.value in USABLE_STATES and e.sha256}


def write_records(
    catalog: Catalog,
    manifest: Manifest,
    *,
    source: str,
    entries: Sequence[CacheEntry],
) -> RecordCounts:
    """Add what the catalog lacks, in one transaction (all or nothing).

    Records the catalog already holds keep its copy (it is as fresh as the bundle's or
    fresher) and are only un-deleted; each record is marked as imported from ``source``
    once. Runs new to the catalog are pinned. A note replaces the local one only when it
    is newer.
    """
    counts = RecordCounts()
    now = time.time()
    with catalog._write() as conn:
        _insert(conn, "workflows", WORKFLOW_COLUMNS, manifest.workflows, workflow_row, now)
        new_runs = _insert(conn, "workflow_runs", RUN_COLUMNS, manifest.runs, run_row, now)
        new_artifacts = _insert(
            conn, "artifacts", ARTIFACT_COLUMNS, manifest.artifacts, artifact_row, now
        )
        counts.new_runs, counts.new_artifacts = len(new_runs), len(new_artifacts)
        # A run the API never listed here cannot be downloaded again: pin it, so eviction
        # (cache quota) never removes the only copy. The user may unpin it.
        conn.executemany(
            "INSERT OR IGNORE INTO pins (run_id, pinned_at) VALUES (?, ?)",
            [(run_id, now) for run_id in new_runs],
        )
        marks = [
            *(("workflows", w.id) for w in manifest.workflows),
            *(("workflow_runs", r.id) for r in manifest.runs),
            *(("artifacts", a.id) for a in manifest.artifacts),
        ]
        conn.executemany(
            "INSERT OR IGNORE INTO imported (tbl, id, source, exported_at, imported_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(table, rid, source, manifest.exported_at, now) for table, rid in marks],
        )
        for entry in entries:
            conn.execute(
                "INSERT OR REPLACE INTO cache_entries (artifact_id, state, sha256, size, expected,"
                " actual, fetched_at, verified_at, last_opened_at) VALUES (?,?,?,?,?,?,?,?,?)",
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
        counts.new_files = len(entries)
        for note in manifest.notes:
            if not note.text:
                continue
            row = conn.execute(
                "SELECT text, updated_at FROM notes WHERE kind = ? AND target_id = ?",
                (note.kind.value, note.target_id),
            ).fetchone()
            if row is not None and (row[0] == note.text or float(row[1]) >= note.updated_at):
                continue  # same note, or the local one is newer: keep it
            conn.execute(
                "INSERT OR REPLACE INTO notes (kind, target_id, text, text_key, updated_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (note.kind.value, note.target_id, note.text, note.text.lower(), note.updated_at),
            )
            counts.notes += 1
    return counts


def _insert(
    conn: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    items: Sequence[R],
    row: Callable[[R], tuple[Any, ...]],
    now: float,
) -> list[str]:
    """Insert the records the table lacks; un-delete the ones it holds. Returns the new ids."""
    every = [*columns, "json", "seen_at"]
    insert = (
        f"INSERT OR IGNORE INTO {table} ({', '.join(every)}, deleted)"
        f" VALUES ({', '.join('?' * len(every))}, 0)"
    )
    added: list[str] = []
    for item in items:
        if conn.execute(insert, (*row(item), now)).rowcount:
            added.append(item.id)
        conn.execute(f"UPDATE {table} SET deleted = 0 WHERE id = ? AND deleted != 0", (item.id,))
    return added
