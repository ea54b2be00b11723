"""A server that lies cannot fill the disk, exhaust memory or stop a sync: one `sync --all`
over one artifact per lie, then each artifact's outcome checked on its own."""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
from pathlib import Path

import pytest

from artifact_viewer.core.hashes import hash_file
from tests.hostile.conftest import CliResult, folder_bytes, run_cli, write_settings
from tests.hostile.server import HostileServer, content_for

QUOTA = 2 * 1024 * 1024
DISK_BOUND = QUOTA + 1024 * 1024  # what the cache may hold after the sync, temp files included
MEMORY_BOUND_MB = 300

GOOD = ["good-1", "good-2", "expires-overflow", "date-1e20", "escape-name", "redirect-once"]
GOOD += ["gzip-fake", "gzip-real", "gzip-cut"]
# artifact id -> words its failure line must contain
FAILS = {
    "endless": "more than the 3000 bytes the API declared",
    "huge-length": "more than the 3000 bytes the API declared",
    "error-endless": "HTTP 403",
    "redirect-loop": "redirected more than 5 times",
    "bad-url": "download link is malformed",
    "file-url": "uses file:",
    "ftp-url": "uses ftp:",
    "cleartext-remote": "cleartext http to another machine",
    "gzip-garbage": "do not match its hash",
    "gzip-bomb": "do not match its hash",
    "drip": "too slow",
    "undeclared-endless": "the API gave no size",
}


def build(server: HostileServer) -> None:
    for artifact_id in ("good-1", "good-2"):
        server.add(artifact_id)
    server.add("endless", "endless")
    server.add("huge-length", "huge_length")
    server.add("error-endless", "error_endless")
    server.add("redirect-loop", "redirect_loop")
    server.add("redirect-once", "redirect_once")
    server.add("bad-url", url="http://[::1/x")
    server.add("file-url", url="file:///etc/passwd")
    server.add("ftp-url", url="ftp://127.0.0.1/artifact")
    server.add("cleartext-remote", url="http://storage.example.com/artifact?sig=1")
    over = server.add("expires-overflow")
    over.url = server.signed_url(over, expires="99999999999999")
    server.add("date-1e20", createdAt=1e20)
    server.add("escape-name", displayName="\x1b]0;PWNED\x07evil\u202etxt.exe")
    server.add("gzip-fake", "gzip_fake")
    server.add("gzip-real", "gzip_real")
    server.add("gzip-garbage", "gzip_garbage")
    server.add("gzip-cut", "gzip_cut", data=content_for("gzip-cut", 200_000))
    zeros = b"\0" * (64 * 1024 * 1024)
    server.add(
        "gzip-bomb",
        "gzip_bomb",
        data=gzip.compress(zeros),
        fileHash=hashlib.sha256(zeros).hexdigest(),
    )
    server.add("drip", "drip", data=content_for("drip", 200))
    server.add("undeclared-endless", "endless", fileSize=None, fileHash="sha256:" + "0" * 64)


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> tuple[HostileServer, Path, CliResult]:
    home = tmp_path_factory.mktemp("hostile-home")
    write_settings(
        home,
        cache_quota_bytes=QUOTA,
        download_floor_seconds=3.0,
        download_min_bytes_per_second=1024 * 1024,
    )
    with HostileServer() as server:
        build(server)
        result = run_cli(home, server.base_url, "sync", "--all")
        yield server, home, result


def failure_lines(result: CliResult) -> dict[str, str]:
    lines = {}
    for line in result.stderr.splitlines():
        head, sep, reason = line.strip().partition(": ")
        if sep and head in (*FAILS, *GOOD):
            lines[head] = reason
    return lines


def test_sync_reports_each_lie_and_exits_1_without_a_traceback(synced):
    _server, _home, result = synced
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"{len(FAILS)} failed" in result.stdout
    assert set(failure_lines(result)) == set(FAILS)


@pytest.mark.parametrize("artifact_id", sorted(FAILS))
def test_each_lie_fails_only_its_own_artifact_with_a_clear_reason(synced, artifact_id):
    _server, home, result = synced
    assert FAILS[artifact_id] in failure_lines(result)[artifact_id]
    conn = sqlite3.connect(home / "data" / "catalog.sqlite3")
    try:
        row = conn.execute(
            "SELECT state, sha256 FROM cache_entries WHERE artifact_id = ?", (artifact_id,)
        ).fetchone()
    finally:
        conn.close()
    assert row is None or row[0] == "mismatch" and row[1] is None  # nothing kept for it


@pytest.mark.parametrize("artifact_id", GOOD)
def test_the_rest_of_the_sync_completes_verified(synced, artifact_id):
    server, home, _result = synced
    conn = sqlite3.connect(home / "data" / "catalog.sqlite3")
    try:
        state, sha256 = conn.execute(
            "SELECT state, sha256 FROM cache_entries WHERE artifact_id = ?", (artifact_id,)
        ).fetchone()
    finally:
        conn.close()
    assert state == "verified"
    blob = home / "cache" / "blobs" / "sha256" / sha256[:2] / sha256[2:]
    assert blob.read_bytes() == server.scenarios[artifact_id].data


def test_disk_and_memory_stay_bounded_and_nothing_unverified_is_cached(synced):
    _server, home, result = synced
    assert folder_bytes(home / "cache") < DISK_BOUND
    assert result.peak_rss_mb < MEMORY_BOUND_MB
    for blob in (home / "cache" / "blobs").rglob("*"):
        if blob.is_file():
            assert hash_file(blob).sha256 == blob.parent.name + blob.name


def test_schemes_and_malformed_links_fail_at_once_without_a_request(synced):
    server, _home, _result = synced
    for artifact_id in ("bad-url", "file-url", "ftp-url", "cleartext-remote"):
        assert server.requests_for(artifact_id) == []


def test_redirects_are_bounded_and_carry_no_key_or_cookie(synced):
    server, _home, _result = synced
    assert len(server.requests_for("redirect-loop")) == 6  # the first request and 5 redirects
    storage = [s for s in server.seen if s.path.startswith("/storage/")]
    assert storage and not any(s.authorized or s.cookie for s in storage)


def test_gzip_from_storage_is_kept_as_the_bytes_the_hash_describes(synced):
    server, home, _result = synced
    log = (home / "logs" / "artifact-viewer.log").read_text()
    assert "gzip-fake came gzip-encoded; its hash matched the raw bytes" in log
    assert "gzip-real came gzip-encoded; its hash matched the decoded bytes" in log
    cut = server.requests_for("gzip-cut")
    assert len(cut) == 2 and [s.range for s in cut] == [None, None]  # restarted, never resumed


def test_server_text_reaches_the_terminal_escaped(synced):
    _server, home, result = synced
    assert "\x1b" not in result.stderr + result.stdout
    listing = run_cli(home, "http://127.0.0.1:9/api/v2", "cache", "ls")
    assert listing.returncode == 0, listing.stderr
    assert "\\x1b]0;PWNED\\x07evil\\u202etxt.exe" in listing.stdout
    assert "\x1b" not in listing.stdout and "\u202e" not in listing.stdout


def test_an_impossible_timestamp_is_kept_and_listed_as_invalid_date(synced):
    _server, home, _result = synced
    listing = run_cli(home, "http://127.0.0.1:9/api/v2", "ls", "artifacts", "--offline")
    assert listing.returncode == 0, listing.stderr
    line = next(row for row in listing.stdout.splitlines() if row.startswith("date-1e20"))
    assert line.rstrip().endswith("invalid date")
    raw = run_cli(home, "http://127.0.0.1:9/api/v2", "ls", "artifacts", "--offline", "--json")
    assert '"createdAt":1e+20' in raw.stdout or '"createdAt":1e20' in raw.stdout


def test_cache_verify_passes_after_the_hostile_sync(synced):
    _server, home, _result = synced
    verify = run_cli(home, "http://127.0.0.1:9/api/v2", "cache", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
