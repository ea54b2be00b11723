"""Fixtures: the hostile stand-in server and a CLI run against it in a child process."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.hostile.server import API_KEY, HostileServer


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float  # the command's peak resident memory, sampled every 20 ms


def write_settings(home: Path, **values: object) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True, mode=0o700)
    (config / "settings.json").write_text(json.dumps(values))


def run_cli(
    home: Path, base_url: str, *args: str, key: str = API_KEY, timeout: float = 120
) -> CliResult:
    env = dict(os.environ)
    env.update(
        ARTIFACT_VIEWER_HOME=str(home),
        ANON_BASE_URL=base_url,
        ANON_API_KEY=key,
        PYTHONUNBUFFERED="1",
        COLUMNS="200",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "artifact_viewer", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Sampled, not ru_maxrss: a forked child's maxrss counts the parent's pages at fork.
    peak = [0]
    watched = psutil.Process(proc.pid)

    def sample() -> None:
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                peak[0] = max(peak[0], watched.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate(timeout=timeout)
    sampler.join()
    return CliResult(proc.returncode, stdout, stderr, peak[0] / 1024**2)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server
