"""Retention: remove cached files not opened for a while; pinned runs and the catalog stay."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artifact_viewer.core.blobstore import BlobStore
    from artifact_viewer.core.catalog import Catalog

log = logging.getLogger("artifact_viewer.store")

SETTINGS_KEY = "retention_days"  # in Settings.extra; absent or 0 means off
CHOICES_DAYS = (7, 30, 90)  # the window's presets besides "off" and a custom number
DAY = 86400.0
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY, "w": 7 * DAY}
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """``90s``, ``15m``, ``12h``, ``30d``, ``2w`` -> seconds; ValueError for anything else."""
    match = _DURATION_RE.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration; use a number and s, m, h, d or w (30d)")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def format_duration(seconds: float) -> str:
    """The largest whole unit: 2592000 -> ``30d``; 90 -> ``90s``."""
    for unit in ("w", "d", "h", "m"):
        size = _UNITS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def retention_days(extra: dict[str, Any]) -> int | None:
    """The user's setting (``Settings.extra``): days, or None when retention is off."""
    value = extra.get(SETTINGS_KEY)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(value)


def set_retention_days(extra: dict[str, Any], days: int | None) -> None:
    if days is None or days <= 0:
        extra.pop(SETTINGS_KEY, None)
    else:
        extra[SETTINGS_KEY] = int(days)


@dataclass(frozen=True, slots=True)
class ExpiredFile:
    """One cached file past its time, and the artifacts that share it (id, display name)."""

    sha256: str
    size: int
    last_opened: float
    artifacts: tuple[tuple[str, str], ...]


@dataclass(slots=True)
class RetentionReport:
    """What a purge removed (or, with ``dry_run``, would remove)."""

    max_age: float
    dry_run: bool
    removed: list[ExpiredFile] = field(default_factory=list)
    busy: list[ExpiredFile] = field(default_factory=list)  # in use by a download: left
    pinned_kept: int = 0  # old files kept because their run is pinned

    @property
    def removed_bytes(self) -> int:
        return sum(f.size for f in self.removed)


def expired_files(
    catalog: Catalog, max_age: float, *, now: float | None = None, include_pinned: bool = False
) -> tuple[list[ExpiredFile], int]:
    """Cached files last opened (or fetched, if never opened) ``max_age`` seconds ago or
    earlier, oldest first; and how many old files a pinned run keeps."""
    cutoff = (time.time() if now is None else now) - max_age
    out: list[ExpiredFile] = []
    pinned_kept = 0
    for sha256, size, used, pinned in catalog.blobs_by_age():
        if used > cutoff:
            break  # least recently used first: the rest are newer
        if pinned and not include_pinned:
            pinned_kept += 1
            continue
        names = []
        for entry in catalog.entries_for_blob(sha256):
            artifact = catalog.artifact(entry.artifact_id)
            names.append((entry.artifact_id, artifact.name if artifact else entry.artifact_id))
        out.append(ExpiredFile(sha256, size, used, tuple(sorted(names))))
    return out, pinned_kept


def purge_older_than(
    catalog: Catalog,
    blobs: BlobStore,
    max_age: float,
    *,
    dry_run: bool = False,
    include_pinned: bool = False,
    now: float | None = None,
) -> RetentionReport:
    """Remove cached files not opened for ``max_age`` seconds; pinned runs' files stay
    (unless ``include_pinned``). Catalog rows stay, so lists keep working; the artifacts
    read "not cached" and are downloaded again when opened. A file a download is using
    (here or in another process) is left for the next pass."""
    if max_age < 0:
        raise ValueError("max_age must not be negative")
    from artifact_viewer.core.quota import remove_blob_unless_busy  # the store, on demand

    report = RetentionReport(max_age, dry_run)
    found, report.pinned_kept = expired_files(
        catalog, max_age, now=now, include_pinned=include_pinned
    )
    for item in found:
        if dry_run or remove_blob_unless_busy(catalog, blobs, item.sha256):
            report.removed.append(item)
        else:
            report.busy.append(item)
    if report.removed and not dry_run:
        log.info(
            "Retention: removed %d cached file(s) not opened for %s (%d bytes)",
            len(report.removed),
            format_duration(max_age),
            report.removed_bytes,
        )
    return report


def apply_retention(
    catalog: Catalog, blobs: BlobStore, extra: dict[str, Any], *, now: float | None = None
) -> RetentionReport | None:
    """The user's retention setting applied (at start and daily while running); None if off."""
    days = retention_days(extra)
    if days is None:
        return None
    return purge_older_than(catalog, blobs, days * DAY, now=now)
