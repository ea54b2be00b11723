"""Typed, tolerant models of Anon V2 resources: unknown fields are kept, unknown statuses shown as-is."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Self, TypeVar

JsonDict = dict[str, Any]

WORKFLOW_RUN_STATUSES = (
    "PENDING",
    "IN_PROGRESS",
    "COMPLETED",
    "FAILED",
    "AWAITING_USER_INPUT",
    "COMPLETED_WITH_NO_ACTION_TAKEN",
)
JOB_RUN_STATUSES = ("PENDING", "IN_PROGRESS", "COMPLETED", "FAILED")


def _api_form(text: str) -> str | None:
    """``2026-11-28T06:58:12Z`` or with 1-6 fraction digits (how the API writes times) as
    the text :func:`parse_timestamp` hands to ``fromisoformat``; None for any other form.
    Reading a catalog of 10k runs parses 30k of these: the general path is kept for the rest.
    """
    n = len(text)
    if n < 20 or n > 27 or n == 21 or text[-1] != "Z" or text[10] != "T" or "." in text[:19]:
        return None
    if n == 20:
        return text[:19] + "+00:00"
    fraction = text[20:-1]
    if text[19] != "." or not fraction.isdigit():
        return None
    return f"{text[:19]}.{fraction.ljust(6, '0')}+00:00"


def parse_timestamp(value: Any) -> datetime | None:
    """ISO-8601 with or without fractions, `Z` or an offset; None/garbage gives None."""
    if type(value) is str:
        text = _api_form(value)
        if text is not None:
            try:
                parsed = datetime.fromisoformat(text)
                parsed.astimezone(UTC)  # year 1 with an offset overflows here, not later
            except (ValueError, OverflowError):
                return None
            return parsed
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        # epoch seconds or milliseconds; out of range (1e20, NaN) is no date at all
        try:
            seconds = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Python 3.11 handles up to 6 fraction digits; trim longer (nanosecond) fractions.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            digits += rest[i]
            i += 1
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[i:]}" if digits else head + rest[i:]
    try:
        parsed = datetime.fromisoformat(text)
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        parsed.astimezone(UTC)  # year 1 or 9999 with an offset overflows here, not later
    except (ValueError, OverflowError):
        return None
    return parsed


def format_timestamp(value: datetime | None) -> str | None:
    """The API's own form: ISO-8601 UTC ending in Z."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return str(value)


INVALID_DATE = "invalid date"
_MAX_INT = 2**63 - 1  # what SQLite stores


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if -_MAX_INT <= number <= _MAX_INT else None


def _size(value: Any) -> int | None:
    """A byte count: a whole number from 0 up; anything else is unknown."""
    number = _int(value)
    return number if number is not None and number >= 0 else None


T = TypeVar("T", bound="Resource")

# Per class: (API key, attribute, converter, is a timestamp) for each of its FIELDS, made
# once (reading a catalog builds tens of thousands of resources).
_FIELD_PLANS: dict[type, tuple[tuple[str, str, Any, bool], ...]] = {}


def _fields(cls: type[Resource]) -> tuple[tuple[str, str, Any, bool], ...]:
    plan = _FIELD_PLANS.get(cls)
    if plan is None:
        plan = tuple(
            (key, attr, convert, convert is parse_timestamp)
            for key, (attr, convert) in cls.FIELDS.items()
        )
        _FIELD_PLANS[cls] = plan
    return plan


@dataclass(frozen=True, slots=True)
class Resource:
    """Common base: an id plus every field we did not model, kept verbatim in ``extra``."""

    id: str
    extra: JsonDict = field(default_factory=dict, compare=False, repr=False)

    # camelCase API key -> (attribute name, converter); filled by subclasses
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {}
    kind: ClassVar[str] = "resource"

    @classmethod
    def from_json(cls, data: JsonDict) -> Self:
        """Build from an API object. Missing fields become None; unknown ones go to ``extra``."""
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object for {cls.kind}, got {type(data).__name__}")
        get = data.get
        kwargs: dict[str, Any] = {"id": str(get("id", ""))}
        extra = dict(data)  # what no field takes, in the server's order
        extra.pop("id", None)
        for key, attr, convert, is_time in _fields(cls):
            value = get(key)
            kwargs[attr] = converted = convert(value)
            # A timestamp that is no date (1e20, "soon") is kept as the server wrote it, in
            # ``extra``, so it round-trips and lists can say "invalid date".
            if not (is_time and converted is None and value not in (None, "")):
                extra.pop(key, None)
        kwargs["extra"] = extra
        return cls(**kwargs)

    def timestamp_text(self, attr: str) -> str | None:
        """The raw value behind a timestamp field the server sent but that is no date, else None."""
        for key, (name, convert) in self.FIELDS.items():
            if name == attr and convert is parse_timestamp and key in self.extra:
                return str(self.extra[key])
        return None

    def invalid_date(self, attr: str) -> bool:
        """True if the server sent something for ``attr`` that is not a date."""
        return getattr(self, attr, None) is None and self.timestamp_text(attr) is not None

    def to_json(self) -> JsonDict:
        """Back to the API's camelCase shape, unknown fields included (round-trips ``from_json``)."""
        out: JsonDict = {"id": self.id}
        for key, (attr, _convert) in self.FIELDS.items():
            value = getattr(self, attr)
            out[key] = format_timestamp(value) if isinstance(value, datetime) else value
        out.update(self.extra)
        return out

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)


def _passthrough(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Workflow(Resource):
    name: str | None = None
    source_provider: str | None = None
    type: str | None = None
    steps_json: Any = None
    organization_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    kind: ClassVar[str] = "workflow"
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {
        "name": ("name", _str),
        "sourceProvider": ("source_provider", _str),
        "type": ("type", _str),
        "stepsJson": ("steps_json", _passthrough),
        "organizationId": ("organization_id", _str),
        "createdAt": ("created_at", parse_timestamp),
        "updatedAt": ("updated_at", parse_timestamp),
    }


@dataclass(frozen=True, slots=True)
class Job(Resource):
    name: str | None = None
    source_provider: str | None = None
    organization_id: str | None = None
    created_by_user_id: str | None = None
    updated_by_user_id: str | None = None
    job_config_json: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    kind: ClassVar[str] = "job"
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {
        "name": ("name", _str),
        "sourceProvider": ("source_provider", _str),
        "organizationId": ("organization_id", _str),
        "createdByUserId": ("created_by_user_id", _str),
        "updatedByUserId": ("updated_by_user_id", _str),
        "jobConfigJson": ("job_config_json", _passthrough),
        "createdAt": ("created_at", parse_timestamp),
        "updatedAt": ("updated_at", parse_timestamp),
    }

    @property
    def workflow_execution_order(self) -> list[str]:
        cfg = self.job_config_json
        if isinstance(cfg, dict) and isinstance(cfg.get("workflowExecutionOrder"), list):
            return [str(x) for x in cfg["workflowExecutionOrder"]]
        return []


@dataclass(frozen=True, slots=True)
class JobRun(Resource):
    job_id: str | None = None
    status: str | None = None
    job_config_json_snapshot: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None

    kind: ClassVar[str] = "job_run"
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {
        "jobId": ("job_id", _str),
        "status": ("status", _str),
        "jobConfigJsonSnapshot": ("job_config_json_snapshot", _passthrough),
        "createdAt": ("created_at", parse_timestamp),
        "updatedAt": ("updated_at", parse_timestamp),
        "completedAt": ("completed_at", parse_timestamp),
    }


@dataclass(frozen=True, slots=True)
class WorkflowRun(Resource):
    workflow_id: str | None = None
    status: str | None = None
    current_state_name: str | None = None
    job_run_id: str | None = None
    created_by_user_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    completed_at: datetime | None = None

    kind: ClassVar[str] = "workflow_run"
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {
        "workflowId": ("workflow_id", _str),
        "status": ("status", _str),
        "currentStateName": ("current_state_name", _str),
        "jobRunId": ("job_run_id", _str),
        "createdByUserId": ("created_by_user_id", _str),
        "createdAt": ("created_at", parse_timestamp),
        "updatedAt": ("updated_at", parse_timestamp),
        "completedAt": ("completed_at", parse_timestamp),
    }

    @property
    def is_known_status(self) -> bool:
        return self.status in WORKFLOW_RUN_STATUSES

    @property
    def created_timestamp(self) -> float:
        """``created_at`` as epoch seconds, 0 when unknown: what lists sort runs by."""
        return self.created_at.timestamp() if self.created_at else 0.0

    @property
    def duration_seconds(self) -> float | None:
        if self.created_at is None or self.completed_at is None:
            return None
        return (self.completed_at - self.created_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Artifact(Resource):
    """An artifact. ``signed_url`` is a secret: excluded from repr, never stored or logged."""

    workflow_id: str | None = None
    workflow_run_id: str | None = None
    type: str | None = None
    display_name: str | None = None
    mime_type: str | None = None
    file_size: int | None = None
    file_hash: str | None = None
    storage_path: str | None = None
    signed_url: str | None = field(default=None, repr=False)
    organization_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    kind: ClassVar[str] = "artifact"
    FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {
        "workflowId": ("workflow_id", _str),
        "workflowRunId": ("workflow_run_id", _str),
        "type": ("type", _str),
        "displayName": ("display_name", _str),
        "mimeType": ("mime_type", _str),
        "fileSize": ("file_size", _size),
        "fileHash": ("file_hash", _str),
        "storagePath": ("storage_path", _str),
        "signedUrl": ("signed_url", _str),
        "organizationId": ("organization_id", _str),
        "createdAt": ("created_at", parse_timestamp),
        "updatedAt": ("updated_at", parse_timestamp),
    }

    @property
    def name(self) -> str:
        return self.display_name or self.storage_path or self.id

    def without_url(self) -> Artifact:
        """A copy safe to store: the signed URL dropped."""
        return self.replace(signed_url=None)

    def to_json(self, *, include_url: bool = False) -> JsonDict:
        out = Resource.to_json(self)
        if not include_url:
            out.pop("signedUrl", None)
        return out
