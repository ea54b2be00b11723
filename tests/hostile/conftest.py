"""Fixtures: the hostile stand-in server and a CLI run against it in a child process."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.server import API_KEY, HostileServer


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float  # the largest child's peak resident memory so far (ru_maxrss)


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
    proc = subprocess.run(
        [sys.executable, "-m", "artifact_viewer", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return CliResult(proc.returncode, proc.stdout, proc.stderr, peak)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server
