"""Real processes: SIGKILL mid-download leaves nothing half-written; two syncs share one cache."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def cli_env(server, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ARTIFACT_VIEWER_HOME=str(home),
        ANON_BASE_URL=server.base_url,
        ANON_API_KEY=server.api_key,
        PYTHONUNBUFFERED="1",
    )
    return env


def run_cli(args, env, timeout=120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "artifact_viewer", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def blob_files(home: Path) -> list[Path]:
    root = home / "cache" / "blobs"
    return [p for p in root.rglob("*") if p.is_file()]


def assert_every_blob_is_its_hash(home: Path) -> None:
    for path in blob_files(home):
        digest = path.parent.name + path.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path


def assert_catalog_intact(home: Path) -> None:
    conn = sqlite3.connect(home / "data" / "catalog.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


@pytest.fixture
def big_server(make_demo_server, big_file_paths):
    return make_demo_server(big_files=big_file_paths)


def test_killed_sync_leaves_no_partial_blob_and_next_sync_completes(big_server, tmp_path):
    home = tmp_path / "home"
    env = cli_env(big_server, home)
    artifact_id = big_server.dataset.big_files["json_100m"]
    run_id = big_server.artifact(artifact_id).workflow_run_id
    big_server.config.throttle_bps = 300_000  # ~11 s for the big file: plenty of time to kill
    big_server.config.chunk_size = 16 * 1024
    proc = subprocess.Popen(
        [sys.executable, "-m", "artifact_viewer", "sync", "--run", run_id],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        partial = home / "cache" / "partial"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            parts = list(partial.glob("*.part")) if partial.is_dir() else []
            if any(p.stat().st_size > 200_000 for p in parts if p.exists()):
                break
            assert proc.poll() is None, "sync ended before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the download never started")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)

    assert_every_blob_is_its_hash(home)
    big_blob = home / "cache" / "blobs" / "sha256" / big_server.true_hash(artifact_id)[:2]
    assert not big_blob.exists() or not any(big_blob.iterdir())
    assert_catalog_intact(home)

    big_server.config.throttle_bps = None
    done = run_cli(["sync", "--run", run_id], env)
    assert done.returncode == 0, done.stderr
    assert not list((home / "cache" / "partial").glob("*.part"))  # leftover cleaned at open
    assert_every_blob_is_its_hash(home)
    assert (big_blob / big_server.true_hash(artifact_id)[2:]).is_file()
    assert_catalog_intact(home)
    verify = run_cli(["cache", "verify"], env)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_two_processes_syncing_one_run_finish_with_one_copy(big_server, tmp_path):
    home = tmp_path / "home"
    env = cli_env(big_server, home)
    artifact_id = big_server.dataset.big_files["json_100m"]
    run_id = big_server.artifact(artifact_id).workflow_run_id
    big_server.config.throttle_bps = 2_000_000
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "artifact_viewer", "sync", "--run", run_id],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    downloaded = sum(int(out.split(":")[1].split()[0]) for out, _ in outputs)
    expected_blobs = {a.sha256 for a in big_server.dataset.artifacts_by_run[run_id]}
    assert downloaded == len(expected_blobs)  # each file fetched by exactly one process
    assert {p.parent.name + p.name for p in blob_files(home)} == expected_blobs
    assert_every_blob_is_its_hash(home)
    assert_catalog_intact(home)
    assert not list((home / "cache" / "partial").glob("*.part"))
