"""The seeded data set: deterministic per seed, covers every status and artifact kind."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET

import httpx

from artifact_viewer.core.models import WORKFLOW_RUN_STATUSES, Artifact, Job, WorkflowRun
from artifact_viewer.demo.dataset import build_dataset, public
from artifact_viewer.demo.runner import DemoServer


def _snapshot(seed: int) -> list[object]:
    ds = build_dataset(seed)
    arts = [(a.id, a.display_name, a.created_at, a.sha256) for a in ds.artifacts[:12]]
    return [ds.workflows, ds.jobs, ds.job_runs, ds.workflow_runs, arts]


def test_same_seed_gives_identical_ids_times_and_bytes() -> None:
    assert _snapshot(3) == _snapshot(3)


def test_other_seed_gives_other_ids() -> None:
    a, b = build_dataset(3), build_dataset(4)
    assert {w["id"] for w in a.workflows}.isdisjoint(w["id"] for w in b.workflows)


def test_world_is_large_enough_and_anon_shaped() -> None:
    ds = build_dataset(1)
    assert len({w["sourceProvider"] for w in ds.workflows}) >= 3
    assert len(ds.workflows) >= 6
    assert [w["type"] for w in ds.workflows].count("LOGIN") == 1
    assert all(w["stepsJson"]["steps"] for w in ds.workflows)
    assert len(ds.workflow_runs) >= 30


def test_every_workflow_run_status_occurs() -> None:
    ds = build_dataset(1)
    assert {r["status"] for r in ds.workflow_runs} == set(WORKFLOW_RUN_STATUSES)


def test_running_runs_have_no_completed_at() -> None:
    for run in build_dataset(1).workflow_runs:
        running = run["status"] in ("PENDING", "IN_PROGRESS", "AWAITING_USER_INPUT")
        assert (run["completedAt"] is None) == running
        assert re.fullmatch(r"[a-z0-9_]+", run["currentStateName"])


def test_timestamps_come_with_and_without_fractions() -> None:
    stamps = [r["createdAt"] for r in build_dataset(1).workflow_runs]
    assert all(s.endswith("Z") for s in stamps)
    assert any("." in s for s in stamps) and any("." not in s for s in stamps)


def test_job_runs_follow_the_job_execution_order() -> None:
    ds = build_dataset(1)
    jobs = {j["id"]: Job.from_json(public(j)) for j in ds.jobs}
    for job_run in ds.job_runs:
        order = jobs[job_run["jobId"]].workflow_execution_order
        runs = sorted(
            (
                WorkflowRun.from_json(public(r))
                for r in ds.workflow_runs
                if r["jobRunId"] == job_run["id"]
            ),
            key=lambda r: r.created_at,  # type: ignore[arg-type, return-value]
        )
        assert runs and [r.workflow_id for r in runs] == order[: len(runs)]


def test_every_artifact_kind_is_present() -> None:
    ds = build_dataset(1)
    mimes = {a.mime_type for a in ds.artifacts}
    assert {"application/json", "text/csv", "image/png", "application/pdf", "text/plain",
            "application/xml", "application/octet-stream"} <= mimes  # fmt: skip
    assert {"extracted_data", "screenshot", "log_file", "report"} <= {a.type for a in ds.artifacts}


def test_artifact_json_parses_into_the_app_model(shared_demo_server: DemoServer) -> None:
    art = shared_demo_server.dataset.artifacts[0]
    model = Artifact.from_json(art.to_json("https://example/x"))
    assert model.file_size == art.size and model.file_hash == art.sha256
    assert model.extra == {}


def test_every_served_file_matches_its_file_hash(shared_demo_server: DemoServer) -> None:
    headers = {"Authorization": f"Bearer {shared_demo_server.api_key}"}
    with httpx.Client(base_url=shared_demo_server.base_url, headers=headers) as client:
        items = client.get("/artifacts", params={"pageSize": 500}).json()["data"]
        assert len(items) == len(shared_demo_server.dataset.artifacts)
        for item in items:
            body = client.get(item["signedUrl"]).content
            assert len(body) == item["fileSize"]
            assert hashlib.sha256(body).hexdigest() == item["fileHash"], item["displayName"]


def test_files_are_what_their_mime_type_says() -> None:
    ds = build_dataset(1)
    first = {a.mime_type: a for a in reversed(ds.artifacts)}
    employees = json.loads(first["application/json"].data())
    assert isinstance(employees["employees"][0]["compensation"]["history"], list)
    rows = list(csv.reader(io.StringIO(first["text/csv"].data().decode())))
    assert len(rows) > 1000 and len({len(r) for r in rows}) == 1
    assert any("," in cell for row in rows for cell in row)
    assert any(cell == "" for row in rows for cell in row)
    assert any(not cell.isascii() for row in rows for cell in row)
    assert first["image/png"].data().startswith(b"\x89PNG\r\n\x1a\n")
    pdf = first["application/pdf"].data()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 2
    ET.fromstring(first["application/xml"].data())
    log = first["text/plain"].data().decode()
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO) ", log, re.M)


def test_some_log_holds_errors_and_a_stack_trace() -> None:
    logs = [a.data().decode() for a in build_dataset(1).artifacts if a.type == "log_file"]
    assert any("Traceback (most recent call last)" in log and " ERROR " in log for log in logs)
    assert any(" WARNING " in log for log in logs)


def test_scale_knob_adds_many_artifacts_cheaply() -> None:
    ds = build_dataset(1, scale_artifacts=2_500, artifacts_per_run=100)
    bulk = [a for a in ds.artifacts if a.display_name.startswith("records_")]
    assert len(bulk) == 2_500
    assert len({a.workflow_run_id for a in bulk}) == 25
    assert json.loads(bulk[0].data())["artifactId"] == bulk[0].id
