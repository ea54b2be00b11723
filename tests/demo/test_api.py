"""The stand-in API: auth, ids, pagination envelopes, filters and ordering."""

from __future__ import annotations

import uuid

import httpx
import pytest

from artifact_viewer.core.models import parse_timestamp
from artifact_viewer.demo.runner import DemoServer

RESOURCES = ("workflows", "jobs", "job-runs", "workflow-runs", "artifacts")


@pytest.mark.parametrize("resource", RESOURCES)
def test_missing_key_is_401_with_json_error(demo_server: DemoServer, resource: str) -> None:
    response = httpx.get(f"{demo_server.base_url}/{resource}")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorized" and "bearer" in body["message"].lower()


@pytest.mark.parametrize("key", ["anon_wrong_key_123456", "not_an_anon_key", "Basic"])
def test_wrong_key_is_401(demo_server: DemoServer, key: str) -> None:
    response = httpx.get(
        f"{demo_server.base_url}/workflows", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 401
    assert demo_server.api_key not in response.text


def test_right_key_lists_workflows(api: httpx.Client) -> None:
    response = api.get("/workflows")
    assert response.status_code == 200
    assert response.json()["pagination"]["total"] >= 6


@pytest.mark.parametrize("resource", RESOURCES)
def test_non_uuid_id_is_400(api: httpx.Client, resource: str) -> None:
    response = api.get(f"/{resource}/not-a-uuid")
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_id_is_404(api: httpx.Client, resource: str) -> None:
    response = api.get(f"/{resource}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_id_of_another_kind_is_404(api: httpx.Client, demo_server: DemoServer) -> None:
    workflow_id = demo_server.dataset.workflows[0]["id"]
    assert api.get(f"/artifacts/{workflow_id}").status_code == 404
    assert api.get(f"/workflows/{workflow_id}").status_code == 200


def test_get_workflow_run_returns_bare_object(api: httpx.Client, demo_server: DemoServer) -> None:
    run = demo_server.dataset.workflow_runs[0]
    body = api.get(f"/workflow-runs/{run['id']}").json()
    assert body["id"] == run["id"]
    assert {"workflowId", "status", "completedAt", "createdAt", "currentStateName"} <= body.keys()
    assert not any(key.startswith("_") for key in body)


def test_pages_walk_every_artifact_exactly_once(api: httpx.Client, demo_server: DemoServer) -> None:
    seen: list[str] = []
    page = 1
    while True:
        body = api.get("/artifacts", params={"page": page, "pageSize": 17}).json()
        seen += [a["id"] for a in body["data"]]
        assert body["pagination"]["pageSize"] == 17
        if not body["pagination"]["hasMore"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == len(demo_server.dataset.artifacts)
    assert body["pagination"]["total"] == len(seen)


def test_page_size_snake_case_alias(api: httpx.Client) -> None:
    body = api.get("/workflow-runs", params={"page_size": 5}).json()
    assert len(body["data"]) == 5 and body["pagination"]["pageSize"] == 5


@pytest.mark.parametrize("params", [{"page": 0}, {"page": "x"}, {"pageSize": -1}])
def test_bad_paging_values_are_400(api: httpx.Client, params: dict[str, object]) -> None:
    assert api.get("/artifacts", params=params).status_code == 400


@pytest.mark.parametrize("resource", ["workflow-runs", "artifacts", "job-runs"])
def test_lists_are_newest_first(api: httpx.Client, resource: str) -> None:
    items = api.get(f"/{resource}", params={"pageSize": 500}).json()["data"]
    stamps = [parse_timestamp(item["createdAt"]) for item in items]
    assert len(stamps) > 3 and None not in stamps
    assert stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]


def test_artifacts_filter_by_run_and_workflow(api: httpx.Client, demo_server: DemoServer) -> None:
    art = demo_server.dataset.artifacts[0]
    by_run = api.get("/artifacts", params={"workflowRunId": art.workflow_run_id}).json()["data"]
    assert by_run and {a["workflowRunId"] for a in by_run} == {art.workflow_run_id}
    by_wf = api.get("/artifacts", params={"workflowId": art.workflow_id, "pageSize": 500}).json()
    assert {a["workflowId"] for a in by_wf["data"]} == {art.workflow_id}
    assert len(by_wf["data"]) > len(by_run)


def test_workflow_runs_filter_by_status_workflow_and_job_run(
    api: httpx.Client, demo_server: DemoServer
) -> None:
    failed = api.get("/workflow-runs", params={"status": "FAILED"}).json()["data"]
    assert failed and {r["status"] for r in failed} == {"FAILED"}
    job_run = demo_server.dataset.job_runs[-1]
    runs = api.get("/workflow-runs", params={"jobRunId": job_run["id"]}).json()["data"]
    assert runs and {r["jobRunId"] for r in runs} == {job_run["id"]}
    wid = demo_server.dataset.workflows[0]["id"]
    runs = api.get("/workflow-runs", params={"workflowId": wid}).json()["data"]
    assert {r["workflowId"] for r in runs} == {wid}


def test_job_runs_filter_by_job_and_status(api: httpx.Client, demo_server: DemoServer) -> None:
    job = demo_server.dataset.jobs[0]
    runs = api.get("/job-runs", params={"jobId": job["id"]}).json()["data"]
    assert runs and {r["jobId"] for r in runs} == {job["id"]}
    done = api.get("/job-runs", params={"status": "COMPLETED"}).json()["data"]
    assert done and {r["status"] for r in done} == {"COMPLETED"}


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/workflow-runs", {"status": "EXPLODED"}),
        ("/workflow-runs", {"workflowId": "nope"}),
        ("/artifacts", {"workflowRunId": "123"}),
        ("/job-runs", {"jobId": "x"}),
    ],
)
def test_bad_filters_are_400(api: httpx.Client, path: str, params: dict[str, str]) -> None:
    assert api.get(path, params=params).status_code == 400


def test_filter_matching_nothing_is_an_empty_page(api: httpx.Client) -> None:
    body = api.get("/artifacts", params={"workflowRunId": str(uuid.uuid4())}).json()
    assert body["data"] == [] and body["pagination"]["total"] == 0
    assert body["pagination"]["hasMore"] is False
