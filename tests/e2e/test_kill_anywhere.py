"""SIGKILL at random moments of `sync --all`, `get` and `cache purge`: after every kill the
cache holds only verified files, the catalog is intact and `cache verify` exits 0; a
download killed at 80 % continues from where it was rather than from zero."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from artifact_viewer.cli import cli
from artifact_viewer.core.hashes import hash_file

pytestmark = pytest.mark.slow

KILLS = 33
MAX_ATTEMPTS = 150  # some commands finish before their kill comes (more so as resumes shorten them)
SEED = int(os.environ.get("KILL_TEST_SEED", "1212"))


def cli_env(server, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ARTIFACT_VIEWER_HOME=str(home),
        ANON_BASE_URL=server.base_url,
        ANON_API_KEY=server.api_key,
        PYTHONUNBUFFERED="1",
    )
    return env


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "artifact_viewer", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def assert_cache_clean(home: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    blobs = home / "cache" / "blobs"
    for path in (p for p in blobs.rglob("*") if p.is_file()):
        assert hash_file(path).sha256 == path.parent.name + path.name, f"partial blob {when}"
    catalog = home / "data" / "catalog.sqlite3"
    if catalog.exists():
        conn = sqlite3.connect(catalog)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", when
        finally:
            conn.close()
    monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(home))
    verify = CliRunner().invoke(cli, ["cache", "verify"])
    assert verify.exit_code == 0, f"cache verify after a kill {when}: {verify.output}"


def test_sigkill_anywhere_in_sync_get_and_purge_leaves_a_cache_verify_accepts(
    demo_server, tmp_path, monkeypatch
):
    rng = random.Random(SEED)
    home = tmp_path / "home"
    env = cli_env(demo_server, home)
    demo_server.config.throttle_bps = 3_000_000  # a sync takes a couple of seconds
    demo_server.config.chunk_size = 32 * 1024
    biggest = max(
        (a for run in demo_server.dataset.artifacts_by_run.values() for a in run),
        key=lambda a: a.size,
    )
    commands = [["sync", "--all"], ["get", biggest.id, "-o", str(tmp_path / "out"), "--force"]]
    commands.append(["cache", "purge"])
    kills = mid_download = attempts = 0
    partial = home / "cache" / "partial"
    while kills < KILLS and attempts < MAX_ATTEMPTS:
        args = commands[attempts % len(commands)]
        attempts += 1
        proc = start(args, env)
        delay = rng.uniform(0.2, 1.6)
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            downloading = partial.is_dir() and any(partial.glob("*.part"))
            proc.send_signal(signal.SIGKILL)
            kills += 1
            mid_download += downloading
        proc.wait(15)
        assert_cache_clean(home, monkeypatch, f"{args} at {delay:.2f} s (attempt {attempts})")
        if not killed and args[0] != "cache":
            # It finished first: empty the cache so the next command has downloading to do
            # (a fast machine would otherwise run out of work to be killed in).
            assert CliRunner().invoke(cli, ["cache", "purge"]).exit_code == 0
    assert kills >= 30, f"only {kills} processes were still running when killed"
    assert mid_download >= 5, f"only {mid_download} kills landed mid-download"
    demo_server.config.throttle_bps = None
    done = subprocess.run(
        [sys.executable, "-m", "artifact_viewer", "sync", "--all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not list((home / "cache" / "partial").glob("*.part"))
    assert not list((home / "cache" / "partial" / "locks").glob("*.lock"))
    assert_cache_clean(home, monkeypatch, "after the final sync")


def test_a_download_killed_at_80_percent_continues_by_range(
    make_demo_server, big_file_paths, tmp_path
):
    server = make_demo_server(big_files=big_file_paths)
    artifact_id = server.dataset.big_files["json_100m"]
    size = server.artifact(artifact_id).size
    home = tmp_path / "home"
    env = cli_env(server, home)
    server.config.throttle_bps = 1_000_000
    server.config.chunk_size = 16 * 1024
    out = tmp_path / "saved.json"
    proc = start(["get", artifact_id, "-o", str(out)], env)
    partial = home / "cache" / "partial"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            parts = list(partial.glob("*.part")) if partial.is_dir() else []
            if any(p.exists() and p.stat().st_size >= 0.8 * size for p in parts):
                break
            assert proc.poll() is None, "the download ended before it could be killed"
            time.sleep(0.02)
        else:
            pytest.fail("the download never reached 80 %")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    server.config.throttle_bps = None
    before = len(server.config.requests)
    done = subprocess.run(
        [sys.executable, "-m", "artifact_viewer", "get", artifact_id, "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    storage = [r for r in list(server.config.requests)[before:] if r.kind == "storage"]
    assert storage, "the second get downloaded nothing"
    first = storage[0].range
    assert first is not None and first.startswith("bytes="), "restarted from zero"
    assert int(first[len("bytes=") :].split("-")[0]) >= 0.7 * size
    assert hash_file(out).sha256 == server.true_hash(artifact_id)
    assert not list(partial.glob("*.part"))
