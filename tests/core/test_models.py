"""Models: tolerant of unknown fields, statuses, odd types and every timestamp spelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from artifact_viewer.core.models import (
    Artifact,
    Job,
    JobRun,
    Workflow,
    WorkflowRun,
    format_timestamp,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00.5Z", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (1714557600, datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (1714557600000, datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_timestamps_in_many_spellings(text, expected) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00.1Z", datetime(2024, 5, 1, 10, 0, 0, 100000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.12Z", datetime(2024, 5, 1, 10, 0, 0, 120000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.436Z", datetime(2024, 5, 1, 10, 0, 0, 436000, tzinfo=UTC)),
        ("2024-05-01T10:00:00.43612Z", datetime(2024, 5, 1, 10, 0, 0, 436120, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
        ("9999-12-31T23:59:59.999999Z", datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        (" 2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01T10:00:00z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        ("2024-05-01 10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ],
)
def test_api_timestamps_and_near_misses_parse_alike(text, expected) -> None:
    """The API's own form (Z, 0-6 fraction digits) takes a short path; its neighbours the
    general one: both give the same aware UTC time."""
    parsed = parse_timestamp(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "garbage",
    [
        "2024-02-30T10:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024.05-01T10:00:00Z",
        "2024-05-01T10:00:0xZ",
    ],
)
def test_impossible_api_form_timestamps_become_none(garbage) -> None:
    assert parse_timestamp(garbage) is None


@pytest.mark.parametrize("garbage", [None, "", "yesterday", "2024-13-45T99:00:00Z", [], {}])
def test_garbage_timestamps_become_none(garbage) -> None:
    assert parse_timestamp(garbage) is None


def test_format_timestamp_uses_z() -> None:
    value = datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert format_timestamp(value) == "2024-05-01T10:00:00Z"
    assert format_timestamp(None) is None


def test_unknown_fields_are_kept_and_round_trip() -> None:
    data = {
        "id": "wf-1",
        "name": "Gusto payroll",
        "sourceProvider": "gusto",
        "type": "USER_DEFINED",
        "stepsJson": {"steps": [1, 2]},
        "createdAt": "2024-05-01T10:00:00Z",
        "brandNewField": {"nested": True},
    }
    wf = Workflow.from_json(data)
    assert wf.extra == {"brandNewField": {"nested": True}}
    out = wf.to_json()
    assert out["brandNewField"] == {"nested": True}
    assert Workflow.from_json(out) == wf


def test_unknown_status_is_kept_verbatim() -> None:
    run = WorkflowRun.from_json({"id": "r", "status": "PAUSED_FOR_CAPTCHA"})
    assert run.status == "PAUSED_FOR_CAPTCHA"
    assert not run.is_known_status
    assert WorkflowRun.from_json({"id": "r", "status": "AWAITING_USER_INPUT"}).is_known_status


def test_missing_fields_become_none() -> None:
    run = WorkflowRun.from_json({"id": "r"})
    assert run.workflow_id is None
    assert run.created_at is None
    assert run.duration_seconds is None


def test_run_duration() -> None:
    run = WorkflowRun.from_json(
        {"id": "r", "createdAt": "2024-05-01T10:00:00Z", "completedAt": "2024-05-01T10:02:30Z"}
    )
    assert run.duration_seconds == 150


@pytest.mark.parametrize(("raw", "size"), [(10, 10), ("2048", 2048), (True, None), ("big", None)])
def test_artifact_file_size_is_coerced_or_dropped(raw, size) -> None:
    assert Artifact.from_json({"id": "a", "fileSize": raw}).file_size == size


def test_artifact_json_leaves_the_signed_url_out_unless_asked() -> None:
    a = Artifact.from_json({"id": "a", "signedUrl": "https://x/y?sig=1", "displayName": "n"})
    assert "signedUrl" not in a.to_json()
    assert a.to_json(include_url=True)["signedUrl"] == "https://x/y?sig=1"
    assert a.without_url().signed_url is None
    assert a.name == "n"
    assert Artifact.from_json({"id": "b", "storagePath": "p/q.csv"}).name == "p/q.csv"


def test_job_execution_order_tolerates_missing_config() -> None:
    job = Job.from_json({"id": "j", "jobConfigJson": {"workflowExecutionOrder": ["a", 2]}})
    assert job.workflow_execution_order == ["a", "2"]
    assert Job.from_json({"id": "j", "jobConfigJson": None}).workflow_execution_order == []


def test_job_run_fields() -> None:
    run = JobRun.from_json({"id": "jr", "jobId": "j", "status": "IN_PROGRESS"})
    assert (run.job_id, run.status) == ("j", "IN_PROGRESS")


def test_non_object_is_refused_with_a_type_error() -> None:
    with pytest.raises(TypeError):
        Workflow.from_json(["not", "an", "object"])  # type: ignore[arg-type]


def test_numeric_ids_become_strings() -> None:
    assert Workflow.from_json({"id": 42}).id == "42"
