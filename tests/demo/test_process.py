"""The stand-in server in a child process: serves, stops when asked or orphaned, fails clearly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import httpx
import pytest

from artifact_viewer.demo.process import DemoProcess, DemoProcessError, _child_main
from artifact_viewer.demo.runner import api_key_for

EXIT_WAIT_S = 15.0  # a bound so a broken build fails instead of hanging, not a speed claim


def _gone(pid: int) -> bool:
    """True once ``pid`` no longer runs (reaped, or a zombie of a dead parent)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + EXIT_WAIT_S
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def test_child_server_answers_the_api_and_ends_when_stopped() -> None:
    with DemoProcess(seed=1) as demo:
        assert demo.api_key == api_key_for(1)
        response = httpx.get(
            f"{demo.base_url}/workflows",
            headers={"Authorization": f"Bearer {demo.api_key}"},
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["data"]
        pid = demo.pid
        assert pid is not None and demo.running
    assert not demo.running and _gone(pid)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{demo.base_url}/workflows", timeout=2)


PARENT = """
import sys, time
from artifact_viewer.demo.process import DemoProcess
demo = DemoProcess().start()
demo.wait_ready()
print(demo.pid, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_child_server_exits_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert not _gone(child_pid)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert _wait_gone(child_pid)


def test_a_child_that_cannot_run_is_reported_in_a_sentence(monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    demo = DemoProcess().start()
    try:
        with pytest.raises(DemoProcessError) as info:
            demo.wait_ready()
        assert "stopped before it was ready" in info.value.user_message()
        with pytest.raises(DemoProcessError):
            _ = demo.base_url  # asked again: the same answer, no new wait
    finally:
        demo.stop()


def test_an_interpreter_that_cannot_be_started_raises_at_start(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    with pytest.raises(DemoProcessError, match="Could not start the demo server"):
        DemoProcess().start()


def test_without_an_interpreter_path_the_child_is_refused_at_start(monkeypatch) -> None:
    monkeypatch.setattr(sys, "executable", "")  # embedded Python: nothing to spawn
    with pytest.raises(DemoProcessError, match="cannot run in a child process"):
        DemoProcess().start()


def test_child_reports_a_start_failure_as_one_json_line(capsys) -> None:
    assert _child_main(["not-a-seed"]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "error" in json.loads(out[0])


def test_stopping_before_it_is_ready_makes_later_waits_fail_clearly() -> None:
    demo = DemoProcess()
    demo.stop()  # never started: nothing to do
    demo.start()
    demo.stop()
    demo.stop()
    assert not demo.running
    with pytest.raises(DemoProcessError, match="stopped before it was ready"):
        _ = demo.base_url
