"""`artifact-viewer watch RUN_ID [--json]` end to end against live runs of the stand-in server:
each change as it happens, and the exit code of how the run ended."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result

from artifact_viewer import cli as cli_module
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.runner import DemoServer
from artifact_viewer.demo.world import WORKFLOWS

LOGIN_STATES = next(s for s in WORKFLOWS if s.key == "gusto_login").states


@pytest.fixture
def server(
    make_demo_server: Callable[..., DemoServer], monkeypatch: pytest.MonkeyPatch
) -> Iterator[DemoServer]:
    live = make_demo_server(config=ServerConfig(live_step=0.25), live=True)
    monkeypatch.setenv("ANON_API_KEY", live.api_key)
    monkeypatch.setenv("ANON_BASE_URL", live.base_url)
    yield live
    teardown_logging()


STEP = 3600.0


@contextlib.contextmanager
def stepping(server: DemoServer, run_id: str) -> Iterator[None]:
    """Moves the live run one state on after each time the watcher has polled it, so what
    it sees does not depend on how fast this machine is (the run must have been started
    with a live_step of STEP)."""
    path = f"/api/v2/workflow-runs/{run_id}"
    done = threading.Event()

    def advance() -> None:
        seen = 0
        while not done.is_set():
            polls = server.config.count("api", path)
            if polls > seen:
                seen = polls
                server.config.clock_offset += STEP
            time.sleep(0.02)

    thread = threading.Thread(target=advance, name="stepper")
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def watch(*args: str) -> Result:
    return CliRunner().invoke(cli_module.cli, ["watch", *args, "--interval", "0.1"])


def json_lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_lines_follow_a_run_from_pending_to_completed(server: DemoServer) -> None:
    server.config.live_step = STEP
    run_id = server.live.start_run("COMPLETED", "gusto_login")
    with stepping(server, run_id):
        result = watch(run_id, "--json")
    assert result.exit_code == 0, result.output
    rows = json_lines(result)
    assert all(set(row) == {"runId", "status", "currentStateName", "at"} for row in rows)
    assert all(row["runId"] == run_id and str(row["at"]).endswith("Z") for row in rows)
    # The first line is the state when watching began; then every change, in order.
    assert (rows[0]["status"], rows[0]["currentStateName"]) == ("PENDING", "waiting_for_worker")
    assert [r["currentStateName"] for r in rows[1:-1]] == list(LOGIN_STATES)
    assert (rows[-1]["status"], rows[-1]["currentStateName"]) == ("COMPLETED", LOGIN_STATES[-1])
    assert result.stderr == ""


def test_text_lines_show_time_status_and_step(server: DemoServer) -> None:
    server.config.live_step = STEP
    run_id = server.live.start_run("FAILED", "gusto_login")
    with stepping(server, run_id):
        result = watch(run_id)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[2:] == ["PENDING", "waiting_for_worker"]
    assert lines[-1].split()[2:] == ["FAILED", "entering_credentials"]
    assert len(lines) == 4  # pending, two states, failed


@pytest.mark.parametrize(
    ("outcome", "code", "status"),
    [
        ("COMPLETED", 0, "COMPLETED"),
        ("COMPLETED_WITH_NO_ACTION_TAKEN", 0, "COMPLETED_WITH_NO_ACTION_TAKEN"),
        ("FAILED", 1, "FAILED"),
        ("AWAITING_USER_INPUT", 6, "AWAITING_USER_INPUT"),
    ],
)
def test_exit_code_is_how_the_run_ended(
    server: DemoServer, outcome: str, code: int, status: str
) -> None:
    server.config.live_step = 0.05
    run_id = server.live.start_run(outcome, "gusto_login")  # type: ignore[arg-type]
    result = watch(run_id, "--json")
    assert result.exit_code == code, result.output
    assert json_lines(result)[-1]["status"] == status


def test_watching_a_run_that_already_ended_prints_one_line(server: DemoServer) -> None:
    finished = next(r for r in server.dataset.workflow_runs if r["status"] == "FAILED")
    result = watch(finished["id"], "--json")
    assert result.exit_code == 1
    assert json_lines(result) == [
        {
            "runId": finished["id"],
            "status": "FAILED",
            "currentStateName": finished["currentStateName"],
            "at": json_lines(result)[0]["at"],
        }
    ]


def test_a_run_deleted_while_watched_is_one_clear_line_and_exit_5(server: DemoServer) -> None:
    server.config.live_step = STEP
    run_id = server.live.start_run("DELETED", "gusto_login")
    with stepping(server, run_id):
        result = watch(run_id, "--json")
    assert result.exit_code == 5, result.output
    assert len(json_lines(result)) >= 2  # it was followed before it vanished
    assert result.stderr.strip() == f"Error: Run {run_id} was deleted while being watched."


def test_an_unknown_run_is_exit_5(server: DemoServer) -> None:
    result = watch("99999999-9999-4999-8999-999999999999")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert "was not found" in result.stderr and "Traceback" not in result.output


def test_failed_polls_are_reported_on_stderr_and_the_watch_goes_on(server: DemoServer) -> None:
    run_id = server.live.start_run("COMPLETED", "gusto_login")
    server.config.fail_next = 2
    result = watch(run_id, "--json")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 2 and "503" in warnings[0] and "Trying again in" in warnings[0]
    assert "Polling works again." in result.stderr
    assert json_lines(result)[-1]["status"] == "COMPLETED"


def test_unreachable_api_at_the_start_is_exit_4(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ANON_API_KEY", "anon_nobody_home")
    monkeypatch.setenv("ANON_BASE_URL", f"http://127.0.0.1:{port}/api/v2")
    result = watch("99999999-9999-4999-8999-999999999999")
    teardown_logging()
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: Could not connect")


def test_rejected_key_is_exit_3(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANON_API_KEY", "anon_wrong_key")
    result = watch(server.live.start_run())
    assert result.exit_code == 3
    assert "API key was rejected" in result.stderr


def test_help_documents_the_json_shape_and_exit_codes() -> None:
    text = CliRunner().invoke(cli_module.cli, ["watch", "--help"]).output
    assert '"runId"' in text and '"currentStateName"' in text
    assert "6 awaiting user input" in text and "5 the run was not found" in text
    top = CliRunner().invoke(cli_module.cli, ["--help"]).output
    assert "6 run awaiting user input" in top and "watch" in top
