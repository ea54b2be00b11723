"""`export`, `import` and `note` end to end: hand a run to a home with no key and no server."""

from __future__ import annotations

import json
import zipfile

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

    def invoke(*args: str, input: str | None = None):
        try:
            return CliRunner().invoke(
                cli, list(args), obj={RETRY_KEY: RetryPolicy.no_retry()}, input=input
            )
        finally:
            teardown_logging()

    return invoke


def small_run(server):
    """A run with a few artifacts (the demo data set also has very large ones)."""
    by_run = server.dataset.artifacts_by_run
    return next(
        (run_id, arts)
        for run_id, arts in by_run.items()
        if len(arts) > 1 and sum(a.size for a in arts) < 5_000_000
    )


def test_a_run_exported_online_imports_on_a_home_with_no_key_and_no_server(
    demo_server, run_cli, tmp_path, monkeypatch
) -> None:
    run_id, arts = small_run(demo_server)
    assert run_cli("sync").exit_code == 0
    note = run_cli("note", run_id, "Payroll totals off by 2 cents.\nAsked finance.")
    assert note.exit_code == 0 and "saved (2 line(s))" in note.output
    bundle = tmp_path / "hand-off.zip"
    exported = run_cli("export", run_id, "-o", str(bundle))  # fetches and verifies first
    assert exported.exit_code == 0, exported.output
    assert f"{len(arts)} file(s)" in exported.output and "1 note(s)" in exported.output
    assert demo_server.api_key.encode() not in bundle.read_bytes()
    demo_server.stop()

    monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(tmp_path / "auditor"))
    monkeypatch.delenv("ANON_API_KEY")
    monkeypatch.setenv("ANON_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    imported = run_cli("import", str(bundle))
    assert imported.exit_code == 0, imported.output
    assert "1 new run(s)" in imported.output

    runs = run_cli("ls", "runs", "--offline")
    assert runs.exit_code == 0 and run_id in runs.output
    listed = run_cli("ls", "artifacts", "--offline", "--run", run_id, "--json")
    assert {json.loads(line)["id"] for line in listed.output.splitlines()} == {a.id for a in arts}
    for artifact in arts:
        out = tmp_path / "out" / artifact.id
        out.mkdir(parents=True)
        got = run_cli("get", artifact.id, "--offline", "-o", str(out))
        assert got.exit_code == 0, got.output
        (saved,) = out.iterdir()
        assert saved.read_bytes() == demo_server.true_bytes(artifact.id)
    verify = run_cli("cache", "verify")
    assert verify.exit_code == 0 and "0 failed, 0 missing" in verify.output
    read = run_cli("note", run_id)
    assert read.stdout == "Payroll totals off by 2 cents.\nAsked finance.\n"
    again = run_cli("import", str(bundle))
    assert again.exit_code == 0 and "Nothing new" in again.output


def test_export_without_notes_and_to_an_existing_file(demo_server, run_cli, tmp_path) -> None:
    run_id, _arts = small_run(demo_server)
    run_cli("sync")
    run_cli("note", run_id, "internal only")
    bundle = tmp_path / "b.zip"
    assert run_cli("export", run_id, "-o", str(bundle), "--no-notes").exit_code == 0
    with zipfile.ZipFile(bundle) as archive:
        assert json.loads(archive.read("manifest.json"))["notes"] == []
    again = run_cli("export", run_id, "-o", str(bundle))
    assert again.exit_code == 1 and "already exists" in again.output


def test_export_lists_each_file_it_could_not_get(demo_server, run_cli, tmp_path) -> None:
    run_id, arts = small_run(demo_server)
    run_cli("sync")
    demo_server.stop()
    result = run_cli("export", run_id, "-o", str(tmp_path / "x.zip"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"Error: Not exported: {len(arts)} of {len(arts)} file(s)")
    assert {line.split(":")[0].strip() for line in lines[1:]} == {a.id for a in arts}
    assert not (tmp_path / "x.zip").exists()


def test_import_of_a_damaged_bundle_is_one_line_and_exit_1(run_cli, tmp_path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    result = run_cli("import", str(junk))
    assert result.exit_code == 1
    assert result.stderr == "Error: Not imported: junk.zip is not a zip file, or it is truncated.\n"


def test_export_of_an_unknown_run_is_not_found(demo_server, run_cli, tmp_path) -> None:
    result = run_cli("export", "00000000-0000-4000-8000-000000000000", "-o", str(tmp_path / "x"))
    assert result.exit_code == EXIT_NOT_FOUND, result.output


def test_note_reads_sets_from_stdin_and_clears(demo_server, run_cli) -> None:
    run_id, arts = small_run(demo_server)
    run_cli("sync")
    assert run_cli("note", arts[0].id, "-", input="line one\nline two\n").exit_code == 0
    read = run_cli("note", arts[0].id)
    assert read.stdout == "line one\nline two\n" and "note on artifact" in read.stderr
    found = run_cli("ls", "artifacts", "--offline", "--name", "line two", "--json")
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [arts[0].id]
    cleared = run_cli("note", arts[0].id, "")
    assert cleared.exit_code == 0 and "cleared" in cleared.output
    empty = run_cli("note", arts[0].id)
    assert empty.exit_code == 0 and empty.stdout == "" and "No note on artifact" in empty.stderr


def test_note_on_an_unknown_id_exits_5(run_cli) -> None:
    result = run_cli("note", "nope", "text")
    assert result.exit_code == EXIT_NOT_FOUND
    assert "No run or artifact nope" in result.stderr
