"""Plain values the local store hands out: cache states, the artifact query, reports and stats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from artifact_viewer.core.models import Artifact


class CacheState(StrEnum):
    """What we know about an artifact's local copy."""

    NOT_CACHED = "not_cached"
    VERIFIED = "verified"  # bytes match the API's fileHash
    MISMATCH = "mismatch"  # bytes did not match; nothing usable is kept
    NOT_VERIFIABLE = "not_verifiable"  # kept, but the fileHash format says nothing we can check

    @property
    def usable(self) -> bool:
        return self in (CacheState.VERIFIED, CacheState.NOT_VERIFIABLE)


ORDER_COLUMNS = (
    "created_at",
    "name",
    "type",
    "mime_type",
    "file_size",
    "workflow_run_id",
    "run_started",
)


@dataclass(frozen=True, slots=True)
class ArtifactQuery:
    """Filter, sort and page artifacts from the local catalog.

    ``text`` matches the display name (substring, any case), and in the catalog the
    artifact's note too; ``status`` is the status of
    the artifact's workflow run; ``cache_state`` narrows to one local state.
    """

    text: str = ""
    type: str | None = None
    mime: str | None = None
    status: str | None = None
    workflow_id: str | None = None
    run_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cached_only: bool = False
    order_by: str = "created_at"
    descending: bool = True
    limit: int | None = None
    offset: int = 0
    cache_state: CacheState | None = None
    include_deleted: bool = False
    # The filter box's richer terms (each empty tuple / None means "anything"):
    terms: tuple[str, ...] = ()  # every one in the name or the note (a phrase is one term)
    exclude: tuple[str, ...] = ()  # none of these in the name or the note
    mimes: tuple[str, ...] = ()  # any of; "image/" (ending in a slash) is a prefix
    extensions: tuple[str, ...] = ()  # any of, without the dot: the name ends with ".ext"
    run_match: str | None = None  # a run id or its start (the short id the window shows)
    workflow_match: str | None = None  # a workflow id's start, or words of its name
    ids: frozenset[str] | None = None  # only these artifacts (e.g. content search's answer)

    def matches(self, artifact: Artifact) -> bool:
        """The same test the catalog runs in SQL, for artifacts straight from the API.

        Covers name text, type, MIME, workflow, run and dates; ``status`` and the cache
        filters need the catalog and are not checked here.
        """
        if self.ids is not None and artifact.id not in self.ids:
            return False
        name = (artifact.display_name or artifact.id).lower()
        if self.text.strip() and self.text.strip().lower() not in name:
            return False
        loose = re.sub(r"[_.\-]", " ", name)  # a space in a term also matches _ . -
        if any(t.lower() not in name and t.lower() not in loose for t in self.terms):
            return False
        if any(t.lower() in name or t.lower() in loose for t in self.exclude):
            return False
        mime = (artifact.mime_type or "").lower()
        if self.mimes and not any(
            mime.startswith(m.lower()) if m.endswith("/") else mime == m.lower() for m in self.mimes
        ):
            return False
        if self.extensions and not any(name.endswith(f".{e.lower()}") for e in self.extensions):
            return False
        if self.run_match and not (artifact.workflow_run_id or "").startswith(self.run_match):
            return False
        for wanted, actual in (
            (self.type, artifact.type),
            (self.mime, artifact.mime_type),
            (self.workflow_id, artifact.workflow_id),
            (self.run_id, artifact.workflow_run_id),
        ):
            if wanted and wanted != actual:
                return False
        created = artifact.created_at
        if self.since is not None and (created is None or created < self.since):
            return False
        return self.until is None or (created is not None and created < self.until)


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One artifact's row in the cache table."""

    artifact_id: str
    state: CacheState
    sha256: str | None = None
    size: int | None = None
    expected: str | None = None
    actual: str | None = None
    fetched_at: float | None = None
    verified_at: float | None = None
    last_opened_at: float | None = None


@dataclass(frozen=True, slots=True)
class CachedArtifact:
    """One row of the cache listing: an artifact with a local file, or one that failed."""

    artifact_id: str
    name: str
    run_id: str | None
    state: CacheState
    size: int | None
    pinned: bool
    last_opened_at: float | None


@dataclass(frozen=True, slots=True)
class CacheStats:
    """How much is cached, against the quota."""

    blob_count: int
    artifact_count: int
    total_bytes: int
    quota_bytes: int
    pinned_runs: int
    pinned_bytes: int
    mismatched: int
    not_verifiable: int
    catalog_artifacts: int


@dataclass(slots=True)
class VerifyReport:
    """Outcome of re-hashing the cache."""

    checked: int = 0
    verified: int = 0
    not_verifiable: int = 0
    mismatched: list[str] = field(default_factory=list)  # artifact ids
    missing: list[str] = field(default_factory=list)  # artifact ids whose blob vanished

    @property
    def ok(self) -> bool:
        return not self.mismatched and not self.missing


@dataclass(slots=True)
class SyncReport:
    """What a sync did; ``failed`` maps artifact id to a user-facing reason."""

    runs: int = 0
    artifacts: int = 0
    downloaded: int = 0
    already_cached: int = 0
    bytes_downloaded: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    stopped: str | None = None  # why the sync stopped downloading early (quota), if it did

    @property
    def ok(self) -> bool:
        return not self.failed
