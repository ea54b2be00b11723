"""AnonClient against httpx.MockTransport: auth, paths, filters, envelopes, models, odd answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import ApiError, BadRequest, ConfigError
from artifact_viewer.core.http import USER_AGENT, build_http_client
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.retry import RetryPolicy

KEY = "anon_client_test_key_0123"
BASE = "https://api.example.test/api/v2"
SIGNED = "https://bucket.s3.amazonaws.com/a/b.json?X-Amz-Date=20240101T000000Z&X-Amz-Expires=900&X-Amz-Signature=deadbeef"


def make_client(handler, *, page_size: int = 100) -> tuple[AnonClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    http = build_http_client(transport=httpx.MockTransport(record))
    client = AnonClient(
        http,
        api_key=KEY,
        base_url=BASE + "/",
        retry=RetryPolicy(sleep=lambda s: None),
        page_size=page_size,
    )
    return client, seen


def paged(items, request: httpx.Request, wrap):
    page = int(request.url.params.get("page", 1))
    size = int(request.url.params["pageSize"])
    return httpx.Response(200, json=wrap(items[(page - 1) * size : page * size], page, size))


RUNS = [
    {
        "id": f"00000000-0000-4000-8000-00000000000{i}",
        "workflowId": "wf-1",
        "status": "COMPLETED",
        "createdAt": "2024-05-01T10:00:00Z",
        "completedAt": "2024-05-01T10:02:30.123456Z",
        "currentStateName": "done",
    }
    for i in range(5)
]


def test_every_request_carries_bearer_auth_json_accept_and_user_agent() -> None:
    client, seen = make_client(lambda r: paged(RUNS, r, lambda c, p, s: c), page_size=2)
    assert len(list(client.list_workflow_runs())) == 5
    assert len(seen) == 3
    for request in seen:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"] == USER_AGENT
        assert request.url.path == "/api/v2/workflow-runs"


@pytest.mark.parametrize(
    "wrap",
    [
        pytest.param(lambda c, p, s: c, id="bare"),
        pytest.param(lambda c, p, s: {"data": c}, id="data"),
        pytest.param(lambda c, p, s: {"items": c}, id="items"),
        pytest.param(lambda c, p, s: {"results": c}, id="results"),
        pytest.param(lambda c, p, s: {"workflowRuns": c}, id="plural"),
        pytest.param(lambda c, p, s: {"data": c, "hasMore": p * s < len(RUNS)}, id="hasMore"),
        pytest.param(lambda c, p, s: {"data": c, "total": len(RUNS)}, id="total"),
        pytest.param(
            lambda c, p, s: {
                "data": c,
                "pagination": {"page": p, "pageSize": s, "total": len(RUNS), "hasMore": True},
            },
            id="stand-in-shape",
        ),
    ],
)
def test_list_workflow_runs_reads_every_page_of_every_envelope(wrap) -> None:
    client, _ = make_client(lambda r: paged(RUNS, r, wrap), page_size=2)
    runs = list(client.list_workflow_runs())
    assert [r.id for r in runs] == [r["id"] for r in RUNS]
    assert all(isinstance(r, WorkflowRun) for r in runs)


def test_cursor_envelope_through_the_client() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        start = int(cursor) if cursor else 0
        nxt = start + 2 if start + 2 < len(RUNS) else None
        return httpx.Response(
            200, json={"workflowRuns": RUNS[start : start + 2], "nextCursor": nxt and str(nxt)}
        )

    client, seen = make_client(handler, page_size=2)
    assert len(list(client.list_workflow_runs())) == 5
    assert [r.url.params.get("cursor") for r in seen] == [None, "2", "4"]


def test_filters_are_sent_as_camel_case_query_parameters() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json=[]))
    list(client.list_workflow_runs(workflow_id="wf-1", job_run_id="jr-1", status="FAILED"))
    list(client.list_artifacts(workflow_id="wf-2", workflow_run_id="run-2"))
    list(client.list_job_runs(job_id="job-3", status="PENDING"))
    params = [dict(r.url.params) for r in seen]
    assert params[0]["workflowId"] == "wf-1"
    assert params[0]["jobRunId"] == "jr-1"
    assert params[0]["status"] == "FAILED"
    assert params[1]["workflowId"] == "wf-2"
    assert params[1]["workflowRunId"] == "run-2"
    assert params[2]["jobId"] == "job-3"
    assert [r.url.path for r in seen] == [
        "/api/v2/workflow-runs",
        "/api/v2/artifacts",
        "/api/v2/job-runs",
    ]


def test_artifacts_of_another_run_are_dropped_when_the_server_ignores_the_filter() -> None:
    arts = [
        {"id": "a1", "workflowRunId": "run-1"},
        {"id": "a2", "workflowRunId": "run-OTHER"},
        {"id": "a3", "workflowRunId": "run-1"},
        {"id": "a4"},  # no run id at all: kept, nothing contradicts the filter
    ]
    client, _ = make_client(lambda r: httpx.Response(200, json={"artifacts": arts}))
    got = [a.id for a in client.list_artifacts(workflow_run_id="run-1")]
    assert got == ["a1", "a3", "a4"]


def test_get_artifact_returns_a_fresh_signed_url_kept_out_of_repr() -> None:
    body = {
        "id": "art-1",
        "displayName": "w2.pdf",
        "mimeType": "application/pdf",
        "fileSize": "2048",
        "fileHash": "ab" * 32,
        "signedUrl": SIGNED,
        "createdAt": "2024-05-01T10:00:00Z",
    }
    client, seen = make_client(lambda r: httpx.Response(200, json=body))
    artifact = client.get_artifact("art-1")
    assert seen[0].url.path == "/api/v2/artifacts/art-1"
    assert isinstance(artifact, Artifact)
    assert artifact.signed_url == SIGNED
    assert artifact.file_size == 2048
    assert "X-Amz-Signature" not in repr(artifact)
    assert "signedUrl" not in artifact.to_json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get_workflow", "/api/v2/workflows/x"),
        ("get_job", "/api/v2/jobs/x"),
        ("get_job_run", "/api/v2/job-runs/x"),
        ("get_workflow_run", "/api/v2/workflow-runs/x"),
        ("get_artifact", "/api/v2/artifacts/x"),
    ],
)
def test_get_methods_hit_the_resource_path(method: str, path: str) -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json={"id": "x"}))
    assert getattr(client, method)("x").id == "x"
    assert seen[0].url.path == path


def test_single_object_wrapped_in_data_is_unwrapped() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(200, json={"data": {"id": "wf-9", "name": "Payroll"}})
    )
    assert client.get_workflow("wf-9").name == "Payroll"


def test_ids_are_path_escaped() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json={"id": "x"}))
    client.get_workflow("../jobs/evil?x=1")
    assert seen[0].url.raw_path == b"/api/v2/workflows/..%2Fjobs%2Fevil%3Fx%3D1"
    assert "x" not in seen[0].url.params


def test_empty_id_is_refused_without_a_request() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json={"id": "x"}))
    with pytest.raises(BadRequest):
        client.get_workflow_run("  ")
    assert seen == []


def test_timestamps_with_and_without_fractions_and_unknown_fields_are_kept() -> None:
    runs = [
        {"id": "r1", "createdAt": "2024-05-01T10:00:00Z", "status": "TELEPORTING", "newThing": 1},
        {"id": "r2", "createdAt": "2024-05-01T10:00:00.5Z", "completedAt": None},
        {"id": "r3", "createdAt": "2024-05-01T10:00:00.123456789Z"},
    ]
    client, _ = make_client(lambda r: httpx.Response(200, json=runs))
    r1, r2, r3 = client.list_workflow_runs()
    assert r1.created_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert r1.status == "TELEPORTING"
    assert not r1.is_known_status
    assert r1.extra == {"newThing": 1}
    assert r1.to_json()["newThing"] == 1
    assert r2.created_at == datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    assert r2.completed_at is None
    assert r3.created_at is not None
    assert r3.created_at.microsecond == 123456


def test_non_object_entries_in_a_list_are_skipped() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json=[{"id": "w1"}, "junk", 3]))
    assert [w.id for w in client.list_workflows()] == ["w1"]


def test_html_answer_to_a_list_is_a_clear_error_about_the_base_url() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, text="<html>Sign in to Wi-Fi</html>"))
    with pytest.raises(ApiError) as info:
        list(client.list_workflows())
    assert "did not answer" in str(info.value)
    assert "base URL" in info.value.user_message()


def test_object_without_a_list_is_a_clear_error() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json={"status": "ok"}))
    with pytest.raises(ApiError, match="unexpected shape"):
        list(client.list_artifacts())


def test_ping_makes_one_small_request_and_does_not_retry() -> None:
    client, seen = make_client(lambda r: httpx.Response(503))
    with pytest.raises(ApiError):
        client.ping()
    assert len(seen) == 1
    assert seen[0].url.params["pageSize"] == "1"


def test_ping_succeeds_quietly() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json={"data": []}))
    assert client.ping() is None
    assert len(seen) == 1


def test_client_repr_never_shows_the_key() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json=[]))
    assert KEY not in repr(client)
    assert BASE in repr(client)


@pytest.mark.parametrize("key", ["", "   "])
def test_missing_key_is_a_config_error(key: str) -> None:
    with pytest.raises(ConfigError):
        AnonClient(httpx.Client(), api_key=key)


def test_base_url_without_scheme_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="https://"):
        AnonClient(httpx.Client(), api_key=KEY, base_url="worker.anon.com/api/v2")


def test_response_body_is_decoded_as_json_not_trusted_by_content_type() -> None:
    # A JSON body served as text/plain still parses; the content type is often wrong.
    client, _ = make_client(
        lambda r: httpx.Response(
            200, content=json.dumps([{"id": "w1"}]).encode(), headers={"content-type": "text/plain"}
        )
    )
    assert [w.id for w in client.list_workflows()] == ["w1"]
