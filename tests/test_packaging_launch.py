"""The bundle's entry point runs the CLI, and answers `-m artifact_viewer.<module>` like Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import artifact_viewer

LAUNCH = Path(__file__).resolve().parents[1] / "packaging" / "launch.py"


def _launch(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run(
        [sys.executable, str(LAUNCH), *args],
        stdin=subprocess.DEVNULL,  # the demo child serves until its stdin closes: at once
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_launch_without_m_is_the_command_line() -> None:
    result = _launch("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"artifact-viewer, version {artifact_viewer.__version__}"


def test_launch_runs_the_demo_server_child_the_way_python_m_would() -> None:
    result = _launch("-m", "artifact_viewer.demo.process", "1")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout.splitlines()[0])
    assert info["baseUrl"].startswith("http://127.0.0.1:")
    assert info["apiKey"].startswith("anon_")


def test_launch_refuses_m_for_modules_outside_the_app() -> None:
    result = _launch("-m", "os")
    assert result.returncode == 2
    assert "No such option" in result.stderr
