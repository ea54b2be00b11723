"""CLI end to end: offline after a sync, save-as rules, and no secret ever written under the home."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from artifact_viewer.cli import EXIT_NOT_FOUND, cli
from artifact_viewer.commands.common import RETRY_KEY
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.retry import RetryPolicy


@pytest.fixture
def run_cli(demo_server, monkeypatch):
    monkeypatch.setenv("ANON_BASE_URL", demo_server.base_url)
    monkeypatch.setenv("ANON_API_KEY", demo_server.api_key)
    runner = CliRunner()

    def invoke(*args: str):
        try:
            return runner.invoke(cli, list(args), obj={RETRY_KEY: RetryPolicy.no_retry()})
        finally:
            teardown_logging()

    return invoke


def two_runs(server):
    by_run = server.dataset.artifacts_by_run
    first, second = [arts for arts in by_run.values() if arts][:2]
    return first, second


def test_offline_after_sync_lists_and_gets_cached_and_refuses_uncached(
    demo_server, run_cli, tmp_path
):
    cached_arts, other_arts = two_runs(demo_server)
    assert run_cli("sync").exit_code == 0  # the catalog only
    result = run_cli("sync", "--run", cached_arts[0].workflow_run_id)
    assert result.exit_code == 0, result.output
    demo_server.stop()

    listed = run_cli("ls", "artifacts", "--offline", "--json")
    assert listed.exit_code == 0, listed.output
    ids = {json.loads(line)["id"] for line in listed.output.splitlines()}
    assert ids == {a.id for a in demo_server.dataset.artifacts}
    runs = run_cli("ls", "runs", "--offline")
    assert runs.exit_code == 0 and cached_arts[0].workflow_run_id in runs.output

    got = run_cli("get", cached_arts[0].id, "--offline", "-o", str(tmp_path))
    assert got.exit_code == 0, got.output
    saved = tmp_path / cached_arts[0].display_name
    assert saved.read_bytes() == demo_server.true_bytes(cached_arts[0].id)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    missing = run_cli("get", other_arts[0].id, "--offline", "-o", str(elsewhere))
    assert missing.exit_code == EXIT_NOT_FOUND
    assert f"{other_arts[0].display_name} is not available offline" in missing.output
    assert "Traceback" not in missing.output
    assert list(elsewhere.iterdir()) == []

    # Without --offline the server is simply gone: the same clear answer, no traceback.
    unreachable = run_cli("get", other_arts[0].id, "-o", str(elsewhere))
    assert unreachable.exit_code == EXIT_NOT_FOUND, unreachable.output
    assert "is not available offline" in unreachable.output
    assert len(unreachable.output.strip().splitlines()) == 1


def test_get_refuses_to_overwrite_without_force(demo_server, run_cli, tmp_path):
    artifact = demo_server.dataset.artifacts[0]
    target = tmp_path / "out.bin"
    target.write_bytes(b"precious")
    refused = run_cli("get", artifact.id, "-o", str(target))
    assert refused.exit_code != 0
    assert "already exists" in refused.output and "--force" in refused.output
    assert target.read_bytes() == b"precious"
    forced = run_cli("get", artifact.id, "-o", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_bytes() == demo_server.true_bytes(artifact.id)


def test_cache_commands_report_pins_and_json(demo_server, run_cli):
    arts, _ = two_runs(demo_server)
    run_id = arts[0].workflow_run_id
    assert run_cli("cache", "pin", run_id).exit_code == 0
    listing = run_cli("cache", "ls", "--json")
    rows = [json.loads(line) for line in listing.output.splitlines()]
    assert {r["id"] for r in rows} == {a.id for a in arts}
    assert all(r["pinned"] and r["state"] == "verified" for r in rows)
    stats = json.loads(run_cli("cache", "stats", "--json").output)
    assert stats["pinnedRuns"] == 1 and stats["totalBytes"] == sum(a.size for a in arts)
    assert run_cli("cache", "purge").output.startswith("Removed 0")
    assert run_cli("cache", "unpin", run_id).exit_code == 0
    assert run_cli("cache", "purge").output.startswith(f"Removed {len({a.sha256 for a in arts})}")
    not_pinned = run_cli("cache", "unpin", run_id)
    assert not_pinned.exit_code != 0 and "is not pinned" in not_pinned.output


def test_no_api_key_or_signed_url_is_written_anywhere_under_the_home(
    demo_server, run_cli, app_home, tmp_path
):
    # Exercise every path that handles URLs: expiry mid-transfer, refreshes, a bad file.
    demo_server.config.url_ttl = 1
    demo_server.config.cut_on_expiry = True
    demo_server.config.throttle_bps = 2_000_000
    demo_server.config.drop_next_downloads = 2
    demo_server.config.corrupt_ids = {demo_server.dataset.artifacts[1].id}
    result = run_cli("-v", "sync", "--all")
    assert result.exit_code == 1  # the corrupt artifact is reported
    assert "do not match" in result.output
    run_cli("-v", "get", demo_server.dataset.artifacts[0].id, "-o", str(tmp_path))
    run_cli("-v", "cache", "verify")
    signature_bits = [
        demo_server.api_key.encode(),
        b"X-Amz-Signature",
        b"X-Amz-Credential",
        b"Signature=",
    ]
    scanned = 0
    for path in app_home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            scanned += 1
            for secret in signature_bits:
                assert secret not in data, f"{secret!r} found in {path.relative_to(app_home)}"
    assert scanned > 10
    assert any(p.suffix == ".log" for p in app_home.rglob("*"))
    assert "X-Amz" not in result.output and demo_server.api_key not in result.output
