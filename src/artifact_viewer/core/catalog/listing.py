"""The runs as the navigator lists them, read from the catalog's columns alone.

Start-up lists the cached catalog before anything else is open; decoding every run's stored
JSON into a :class:`~artifact_viewer.core.models.WorkflowRun` took most of that time for
10k runs. :func:`read_run_listing` asks SQLite for the few values a navigator row shows (the
step a run is at comes out of the JSON through ``json_extract``, still inside SQLite) into
:class:`RunRow` records, which answer the same attributes the rows read from a run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import orjson

from artifact_viewer.core.catalog.cache_tables import USABLE_STATES
from artifact_viewer.core.models import WorkflowRun

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INVALID_CREATED = 1
_INVALID_COMPLETED = 2
_ODD_STATE = 4  # a currentStateName that is no string (a number, an object): read whole


class ListedRun(Protocol):
    """What a navigator row reads from a run: a :class:`WorkflowRun` or a :class:`RunRow`."""

    @property
    def id(self) -> str: ...
    @property
    def workflow_id(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def current_state_name(self) -> str | None: ...
    @property
    def created_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...
    @property
    def duration_seconds(self) -> float | None: ...
    @property
    def created_timestamp(self) -> float: ...
    def invalid_date(self, attr: str) -> bool: ...


def _time(epoch: float | None) -> datetime | None:
    # Epoch plus a delta rather than fromtimestamp: it covers every datetime (year 1 too).
    return None if epoch is None else _EPOCH + timedelta(seconds=epoch)


class RunRow(tuple[str, str | None, str | None, str | None, float | None, float | None, int]):
    """A run's navigator values: id, workflow id, status, current step, created and completed
    (epoch seconds) and which of those two the server sent as something that is no date.
    Times become datetimes when read (a row on screen reads a few; 10k are listed)."""

    __slots__ = ()

    @property
    def id(self) -> str:
        return self[0]

    @property
    def workflow_id(self) -> str | None:
        return self[1]

    @property
    def status(self) -> str | None:
        return self[2]

    @property
    def current_state_name(self) -> str | None:
        return self[3]

    @property
    def created_at(self) -> datetime | None:
        return _time(self[4])

    @property
    def completed_at(self) -> datetime | None:
        return _time(self[5])

    @property
    def created_timestamp(self) -> float:
        """``created_at`` as epoch seconds (0 when unknown), as stored: no datetime made."""
        return self[4] or 0.0

    @property
    def duration_seconds(self) -> float | None:
        created, completed = self.created_at, self.completed_at
        if created is None or completed is None:
            return None
        return (completed - created).total_seconds()

    def invalid_date(self, attr: str) -> bool:
        """True if the server sent something for ``attr`` that is not a date (as
        :meth:`WorkflowRun.invalid_date`)."""
        if attr == "created_at":
            return bool(self[6] & _INVALID_CREATED)
        if attr == "completed_at":
            return bool(self[6] & _INVALID_COMPLETED)
        return False


@dataclass(frozen=True, slots=True)
class RunListing:
    """Every run of the catalog's listing, newest first (as :meth:`Catalog.runs`), the
    runs browsable offline (as :meth:`Catalog.offline_runs`) and which of those are pinned."""

    runs: list[RunRow]
    offline: list[RunRow]
    pinned: set[str]


def _is_time(path: str, column: str) -> str:
    """1 when ``column`` is empty but the JSON holds something there (no date, kept as sent)."""
    return (
        f"CASE WHEN {column} IS NULL THEN coalesce(json_extract(json, '{path}'), '') <> ''"
        " ELSE 0 END"
    )


# Rows a full read would skip (JSON that is unreadable or no object) are left out here too.
# A run is listed when not deleted; it is offline (deleted or not, as offline_runs) when
# pinned or holding a usable cached file.
_LISTING_SQL = f"""
SELECT id, workflow_id, status,
    CASE json_type(json, '$.currentStateName')
        WHEN 'text' THEN json_extract(json, '$.currentStateName')
    END,
    created_at, completed_at,
    ({_is_time("$.createdAt", "created_at")})
    | (({_is_time("$.completedAt", "completed_at")}) << 1)
    | (coalesce(json_type(json, '$.currentStateName') NOT IN ('text', 'null'), 0) << 2),
    deleted,
    id IN (SELECT run_id FROM pins) AS pinned,
    id IN (SELECT run_id FROM pins) OR id IN (
        SELECT a.workflow_run_id FROM artifacts a JOIN cache_entries c ON c.artifact_id = a.id
        WHERE c.state IN {USABLE_STATES!r}
    ) AS offline
FROM workflow_runs
WHERE CASE WHEN json_valid(json) THEN json_type(json) = 'object' ELSE 0 END
ORDER BY created_at DESC, id
"""


def read_run_listing(conn: sqlite3.Connection) -> RunListing:
    """The runs the navigator lists, from ``conn`` (a catalog's connection)."""
    rows = conn.execute(_LISTING_SQL).fetchall()
    runs: list[RunRow] = []
    offline: list[RunRow] = []
    pinned: set[str] = set()
    for row in rows:
        run = RunRow(row[:7])
        if run[6] & _ODD_STATE:
            run = _with_state(conn, run)
        if not row[7]:
            runs.append(run)
        if row[9]:
            offline.append(run)
            if row[8]:
                pinned.add(run[0])
    return RunListing(runs, offline, pinned)


def _with_state(conn: sqlite3.Connection, run: RunRow) -> RunRow:
    """``run`` with the step its stored JSON holds, read as a whole run reads it."""
    found = conn.execute("SELECT json FROM workflow_runs WHERE id = ?", (run[0],)).fetchone()
    state = WorkflowRun.from_json(orjson.loads(found[0])).current_state_name if found else None
    return RunRow((*run[:3], state, run[4], run[5], run[6] & ~_ODD_STATE))


__all__ = ["ListedRun", "RunListing", "RunRow", "read_run_listing"]
