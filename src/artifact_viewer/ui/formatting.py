"""Text and colours for the lists: sizes, local times, durations, run-status labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette

from artifact_viewer.core import units
from artifact_viewer.core.models import INVALID_DATE, Resource
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.core.units import plural as plural
from artifact_viewer.core.units import split_duration

if TYPE_CHECKING:
    from artifact_viewer.core.catalog.listing import ListedRun

_STATUS_LABELS = {
    "PENDING": "Pending",
    "IN_PROGRESS": "Running",
    "COMPLETED": "Completed",
    "FAILED": "Failed",
    "AWAITING_USER_INPUT": "Awaiting input",
    "COMPLETED_WITH_NO_ACTION_TAKEN": "No action taken",
}

# (on a light background, on a dark background): readable text colours per status.
_STATUS_COLOURS = {
    "PENDING": ("#5f6670", "#aab1bb"),
    "IN_PROGRESS": ("#1f5fbf", "#7fb2ff"),
    "COMPLETED": ("#17794e", "#5fd39b"),
    "FAILED": ("#b42323", "#ff8080"),
    "AWAITING_USER_INPUT": ("#93600a", "#f2bd5a"),
    "COMPLETED_WITH_NO_ACTION_TAKEN": ("#3c7a5b", "#8fcfae"),
}

CACHE_LABELS = {
    CacheState.NOT_CACHED: "Not cached",
    CacheState.VERIFIED: "Cached, verified",
    CacheState.MISMATCH: "Hash mismatch",
    CacheState.NOT_VERIFIABLE: "Cached, not verifiable",
}


# Providers whose names are not simply capitalised; others get a capital first letter.
_PROVIDER_NAMES = {
    "adp": "ADP",
    "quickbooks": "QuickBooks",
    "bamboohr": "BambooHR",
    "paychex": "Paychex",
    "netsuite": "NetSuite",
    "justworks": "Justworks",
    "trinet": "TriNet",
    "paylocity": "Paylocity",
    "workday": "Workday",
}


def provider_label(provider: str | None) -> str:
    """``quickbooks`` -> ``QuickBooks``, ``adp`` -> ``ADP``, ``gusto`` -> ``Gusto``."""
    name = (provider or "").strip()
    if not name:
        return ""
    known = _PROVIDER_NAMES.get(name.lower().replace(" ", "").replace("_", ""))
    if known:
        return known
    return name[0].upper() + name[1:] if name.islower() else name


def status_label(status: str | None) -> str:
    if not status:
        return "Unknown"
    return _STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def state_label(name: str | None) -> str:
    """``extracting_employee_records`` -> ``extracting employee records``."""
    return (name or "").replace("_", " ").strip()


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def error_colour(palette: QPalette) -> str:
    """A red that reads on this palette's window background."""
    return "#ff8080" if is_dark(palette) else "#b42323"


def warning_colour(palette: QPalette) -> str:
    """An amber that reads on this palette's window background."""
    return "#f2bd5a" if is_dark(palette) else "#93600a"


def status_colour(status: str | None, palette: QPalette) -> QColor | None:
    pair = _STATUS_COLOURS.get(status or "")
    if pair is None:
        return None
    return QColor(pair[1] if is_dark(palette) else pair[0])


def human_size(size: int | None) -> str:
    """The CLI's and previews' units (``1.5 KiB``, powers of 1024); a dash when unknown."""
    return "—" if size is None else units.human_size(size)


def local_time(value: datetime | None) -> str:
    """A timestamp in the user's local zone, minutes precision."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone().strftime("%Y-%m-%d %H:%M")


def resource_time(
    item: Resource | ListedRun, attr: str, formatter: Callable[[datetime | None], str]
) -> str:
    """``item``'s timestamp ``attr`` through ``formatter``; "invalid date" when the server
    sent something that is no date (kept as it came, see Resource.invalid_date)."""
    if item.invalid_date(attr):
        return INVALID_DATE
    value = getattr(item, attr, None)
    return formatter(value if isinstance(value, datetime) else None)


def short_time(value: datetime | None, now: datetime | None = None) -> str:
    """Compact local time for narrow columns: "Nov 04 03:45" this year, else "2025-11-04"."""
    if value is None:
        return ""
    aware = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone()
    current = (now or datetime.now(UTC)).astimezone()
    if aware.year == current.year:
        return aware.strftime("%b %d %H:%M")
    return aware.strftime("%Y-%m-%d")


def duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return ""
    hours, minutes, secs = split_duration(seconds)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def short_id(value: str | None) -> str:
    return (value or "")[:8]
