"""AnonClient against the real stand-in server over loopback: lists, filters, paging, bytes, auth."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from artifact_viewer.cli import cli
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.errors import AuthError, BadRequest, NotFound, RateLimited, ServerError
from artifact_viewer.core.http import build_http_client
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.retry import RetryPolicy
from artifact_viewer.demo.config import ENVELOPES
from artifact_viewer.demo.runner import DemoServer

FAST = RetryPolicy(sleep=lambda s: None, max_attempts=4)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    client = build_http_client()
    yield client
    client.close()


def client_for(server: DemoServer, http: httpx.Client, **kw) -> AnonClient:
    kw.setdefault("retry", FAST)
    return AnonClient(http, api_key=server.api_key, base_url=server.base_url, **kw)


def test_lists_everything_the_server_holds(shared_demo_server: DemoServer, http) -> None:
    data = shared_demo_server.dataset
    client = client_for(shared_demo_server, http)
    assert [w.id for w in client.list_workflows()] == [w["id"] for w in data.workflows]
    assert [j.id for j in client.list_jobs()] == [j["id"] for j in data.jobs]
    assert [r.id for r in client.list_job_runs()] == [r["id"] for r in data.job_runs]
    assert [r.id for r in client.list_workflow_runs()] == [r["id"] for r in data.workflow_runs]
    assert [a.id for a in client.list_artifacts()] == [a.id for a in data.artifacts]


@pytest.mark.parametrize("envelope", ENVELOPES)
@pytest.mark.parametrize("page_size", [1, 3, 7])
def test_small_pages_in_every_envelope_give_the_same_listing(
    demo_server: DemoServer, http, envelope: str, page_size: int
) -> None:
    demo_server.config.envelope = envelope  # type: ignore[assignment]
    client = client_for(demo_server, http, page_size=page_size)
    got = [r.id for r in client.list_workflow_runs()]
    assert got == [r["id"] for r in demo_server.dataset.workflow_runs]


def test_filters_return_only_matching_records(shared_demo_server: DemoServer, http) -> None:
    data = shared_demo_server.dataset
    client = client_for(shared_demo_server, http, page_size=5)
    run = data.workflow_runs[0]
    runs = list(client.list_workflow_runs(workflow_id=run["workflowId"]))
    assert runs and all(r.workflow_id == run["workflowId"] for r in runs)
    assert len(runs) == sum(1 for r in data.workflow_runs if r["workflowId"] == run["workflowId"])
    arts = list(client.list_artifacts(workflow_run_id=run["id"]))
    assert [a.id for a in arts] == [a.id for a in data.artifacts_by_run.get(run["id"], [])]
    assert all(a.workflow_run_id == run["id"] for a in arts)
    failed = list(client.list_workflow_runs(status="FAILED"))
    assert all(r.status == "FAILED" for r in failed)


def test_get_methods_return_the_same_records(shared_demo_server: DemoServer, http) -> None:
    data = shared_demo_server.dataset
    client = client_for(shared_demo_server, http)
    assert client.get_workflow(data.workflows[0]["id"]).name == data.workflows[0]["name"]
    assert client.get_job(data.jobs[0]["id"]).id == data.jobs[0]["id"]
    assert client.get_job_run(data.job_runs[0]["id"]).id == data.job_runs[0]["id"]
    run = client.get_workflow_run(data.workflow_runs[0]["id"])
    assert run.status == data.workflow_runs[0]["status"]
    client.ping()


def test_signed_url_downloads_bytes_matching_the_file_hash(
    shared_demo_server: DemoServer, http
) -> None:
    client = client_for(shared_demo_server, http)
    for listed in list(client.list_artifacts())[:3]:
        artifact = client.get_artifact(listed.id)
        assert artifact.signed_url
        response = http.get(artifact.signed_url)  # no Authorization needed (nor sent)
        assert response.status_code == 200
        assert "authorization" not in response.request.headers
        assert hashlib.sha256(response.content).hexdigest() == artifact.file_hash
        assert len(response.content) == artifact.file_size


def test_bad_key_is_an_auth_error(shared_demo_server: DemoServer, http) -> None:
    client = AnonClient(
        http, api_key="anon_not_the_right_key_000", base_url=shared_demo_server.base_url
    )
    with pytest.raises(AuthError) as info:
        client.ping()
    assert info.value.status == 401
    assert "anon_not_the_right_key_000" not in info.value.user_message()


def test_bad_and_unknown_ids(shared_demo_server: DemoServer, http) -> None:
    client = client_for(shared_demo_server, http)
    with pytest.raises(BadRequest):
        client.get_artifact("not-a-uuid")
    with pytest.raises(NotFound):
        client.get_artifact("00000000-0000-4000-8000-000000000000")


def test_rate_limit_and_unavailable_are_retried_over_the_wire(
    demo_server: DemoServer, http
) -> None:
    demo_server.config.rate_limit_next = 1
    demo_server.config.retry_after = 1
    slept: list[float] = []
    client = client_for(demo_server, http, retry=RetryPolicy(sleep=slept.append, max_attempts=3))
    assert len(list(client.list_workflows())) == len(demo_server.dataset.workflows)
    assert slept == [1.0]
    demo_server.config.fail_next = 1
    assert client.get_workflow(demo_server.dataset.workflows[0]["id"])


def test_persistent_faults_give_up_with_the_status(demo_server: DemoServer, http) -> None:
    demo_server.config.fail_next = 10
    client = client_for(demo_server, http, retry=RetryPolicy(sleep=lambda s: None, max_attempts=2))
    with pytest.raises(ServerError, match="gave up after 2 attempts"):
        list(client.list_jobs())
    demo_server.config.fail_next = 0
    demo_server.config.rate_limit_next = 5
    demo_server.config.retry_after = 3600
    with pytest.raises(RateLimited):
        list(client.list_jobs())


def test_ls_cli_against_the_server(shared_demo_server: DemoServer, monkeypatch) -> None:
    monkeypatch.setenv("ANON_BASE_URL", shared_demo_server.base_url)
    monkeypatch.setenv("ANON_API_KEY", shared_demo_server.api_key)
    try:
        result = CliRunner().invoke(cli, ["ls", "artifacts", "--json"])
    finally:
        teardown_logging()
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(shared_demo_server.dataset.artifacts)
    assert "signedUrl" not in result.stdout


def test_ls_with_demo_flag_starts_and_stops_its_own_server() -> None:
    threads_before = set(threading.enumerate())
    try:
        result = CliRunner().invoke(cli, ["--demo", "ls", "workflows"])
    finally:
        teardown_logging()
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].split()[:2] == ["ID", "NAME"]
    assert len(result.stdout.splitlines()) > 1
    assert set(threading.enumerate()) <= threads_before  # the server thread was joined
