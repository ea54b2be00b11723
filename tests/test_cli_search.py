"""`search` against the stand-in server's data synced into a temp home: the contract as
written (JSON line fields, location shapes, exit codes 0/1/2), offline, pending indexed first;
`cache reindex` and the index lines of `cache stats`."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from artifact_viewer.cli import cli
from artifact_viewer.commands.common import RETRY_KEY
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.retry import RetryPolicy
from artifact_viewer.previews.json.paths import json_path
from artifact_viewer.previews.json.paths import search as preview_json_search

FIELDS = {"artifactId", "runId", "workflowId", "displayName", "snippet", "location"}


def _invoke(*args: str):
    try:
        return CliRunner().invoke(cli, list(args), obj={RETRY_KEY: RetryPolicy.no_retry()})
    finally:
        teardown_logging()


@pytest.fixture
def run_cli():
    return _invoke


def _run_with(server, *mimes: str):
    for run_id, arts in server.dataset.artifacts_by_run.items():
        have = {a.mime_type for a in arts}
        if all(m in have for m in mimes):
            return run_id, {a.mime_type: a for a in arts}
    raise AssertionError(f"no demo run has {mimes}")


@pytest.fixture(scope="module")
def snapshots(shared_demo_server, tmp_path_factory):
    """Two runs synced (CSV + JSON + log + screenshot; a PDF) into a home, copied before and
    after indexing: indexing (OCR above all) takes seconds, so it is done once."""
    table_run, table_arts = _run_with(shared_demo_server, "text/csv", "application/json")
    pdf_run, pdf_arts = _run_with(shared_demo_server, "application/pdf")
    home = tmp_path_factory.mktemp("search-home")
    synced_copy = tmp_path_factory.mktemp("synced") / "home"
    indexed_copy = tmp_path_factory.mktemp("indexed") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARTIFACT_VIEWER_HOME", str(home))
        mp.setenv("ANON_BASE_URL", shared_demo_server.base_url)
        mp.setenv("ANON_API_KEY", shared_demo_server.api_key)
        for run_id in (table_run, pdf_run):
            result = _invoke("sync", "--run", run_id)
            assert result.exit_code == 0, result.output
        shutil.copytree(home, synced_copy)
        result = _invoke("cache", "reindex")
        assert result.exit_code == 0, result.output
        shutil.copytree(home, indexed_copy)
    arts = {"table_run": table_run, "pdf_run": pdf_run, **table_arts, **pdf_arts}
    return synced_copy, indexed_copy, arts


def _use(snapshot, app_home, monkeypatch):
    shutil.rmtree(app_home)
    shutil.copytree(snapshot, app_home)
    monkeypatch.setenv("ANON_BASE_URL", "http://127.0.0.1:9")  # nothing listens: offline
    monkeypatch.delenv("ANON_API_KEY", raising=False)


@pytest.fixture
def synced(snapshots, app_home, monkeypatch):
    """The two runs cached, nothing indexed yet, the API unreachable."""
    _use(snapshots[0], app_home, monkeypatch)
    return snapshots[2]


@pytest.fixture
def indexed(snapshots, app_home, monkeypatch):
    """The two runs cached and indexed, the API unreachable."""
    _use(snapshots[1], app_home, monkeypatch)
    return snapshots[2]


def hits_of(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_lines_carry_the_contract_fields_and_each_kind_its_location(indexed, run_cli):
    csv_art, json_art, log_art = (
        indexed["text/csv"],
        indexed["application/json"],
        indexed["text/plain"],
    )
    rows = list(csv.reader(io.StringIO(csv_art.data().decode())))
    header, data = rows[0], rows[1:]
    needle = data[41][0]  # an employee id from the register
    result = run_cli("search", needle, "--json", "--limit", "500")
    assert result.exit_code == 0, result.output
    hits = hits_of(result)
    assert hits and all(set(h) == FIELDS for h in hits)
    assert all(
        needle.lower() in h["snippet"].replace("«", "").replace("»", "").lower() for h in hits
    )
    assert all("«" in h["snippet"] and "»" in h["snippet"] for h in hits)
    table_hits = [h["location"] for h in hits if h["artifactId"] == csv_art.id]
    expected = [
        {"row": n, "column": header[next(i for i, c in enumerate(r) if needle in c)]}
        for n, r in enumerate(data, start=1)
        if any(needle in c for c in r)
    ]
    assert table_hits == expected
    for h in hits:
        if h["artifactId"] == csv_art.id:
            assert h["runId"] == indexed["table_run"] and h["workflowId"] == csv_art.workflow_id
            assert h["displayName"] == csv_art.display_name
    json_hits = [h["location"] for h in hits if h["artifactId"] == json_art.id]
    root = json.loads(json_art.data())
    assert json_hits == [
        {"path": json_path(p)} for p in preview_json_search(root, needle, CancelToken())
    ]
    log_lines = log_art.data().decode().splitlines()
    assert [h["location"] for h in hits if h["artifactId"] == log_art.id] == [
        {"line": n} for n, line in enumerate(log_lines, start=1) if needle.lower() in line.lower()
    ]


def test_pdf_hits_give_the_page(indexed, run_cli):
    import pypdfium2 as pdfium

    pdf = indexed["application/pdf"]
    doc = pdfium.PdfDocument(pdf.data())
    pages = [doc[i].get_textpage().get_text_bounded() for i in range(len(doc))]
    word = next(w for w in pages[-1].split() if len(w) >= 5 and w.isalpha())
    result = run_cli("search", word, "--run", indexed["pdf_run"], "--json", "--limit", "500")
    assert result.exit_code == 0, result.output
    got = [h["location"] for h in hits_of(result) if h["artifactId"] == pdf.id]
    assert got == [{"page": n} for n, text in enumerate(pages, 1) if word.lower() in text.lower()]


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_screenshot_hits_give_a_word_box_on_page_one(indexed, run_cli):
    png = indexed["image/png"]
    result = run_cli("search", "Robotics", "--type", png.type, "--json")
    assert result.exit_code == 0, result.output
    shots = [h for h in hits_of(result) if h["artifactId"] == png.id]
    assert shots, result.output
    location = shots[0]["location"]
    assert location["page"] == 1 and len(location["box"]) == 4
    x, y, w, h = location["box"]
    assert 0 <= x < 1280 and 0 <= y < 800 and w > 0 and h > 0


def test_no_hits_exits_1_and_usage_errors_exit_2(indexed, run_cli):
    nothing = run_cli("search", "zzqxqzzqxq", "--json")
    assert nothing.exit_code == 1 and nothing.stdout == ""
    for args in ([], ["E0"], ["abc", "--limit", "0"], ["abc", "--limit", "x"]):
        result = run_cli("search", *args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "query", ['E0004"', "NEAR(E00042)", "E0004*", "employee_id:E0004", "( AND OR NOT", "^E0"]
)
def test_fts_syntax_in_a_query_never_errors(indexed, run_cli, query):
    result = run_cli("search", query, "--json")
    assert result.exit_code in (0, 1), result.output
    assert "Error" not in result.output


def test_filters_limit_and_excludes_narrow_the_hits(indexed, run_cli):
    csv_art = indexed["text/csv"]
    word = next(iter(csv.DictReader(io.StringIO(csv_art.data().decode()))))["department"]
    everything = hits_of(run_cli("search", word, "--json", "--limit", "1000"))
    assert len({h["artifactId"] for h in everything}) >= 2
    only_csv = hits_of(run_cli("search", word, "--json", "--type", csv_art.type, "--limit", "1000"))
    assert {h["artifactId"] for h in only_csv} <= {
        a.id for k, a in indexed.items() if not isinstance(a, str) and a.type == csv_art.type
    }
    assert len(hits_of(run_cli("search", word, "--json", "--limit", "3"))) == 3
    for run_id in (indexed["table_run"], indexed["pdf_run"]):
        in_run = hits_of(run_cli("search", word, "--json", "--run", run_id, "--limit", "1000"))
        assert all(h["runId"] == run_id for h in in_run)
        assert len(in_run) == sum(h["runId"] == run_id for h in everything)
    assert everything[0]["snippet"].split("«")[1].split("»")[0].lower() == word.lower()
    excluded = hits_of(run_cli("search", "--json", "--limit", "1000", "--", f"{word} -E00"))
    assert excluded and all("e00" not in h["snippet"].lower() for h in excluded)
    assert len(excluded) < len(everything)


def test_files_waiting_are_indexed_first_with_progress_on_stderr(synced, run_cli):
    first = run_cli("search", "E0004", "--json", "--limit", "1")
    assert first.exit_code == 0
    assert "Indexing" in first.stderr and "cached file(s)" in first.stderr
    again = run_cli("search", "E0004", "--json", "--limit", "1")
    assert "Indexing" not in again.stderr and again.stdout == first.stdout


def test_plain_output_groups_hits_under_their_run(indexed, run_cli):
    result = run_cli("search", "E0004", "--limit", "5")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Run ") and all(
        line.startswith("  ") for line in lines[1:] if not line.startswith("Run ")
    )


def test_cache_stats_reports_the_index_and_reindex_rebuilds_it(synced, run_cli):
    before = json.loads(run_cli("cache", "stats", "--json").stdout)
    assert before["searchPending"] > 0 and before["searchIndexedFiles"] == 0
    result = run_cli("cache", "reindex")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Indexed {before['searchPending']} file(s)")
    after = json.loads(run_cli("cache", "stats", "--json").stdout)
    assert after["searchPending"] == 0
    assert after["searchIndexedFiles"] == before["searchPending"]
    assert after["searchIndexBytes"] > 0 and after["searchIndexedTextChars"] > 0
    text = run_cli("cache", "stats").stdout
    assert "Search index:" in text and "0 waiting to be indexed" in text
