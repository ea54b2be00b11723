"""`sync`, `get` and `cache ...` against the stand-in server: messages, exit codes, JSON, help."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from artifact_viewer.cli import EXIT_NOT_FOUND, cli
from artifact_viewer.commands.common import RETRY_KEY
from artifact_viewer.core.library import Library
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.retry import RetryPolicy

UNKNOWN_RUN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def run_cli(demo_server, monkeypatch):
    monkeypatch.setenv("ANON_BASE_URL", demo_server.base_url)
    monkeypatch.setenv("ANON_API_KEY", demo_server.api_key)

    def invoke(*args: str):
        try:
            return CliRunner().invoke(cli, list(args), obj={RETRY_KEY: RetryPolicy.no_retry()})
        finally:
            teardown_logging()

    return invoke


def first_run(server):
    run_id, arts = next((r, a) for r, a in server.dataset.artifacts_by_run.items() if len(a) > 1)
    return run_id, arts


def storage_requests(server) -> int:
    return server.config.count(kind="storage")


def test_help_lists_every_command_in_full_with_environment_and_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1].split("Environment:")[0]
    for name in ("cache", "demo-server", "get", "ls", "sync"):
        line = next(line for line in commands.splitlines() if line.strip().startswith(name))
        assert not line.rstrip().endswith("..."), line
    assert "ANON_API_KEY" in result.output and "ARTIFACT_VIEWER_HOME" in result.output
    assert "4 network" in result.output
    cache_help = CliRunner().invoke(cli, ["cache", "--help"]).output
    assert "..." not in cache_help.split("Commands:")[1]


def test_plain_sync_says_it_refreshed_the_catalog(demo_server, run_cli) -> None:
    result = run_cli("sync")
    assert result.exit_code == 0, result.output
    counts = demo_server.dataset.summary()
    assert result.stdout.strip() == (
        f"Catalog refreshed: {counts['workflows']} workflow(s),"
        f" {counts['workflow_runs']} run(s), {counts['artifacts']} artifact(s)."
    )
    assert storage_requests(demo_server) == 0


def test_sync_json_report_is_one_object(demo_server, run_cli) -> None:
    run_id, arts = first_run(demo_server)
    report = json.loads(run_cli("sync", "--run", run_id, "--json").stdout)
    assert report["downloaded"] + report["alreadyCached"] == len(arts) == report["artifacts"]
    assert report["failed"] == {} and report["runs"] == 1


@pytest.mark.parametrize("since", ["2020-01-31", "2020-01-31T12:00:00Z", "2020-01-31 12:00"])
def test_since_accepts_dates_and_times(demo_server, run_cli, since) -> None:
    run_id, arts = first_run(demo_server)
    result = run_cli("sync", "--run", run_id, "--since", since, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["artifacts"] == len(arts)


def test_since_in_the_future_downloads_nothing(demo_server, run_cli) -> None:
    run_id, _ = first_run(demo_server)
    result = run_cli("sync", "--run", run_id, "--since", "2999-01-01", "--json")
    assert json.loads(result.stdout)["artifacts"] == 0
    assert storage_requests(demo_server) == 0


@pytest.mark.parametrize("since", ["yesterday", "2025-13-01", "31/01/2025"])
def test_unreadable_since_is_a_usage_error_naming_the_value(demo_server, run_cli, since) -> None:
    result = run_cli("sync", "--all", "--since", since)
    assert result.exit_code == 2
    assert f"{since!r} is not a date" in result.output
    assert "Traceback" not in result.output
    assert demo_server.config.count() == 0


def test_get_into_a_missing_folder_fails_before_downloading(demo_server, run_cli, tmp_path):
    artifact = demo_server.dataset.artifacts[0]
    run_cli("sync")  # the catalog knows its name
    result = run_cli("get", artifact.id, "-o", str(tmp_path / "missing" / "x.bin"))
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: The folder")
    assert "does not exist" in result.stderr
    assert storage_requests(demo_server) == 0


def test_get_reports_a_file_it_could_not_verify(demo_server, run_cli, tmp_path):
    demo_server.config.hash_style = "unknown"
    artifact = demo_server.dataset.artifacts[0]
    result = run_cli("get", artifact.id, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "not verifiable" in result.stdout


def test_pinning_an_unknown_run_fails_and_pins_nothing(run_cli) -> None:
    result = run_cli("cache", "pin", UNKNOWN_RUN)
    assert result.exit_code == EXIT_NOT_FOUND
    assert "was not found" in result.stderr
    stats = json.loads(run_cli("cache", "stats", "--json").stdout)
    assert stats["pinnedRuns"] == 0


def test_cache_ls_pages_in_sql_and_filters_by_run_state_and_limit(
    demo_server, run_cli, monkeypatch
):
    run_id, arts = first_run(demo_server)
    assert run_cli("cache", "pin", run_id).exit_code == 0

    def no_catalog_scan(*args, **kwargs):
        raise AssertionError("cache ls must not load catalog rows")

    monkeypatch.setattr(Library, "artifacts", no_catalog_scan)
    monkeypatch.setattr("artifact_viewer.commands.cache.LISTING_PAGE", 1)  # several pages
    rows = [json.loads(line) for line in run_cli("cache", "ls", "--json").stdout.splitlines()]
    assert {r["id"] for r in rows} == {a.id for a in arts}
    assert all(r["pinned"] and r["runId"] == run_id for r in rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", r["lastOpenedAt"]) for r in rows)
    limited = run_cli("cache", "ls", "--json", "--limit", "1").stdout.splitlines()
    assert [json.loads(line) for line in limited] == rows[:1]
    assert run_cli("cache", "ls", "--run", UNKNOWN_RUN).stderr.strip() == "Nothing cached."
    assert run_cli("cache", "ls", "--state", "mismatch", "--json").stdout == ""
    table = run_cli("cache", "ls").stdout.splitlines()
    assert table[0].split() == ["ID", "NAME", "STATE", "SIZE", "PIN", "OPENED"]
    assert len(table) == 1 + len(arts)


def test_cache_stats_json_is_camel_case_like_every_other_json(demo_server, run_cli):
    run_id, arts = first_run(demo_server)
    run_cli("sync", "--run", run_id)
    stats = json.loads(run_cli("cache", "stats", "--json").stdout)
    assert stats["artifactCount"] == len(arts)
    assert stats["catalogArtifacts"] == len(arts)
    assert all("_" not in key for key in stats)


def test_every_command_leaves_a_private_log_under_the_home(run_cli, app_home):
    assert run_cli("cache", "stats").exit_code == 0
    logs = list((app_home / "logs").glob("artifact-viewer.log*"))
    assert logs and all(p.stat().st_mode & 0o777 == 0o600 for p in logs)


def test_artifact_search_gives_the_same_rows_online_and_offline(demo_server, run_cli):
    assert run_cli("sync").exit_code == 0
    args = ["ls", "artifacts", "--name", "RUN", "--type", "log_file", "--since", "2000-01-01"]
    online = run_cli(*args, "--json")
    offline = run_cli(*args, "--json", "--offline")
    assert online.exit_code == offline.exit_code == 0, online.output + offline.output
    ids = {json.loads(line)["id"] for line in online.stdout.splitlines()}
    assert ids == {json.loads(line)["id"] for line in offline.stdout.splitlines()}
    expected = {
        a.id
        for a in demo_server.dataset.artifacts
        if "run" in a.display_name.lower() and a.type == "log_file"
    }
    assert ids == expected and ids
    mime = run_cli("ls", "artifacts", "--mime", "application/pdf", "--offline", "--json")
    rows = [json.loads(line) for line in mime.stdout.splitlines()]
    assert rows and all(r["mimeType"] == "application/pdf" for r in rows)
    assert run_cli("ls", "artifacts", "--until", "2000-01-01", "--offline").stderr.strip() == (
        "No artifacts found."
    )


def test_artifact_search_options_on_other_kinds_are_a_usage_error(run_cli):
    result = run_cli("ls", "runs", "--name", "x")
    assert result.exit_code == 2 and "apply to artifacts" in result.output


@pytest.mark.parametrize(("kind", "flag"), [("runs", "--run"), ("workflows", "--workflow")])
def test_offline_lookup_of_an_unknown_id_is_not_found_like_online(run_cli, kind, flag):
    assert run_cli("sync").exit_code == 0
    offline = run_cli("ls", kind, flag, UNKNOWN_RUN, "--offline")
    online = run_cli("ls", kind, flag, UNKNOWN_RUN)
    assert offline.exit_code == online.exit_code == EXIT_NOT_FOUND
    assert "not in the local catalog" in offline.stderr


@pytest.mark.parametrize(
    ("text", "size"),
    [("1000", 1000), ("500MB", 500_000_000), ("500M", 500 * 1024**2), ("2GiB", 2 * 1024**3)],
)
def test_sizes_read_decimal_with_b_and_binary_without(text, size) -> None:
    from artifact_viewer.commands.cache import parse_size

    assert parse_size(text) == size


def test_cache_quota_shows_sets_and_evicts_down_to_it(demo_server, run_cli, app_home):
    run_id, arts = first_run(demo_server)
    assert run_cli("cache", "pin", run_id).exit_code == 0
    assert run_cli("sync", "--all").exit_code == 0
    before = json.loads(run_cli("cache", "stats", "--json").stdout)
    assert run_cli("cache", "quota").stdout.startswith("Cache quota: 5.0 GiB (")
    result = run_cli("cache", "quota", "1MiB")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Cache quota set to 1.0 MiB;")
    after = json.loads(run_cli("cache", "stats", "--json").stdout)
    assert after["quotaBytes"] == 1024**2
    assert after["totalBytes"] <= max(1024**2, after["pinnedBytes"]) < before["totalBytes"]
    assert after["pinnedBytes"] == before["pinnedBytes"]  # the pinned run stayed
    saved = json.loads((app_home / "config" / "settings.json").read_text())
    assert saved["cache_quota_bytes"] == 1024**2


@pytest.mark.parametrize("size", ["lots", "1ib", "10KiB"])
def test_unreadable_or_tiny_quota_is_a_usage_error(run_cli, size) -> None:
    result = run_cli("cache", "quota", size)
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_get_into_a_fifo_writes_through_it_and_leaves_it_a_fifo(demo_server, run_cli, tmp_path):
    """`-o /dev/null` and the like: a special file is written into, never replaced."""
    import hashlib
    import os
    import stat
    import threading

    artifact = demo_server.dataset.artifacts[0]
    expected = demo_server.true_bytes(artifact.id)
    assert expected
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = hashlib.sha256()

    def drain() -> None:
        with open(fifo, "rb") as reader:
            while chunk := reader.read(65536):
                received.update(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    result = run_cli("get", artifact.id, "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert received.hexdigest() == hashlib.sha256(expected).hexdigest()
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temp file left beside it
