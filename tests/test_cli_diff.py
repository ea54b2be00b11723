"""`diff A B`: files, artifact ids and run ids; the --json contract as written; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from artifact_viewer.cli import cli
from artifact_viewer.commands.common import RETRY_KEY
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.retry import RetryPolicy

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
TOP_KEYS = {"kind", "identical", "summary", "changes"}


def invoke(*args: str):
    try:
        return CliRunner().invoke(cli, list(args), obj={RETRY_KEY: RetryPolicy.no_retry()})
    finally:
        teardown_logging()


@pytest.fixture
def run_cli(demo_server, monkeypatch):
    monkeypatch.setenv("ANON_BASE_URL", demo_server.base_url)
    monkeypatch.setenv("ANON_API_KEY", demo_server.api_key)
    return invoke


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def as_json(result) -> dict:
    payload = json.loads(result.stdout)
    assert set(payload) == TOP_KEYS
    return payload


# -- local files ----------------------------------------------------------------------------


def test_tables_json_contract_and_exit_1_when_different(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id,name,pay\n1,Ann,10\n2,Bob,20\n3,Cy,30\n")
    b = write(tmp_path / "b.csv", "id,name,pay,dept\n1,Ann,10,HR\n2,Bob,25,IT\n4,Di,40,IT\n")
    result = invoke("diff", a, b, "--json")
    assert result.exit_code == 1, result.output
    payload = as_json(result)
    assert payload["kind"] == "table" and payload["identical"] is False
    summary = payload["summary"]
    assert {k: summary[k] for k in ("rowsAdded", "rowsRemoved", "rowsChanged", "cellsChanged")} == {
        "rowsAdded": 1,
        "rowsRemoved": 1,
        "rowsChanged": 1,
        "cellsChanged": 1,
    }
    assert summary["columnsAdded"] == 1 and summary["columnsRemoved"] == 0
    assert summary["columnNamesAdded"] == ["dept"] and summary["columnNamesRemoved"] == []
    assert summary["key"] == "id"
    assert payload["changes"] == [
        {"op": "change", "key": "2", "cells": {"pay": ["20", "25"]}},
        {
            "op": "remove",
            "key": "3",
            "cells": {"id": ["3", None], "name": ["Cy", None], "pay": ["30", None]},
        },
        {
            "op": "add",
            "key": "4",
            "cells": {
                "id": [None, "4"],
                "name": [None, "Di"],
                "pay": [None, "40"],
                "dept": [None, "IT"],
            },
        },
    ]


def test_table_without_a_key_names_rows_by_number_and_key_is_null(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "x,y\na,1\na,1\nb,2\n")
    b = write(tmp_path / "b.csv", "x,y\na,1\na,1\nb,3\n")
    payload = as_json(invoke("diff", a, b, "--json"))
    assert payload["summary"]["key"] is None
    assert [(c["op"], c["key"]) for c in payload["changes"]] == [("remove", 3), ("add", 3)]


def test_key_option_picks_the_column(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id,name,pay\n1,Ann,10\n2,Bob,20\n")
    b = write(tmp_path / "b.csv", "id,name,pay\n9,Ann,10\n8,Bob,20\n")
    payload = as_json(invoke("diff", a, b, "--key", "name", "--json"))
    assert payload["summary"]["key"] == "name"
    assert [c["cells"] for c in payload["changes"]] == [{"id": ["1", "9"]}, {"id": ["2", "8"]}]


def test_identical_files_exit_0(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id,v\n1,x\n")
    b = write(tmp_path / "b.csv", "id,v\n1,x\n")
    result = invoke("diff", a, b)
    assert result.exit_code == 0
    assert "identical" in result.stdout


def test_json_changes_have_op_path_and_only_the_present_sides(tmp_path) -> None:
    a = write(tmp_path / "a.json", json.dumps({"a": [{"b": 1}], "gone": 1}))
    b = write(tmp_path / "b.json", json.dumps({"a": [{"b": 2}], "new": [1]}))
    result = invoke("diff", a, b, "--json")
    assert result.exit_code == 1
    payload = as_json(result)
    assert payload["kind"] == "json"
    assert payload["changes"] == [
        {"op": "replace", "path": "$.a[0].b", "old": 1, "new": 2},
        {"op": "remove", "path": "$.gone", "old": 1},
        {"op": "add", "path": "$.new", "new": [1]},
    ]
    assert payload["summary"] == {"add": 1, "remove": 1, "replace": 1}


def test_json_values_are_printed_as_the_files_write_them(tmp_path) -> None:
    a = write(tmp_path / "a.json", '{"pay": 4495.90, "big": 1E22, "id": 12345678901234567890123}')
    b = write(tmp_path / "b.json", '{"pay": 4495.9, "big": 2E22, "id": 12345678901234567890124}')
    result = invoke("diff", a, b, "--json")
    assert result.exit_code == 1
    assert '"old":4495.90,"new":4495.9,"sameValue":true' in result.stdout
    assert '"old":1E22,"new":2E22}' in result.stdout
    assert '"old":12345678901234567890123,"new":12345678901234567890124}' in result.stdout
    assert as_json(result)["summary"] == {"add": 0, "remove": 0, "replace": 3, "sameValue": 1}
    text = invoke("diff", a, b)
    assert text.exit_code == 1
    assert "~ $.pay: 4495.90 -> 4495.9  (same value, written differently)" in text.stdout
    assert "~ $.big: 1E22 -> 2E22\n" in text.stdout


def test_json_repeated_keys_are_listed_by_occurrence_with_a_note(tmp_path) -> None:
    a = write(tmp_path / "a.json", '{"pay": 1, "pay": 2}')
    b = write(tmp_path / "b.json", '{"pay": 2}')
    result = invoke("diff", a, b)
    assert result.exit_code == 1
    assert "~ $.pay (occurrence 1): 1 -> 2" in result.stdout
    assert "- $.pay (occurrence 2): 2" in result.stdout
    assert 'Note: A repeats keys at $: "pay"' in result.stderr
    payload = as_json(invoke("diff", a, b, "--json"))
    assert payload["changes"][1] == {"op": "remove", "path": "$.pay", "old": 2, "occurrence": 2}


def test_text_summary_has_line_counts_and_hunks_with_both_line_numbers(tmp_path) -> None:
    a = write(tmp_path / "a.log", "start 10:00:01\nstep one\nend\n")
    b = write(tmp_path / "b.log", "start 11:30:07\nstep two\nend\n")
    payload = as_json(invoke("diff", a, b, "--json"))
    assert payload["kind"] == "text"
    assert payload["summary"]["linesAdded"] == 2 and payload["summary"]["linesRemoved"] == 2
    assert payload["summary"]["hunks"] == [{"aStart": 1, "aLines": 3, "bStart": 1, "bLines": 3}]
    masked = invoke("diff", a, b, "--mask-volatile", "--json")
    assert masked.exit_code == 1
    assert as_json(masked)["summary"]["linesAdded"] == 1


def test_text_output_is_a_unified_diff(tmp_path) -> None:
    a = write(tmp_path / "a.txt", "one\ntwo\n")
    b = write(tmp_path / "b.txt", "one\n2\n")
    result = invoke("diff", a, b)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1:] == [
        "--- a.txt",
        "+++ b.txt",
        "@@ -1,2 +1,2 @@",
        " one",
        "-two",
        "+2",
    ]


def test_image_summary(tmp_path) -> None:
    pixels = np.zeros((20, 30, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "a.png")
    pixels[2:4, 5:9] = 255
    Image.fromarray(pixels).save(tmp_path / "b.png")
    payload = as_json(invoke("diff", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "--json"))
    assert payload["kind"] == "image"
    assert payload["summary"] == {
        "pixelsChanged": 8,
        "fraction": round(8 / 600, 6),
        "sizeA": [30, 20],
        "sizeB": [30, 20],
        "boxes": [[5, 2, 4, 2]],
    }


def test_different_kinds_compare_as_binary_with_a_note(tmp_path) -> None:
    a = write(tmp_path / "a.json", '{"a": 1}')
    b = write(tmp_path / "b.csv", "a,b\n1,2\n")
    result = invoke("diff", a, b)
    assert result.exit_code == 1
    assert (
        "Note: The files are of different kinds (A: json, B: table): compared as binary."
        in result.stderr
    )
    assert as_json(invoke("diff", a, b, "--json"))["kind"] == "binary"


def test_too_big_for_memory_is_said_before_starting(tmp_path, monkeypatch) -> None:
    import artifact_viewer.core.compare.limits as limits

    monkeypatch.setattr(limits, "available_memory", lambda: 1000)
    a = write(tmp_path / "a.csv", "id,v\n" + "1,x\n" * 100)
    result = invoke("diff", a, a)
    assert result.exit_code == 2
    assert "too big to compare as table in memory" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_key_column_is_a_usage_error(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id,v\n1,x\n")
    result = invoke("diff", a, a, "--key", "nope")
    assert result.exit_code == 2
    assert "Key column 'nope' is not in A and B" in result.stderr


def test_missing_file_is_not_found_naming_the_side(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id\n1\n")
    result = invoke("diff", a, str(tmp_path / "missing.csv"))
    assert result.exit_code == 5
    assert result.stderr.strip() == f"Error: B: no such file: {tmp_path / 'missing.csv'}"


def test_unreadable_table_is_trouble_not_different(tmp_path) -> None:
    a = write(tmp_path / "a.csv", "id,v\n1,x\n")
    b = write(tmp_path / "b.csv", "id,v\n1,x,extra,cells\n")
    result = invoke("diff", a, b)
    assert result.exit_code == 2
    assert "b.csv cannot be read as a table" in result.stderr


# -- artifacts and runs on the stand-in server ----------------------------------------------


def completed_runs(server, name: str) -> list[str]:
    """Ids of runs (newest first) that produced an artifact called ``name``."""
    return [
        run_id
        for run_id, arts in server.dataset.artifacts_by_run.items()
        if any(a.display_name == name for a in arts)
    ]


def artifact_named(server, run_id: str, name: str):
    return next(a for a in server.dataset.artifacts_by_run[run_id] if a.display_name == name)


def test_two_artifact_ids_are_fetched_through_the_cache_and_compared(demo_server, run_cli) -> None:
    new, old = completed_runs(demo_server, "payroll_register.csv")[:2]
    a = artifact_named(demo_server, old, "payroll_register.csv")
    b = artifact_named(demo_server, new, "payroll_register.csv")
    result = run_cli("diff", a.id, b.id, "--json")
    assert result.exit_code == 1, result.output
    payload = as_json(result)
    assert payload["kind"] == "table" and payload["identical"] is False
    # Fetched once each; comparing again works offline from the cache.
    again = run_cli("diff", a.id, b.id, "--json", "--offline")
    assert again.exit_code == 1 and json.loads(again.stdout) == payload


def test_an_artifact_against_itself_is_identical(demo_server, run_cli) -> None:
    artifact = demo_server.dataset.artifacts[0]
    result = run_cli("diff", artifact.id, artifact.id)
    assert result.exit_code == 0, result.output


def test_an_artifact_against_a_local_file(demo_server, run_cli, tmp_path) -> None:
    run_id = completed_runs(demo_server, "accounts.json")[0]
    artifact = artifact_named(demo_server, run_id, "accounts.json")
    local = tmp_path / "accounts.json"
    local.write_bytes(artifact.make())
    assert run_cli("diff", str(local), artifact.id).exit_code == 0
    local.write_text('{"note": 1}')
    result = run_cli("diff", str(local), artifact.id, "--json")
    assert result.exit_code == 1
    payload = as_json(result)
    assert payload["kind"] == "json" and sum(payload["summary"].values()) >= 1


def test_two_runs_pair_their_artifacts(demo_server, run_cli) -> None:
    new, old = completed_runs(demo_server, "payroll_register.csv")[:2]
    result = run_cli("diff", old, new, "--json")
    assert result.exit_code == 1, result.output
    payload = as_json(result)
    assert payload["kind"] == "run" and payload["identical"] is False
    names = {demo_server.dataset.artifact(p["b"]).display_name: p for p in payload["changes"]}
    assert set(names) == {a.display_name for a in demo_server.dataset.artifacts_by_run[new]}
    for pair in payload["changes"]:
        assert set(pair) == {"a", "b", "name", "status", "summary"}
        assert pair["status"] in ("identical", "changed")
        assert demo_server.dataset.artifact(pair["a"]).workflow_run_id == old
    table = names["payroll_register.csv"]
    assert table["status"] == "changed" and table["summary"]["kind"] == "table"
    assert table["summary"]["text"]


def test_a_run_against_itself_is_identical_and_readable(demo_server, run_cli) -> None:
    run_id = completed_runs(demo_server, "payroll_register.csv")[0]
    result = run_cli("diff", run_id, run_id)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith("3 identical, 0 changed, 0 only in A, 0 only in B")
    assert lines[1].split() == ["STATUS", "NAME", "SUMMARY"]


def test_runs_with_different_artifacts_list_only_a_and_only_b(demo_server, run_cli) -> None:
    failed = next(
        r["id"]
        for r in demo_server.dataset.workflow_runs
        if r["status"] == "FAILED"
        and len(demo_server.dataset.artifacts_by_run.get(r["id"], [])) == 2
        and any(
            a.display_name == "opening_labor_reports.png"
            for a in demo_server.dataset.artifacts_by_run[r["id"]]
        )
    )
    completed = completed_runs(demo_server, "tips_by_employee.csv")[0]
    payload = as_json(run_cli("diff", failed, completed, "--json"))
    statuses = sorted(p["status"] for p in payload["changes"])
    assert statuses.count("onlyB") >= 1
    only_b = next(p for p in payload["changes"] if p["status"] == "onlyB")
    assert only_b["a"] is None and only_b["b"] is not None


def test_a_run_against_a_file_is_a_usage_error(demo_server, run_cli, tmp_path) -> None:
    run_id = completed_runs(demo_server, "payroll_register.csv")[0]
    result = run_cli("diff", run_id, write(tmp_path / "a.txt", "x"))
    assert result.exit_code == 2
    assert "A run can only be compared with another run" in result.output


def test_unknown_id_is_not_found(demo_server, run_cli, tmp_path) -> None:
    a = write(tmp_path / "a.txt", "x")
    result = run_cli("diff", a, UNKNOWN_ID)
    assert result.exit_code == 5
    assert result.stderr.startswith(
        f"Error: B: {UNKNOWN_ID} is not a file, an artifact id or a run id"
    )


def test_offline_says_which_side_is_not_cached(demo_server, run_cli, tmp_path) -> None:
    new, old = completed_runs(demo_server, "payroll_register.csv")[:2]
    a = artifact_named(demo_server, old, "payroll_register.csv")
    b = artifact_named(demo_server, new, "payroll_register.csv")
    assert run_cli("sync").exit_code == 0  # the catalog knows both; nothing downloaded
    assert run_cli("get", a.id, "-o", str(tmp_path)).exit_code == 0  # A is cached, B is not
    storage_before = demo_server.config.count(kind="storage")
    result = run_cli("diff", a.id, b.id, "--offline")
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith("Error: B (payroll_register.csv): ")
    assert "not available offline" in result.stderr
    assert demo_server.config.count(kind="storage") == storage_before


def test_offline_unknown_id_is_not_available_offline(run_cli, tmp_path) -> None:
    a = write(tmp_path / "a.txt", "x")
    result = run_cli("diff", UNKNOWN_ID, a, "--offline")
    assert result.exit_code == 5
    assert "A: " in result.stderr and "local catalog" in result.stderr


def test_help_names_the_exit_codes() -> None:
    result = invoke("diff", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "0 identical, 1 different, 2 usage error" in text


def test_artifacts_too_big_for_memory_are_refused_before_downloading(
    demo_server, run_cli, monkeypatch
) -> None:
    import artifact_viewer.core.compare.limits as limits

    new, old = completed_runs(demo_server, "payroll_register.csv")[:2]
    a = artifact_named(demo_server, old, "payroll_register.csv")
    b = artifact_named(demo_server, new, "payroll_register.csv")
    assert run_cli("sync").exit_code == 0  # the catalog knows names, types and sizes
    monkeypatch.setattr(limits, "available_memory", lambda: 1000)
    result = run_cli("diff", a.id, b.id)
    assert result.exit_code == 2
    assert "too big to compare as table in memory" in result.stderr
    assert demo_server.config.count(kind="storage") == 0
