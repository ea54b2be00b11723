"""Live runs of the stand-in server: they move through their states over time, produce
screenshots and a growing log, end as planned (or disappear), and stay off by default."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.live import plan
from artifact_viewer.demo.runner import DemoServer
from artifact_viewer.demo.world import WORKFLOWS

STEP = 3600.0  # live runs move only when a test moves the server's clock on by a step


@pytest.fixture
def live_server(make_demo_server: Callable[..., DemoServer]) -> DemoServer:
    return make_demo_server(config=ServerConfig(live_step=STEP), live=True)


@pytest.fixture
def api(live_server: DemoServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live_server.api_key}"}
    with httpx.Client(base_url=live_server.base_url, headers=headers, timeout=10) as client:
        yield client


def history(
    api: httpx.Client, server: DemoServer, run_id: str, polls: int = 40
) -> list[tuple[str, str]]:
    """(status, state) after each step, polling once per step, until the run ends or vanishes."""
    seen: list[tuple[str, str]] = []
    for _ in range(polls):
        response = api.get(f"/workflow-runs/{run_id}")
        if response.status_code == 404:
            seen.append(("404", ""))
            return seen
        run = response.json()
        pair = (run["status"], run["currentStateName"])
        if not seen or seen[-1] != pair:
            seen.append(pair)
        if run["completedAt"] or run["status"] == "AWAITING_USER_INPUT":
            return seen
        server.config.clock_offset += STEP
    raise AssertionError(f"run did not end: {seen}")


def artifacts(api: httpx.Client, run_id: str) -> list[dict[str, Any]]:
    return api.get("/artifacts", params={"workflowRunId": run_id}).json()["data"]


def test_a_live_run_walks_every_state_then_completes(
    live_server: DemoServer, api: httpx.Client
) -> None:
    run_id = live_server.live.start_run("COMPLETED", "gusto_login")
    seen = history(api, live_server, run_id)
    states = next(s for s in WORKFLOWS if s.key == "gusto_login").states
    assert seen[0] == ("PENDING", "waiting_for_worker")
    assert seen[1:-1] == [("IN_PROGRESS", s) for s in states]
    assert seen[-1] == ("COMPLETED", states[-1])
    run = api.get(f"/workflow-runs/{run_id}").json()
    assert run["completedAt"] == run["updatedAt"] and run["jobRunId"] is None
    names = sorted(a["displayName"] for a in artifacts(api, run_id))
    assert names == sorted([f"{s}.png" for s in states] + ["run.log"])


def test_a_failed_run_stops_midway_with_an_error_and_a_trace_in_its_log(
    live_server: DemoServer, api: httpx.Client
) -> None:
    run_id = live_server.live.start_run("FAILED", "gusto_census")
    seen = history(api, live_server, run_id)
    assert seen[-1][0] == "FAILED"
    failed_at = seen[-1][1]
    log = next(a for a in artifacts(api, run_id) if a["type"] == "log_file")
    text = httpx.get(log["signedUrl"]).text
    assert f"ERROR   step {failed_at} failed" in text
    assert "Traceback (most recent call last):" in text


def test_awaiting_input_run_waits_after_its_first_state(
    live_server: DemoServer, api: httpx.Client
) -> None:
    run_id = live_server.live.start_run("AWAITING_USER_INPUT", "gusto_login")
    seen = history(api, live_server, run_id)
    assert seen[-1] == ("AWAITING_USER_INPUT", "awaiting_mfa_code")
    live_server.config.clock_offset += STEP * 4
    assert api.get(f"/workflow-runs/{run_id}").json()["status"] == "AWAITING_USER_INPUT"


def test_the_log_grows_in_place_and_screenshots_appear_as_the_run_goes(
    make_demo_server: Callable[..., DemoServer],
) -> None:
    server = make_demo_server(config=ServerConfig(live_step=3600), live=True)
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as api:
        run_id = server.live.start_run("COMPLETED", "gusto_login")
        assert artifacts(api, run_id) == []  # PENDING: nothing yet
        server.config.clock_offset += 3600  # one step later
        first = {a["displayName"]: a for a in artifacts(api, run_id)}
        assert set(first) == {"opening_login_page.png", "run.log"}
        server.config.clock_offset += 3600
        second = {a["displayName"]: a for a in artifacts(api, run_id)}
        assert set(second) == {"opening_login_page.png", "entering_credentials.png", "run.log"}
        old_log, new_log = first["run.log"], second["run.log"]
        assert new_log["id"] == old_log["id"]
        assert new_log["fileSize"] > old_log["fileSize"]
        assert new_log["fileHash"] != old_log["fileHash"]
        body = httpx.get(new_log["signedUrl"])
        assert body.status_code == 200 and len(body.content) == new_log["fileSize"]
        shot = httpx.get(second["entering_credentials.png"]["signedUrl"])
        assert shot.content.startswith(b"\x89PNG")


def test_a_deleted_run_vanishes_with_its_artifacts(
    live_server: DemoServer, api: httpx.Client
) -> None:
    run_id = live_server.live.start_run("DELETED", "gusto_login")
    api.get(f"/workflow-runs/{run_id}")
    live_server.config.clock_offset += STEP
    paths = [a["storagePath"] for a in artifacts(api, run_id)]
    assert paths  # it had produced something
    seen = history(api, live_server, run_id)
    assert seen[-1] == ("404", "")
    assert artifacts(api, run_id) == []
    assert run_id not in [r["id"] for r in api.get("/workflow-runs").json()["data"]]
    # Its files are gone from storage too (a URL signed now, so it has not expired).
    config = live_server.config
    url = live_server.signer.sign(live_server.origin, paths[0], 900, config.now(), "s3")
    assert httpx.get(url).status_code == 404


def test_listing_shows_live_runs_newest_first(live_server: DemoServer, api: httpx.Client) -> None:
    run_id = live_server.live.start_run("COMPLETED", "toast_tips")
    assert api.get("/workflow-runs").json()["data"][0]["id"] == run_id


def test_start_many_cycles_outcomes_and_knows_their_plans(
    make_demo_server: Callable[..., DemoServer],
) -> None:
    server = make_demo_server(live_runs=4, live_outcomes=("FAILED", "DELETED"))
    assert [server.live.plan_of(r)[0] for r in server.live.run_ids] == [
        "FAILED", "DELETED", "FAILED", "DELETED",
    ]  # fmt: skip


def test_live_runs_are_off_by_default_and_never_touch_the_shared_data(
    demo_server: DemoServer, make_demo_server: Callable[..., DemoServer]
) -> None:
    assert demo_server.live is None
    before = len(demo_server.dataset.workflow_runs)
    live = make_demo_server(live_runs=2)
    assert live.dataset is not demo_server.dataset
    headers = {"Authorization": f"Bearer {live.api_key}"}
    listed = httpx.get(f"{live.base_url}/workflow-runs", headers=headers).json()
    assert listed["pagination"]["total"] == before + 2
    assert len(demo_server.dataset.workflow_runs) == before


def test_unknown_outcome_is_refused(live_server: DemoServer) -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        live_server.live.start_run("EXPLODED")  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", WORKFLOWS, ids=lambda s: s.key)
def test_every_plan_ends_in_its_outcome(spec) -> None:
    for outcome in ("COMPLETED", "COMPLETED_WITH_NO_ACTION_TAKEN", "FAILED"):
        steps = plan(spec, outcome)
        assert steps[-1].status == outcome and steps[-1].finished
        assert all(s.state in spec.states for s in steps)
