"""`artifact-viewer ls`: tables, JSON lines, filters, and one-line errors with exit codes."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from artifact_viewer import cli as cli_module
from artifact_viewer.commands import common, ls
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.retry import RetryPolicy

KEY = "anon_cli_test_key_31337"
SIGNED = "https://bucket.s3.amazonaws.com/x.pdf?X-Amz-Expires=900&X-Amz-Signature=abcdef0123"

RUNS = [
    {
        "id": "11111111-1111-4111-8111-111111111111",
        "workflowId": "wf-1",
        "status": "COMPLETED",
        "createdAt": "2024-05-01T10:00:00Z",
        "completedAt": "2024-05-01T10:02:05.4Z",
        "currentStateName": "extracting_employee_records",
    },
    {
        "id": "22222222-2222-4222-8222-222222222222",
        "workflowId": "wf-1",
        "status": "IN_PROGRESS",
        "createdAt": "2024-05-01T11:00:00Z",
        "completedAt": None,
        "currentStateName": "logging_in",
        "surpriseField": [1, 2],
    },
]
ARTIFACTS = [
    {
        "id": "a-1",
        "workflowId": "wf-1",
        "workflowRunId": RUNS[0]["id"],
        "type": "extracted_data",
        "displayName": "employees.json",
        "mimeType": "application/json",
        "fileSize": 1536,
        "fileHash": "ab" * 32,
        "signedUrl": SIGNED,
        "createdAt": "2024-05-01T10:02:00Z",
    },
    {
        "id": "a-2",
        "workflowId": "wf-1",
        "workflowRunId": RUNS[0]["id"],
        "type": "tax_form",
        "displayName": "w2\x1b[31m.pdf",
        "mimeType": "application/pdf",
        "fileSize": 3 * 1024 * 1024,
        "createdAt": "2024-05-01T10:02:01Z",
    },
]


class FakeApi:
    """Answers the three list endpoints from fixed data; records requests."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(self.status, json={"message": f"no luck for {KEY}"})
        path = request.url.path
        if path.endswith("/workflow-runs"):
            return httpx.Response(200, json={"data": RUNS})
        if path.endswith("/artifacts"):
            return httpx.Response(200, json={"artifacts": ARTIFACTS})
        if path.endswith("/workflows"):
            return httpx.Response(
                200, json=[{"id": "wf-1", "name": "Payroll", "sourceProvider": "gusto"}]
            )
        return httpx.Response(404)


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("ANON_API_KEY", KEY)
    monkeypatch.setenv("ANON_BASE_URL", "https://api.example.test/api/v2")
    yield
    teardown_logging()


def run(args, handler, **obj):
    obj.setdefault(common.TRANSPORT_KEY, httpx.MockTransport(handler))
    obj.setdefault(common.RETRY_KEY, RetryPolicy(sleep=lambda s: None, max_attempts=2))
    return CliRunner().invoke(cli_module.cli, args, obj=obj)


def test_runs_table_shows_status_times_duration_and_state() -> None:
    result = run(["ls", "runs"], FakeApi())
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "ID",
        "WORKFLOW",
        "STATUS",
        "CREATED",
        "COMPLETED",
        "DURATION",
        "STATE",
    ]
    assert (
        "COMPLETED" in lines[1]
        and "2m05s" in lines[1]
        and "extracting_employee_records" in lines[1]
    )
    assert "IN_PROGRESS" in lines[2] and "logging_in" in lines[2]
    assert len(lines) == 3


def test_artifacts_table_has_human_sizes_and_no_signed_url_or_escape_codes() -> None:
    result = run(["ls", "artifacts", "--run", RUNS[0]["id"]], FakeApi())
    assert result.exit_code == 0, result.output
    assert "1.5 KiB" in result.stdout
    assert "3.0 MiB" in result.stdout
    assert "employees.json" in result.stdout
    assert "X-Amz" not in result.stdout
    assert "\x1b" not in result.stdout


def test_json_lines_are_exactly_model_to_json() -> None:
    api = FakeApi()
    result = run(["ls", "runs", "--json"], api)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [WorkflowRun.from_json(r).to_json() for r in RUNS]
    assert rows[1]["surpriseField"] == [1, 2]


def test_json_artifacts_never_include_the_signed_url() -> None:
    result = run(["ls", "artifacts", "--json"], FakeApi())
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [Artifact.from_json(a).to_json() for a in ARTIFACTS]
    assert "signedUrl" not in result.stdout
    assert "abcdef0123" not in result.stdout


def test_filters_reach_the_api_as_query_parameters() -> None:
    api = FakeApi()
    run(["ls", "runs", "--workflow", "wf-1", "--status", "FAILED"], api)
    run(["ls", "artifacts", "--workflow", "wf-1", "--run", "r-9"], api)
    runs, artifacts = (
        [r for r in api.requests if r.url.path.endswith(end)]
        for end in ("/workflow-runs", "/artifacts")
    )
    assert runs[0].url.params["workflowId"] == "wf-1"
    assert runs[0].url.params["status"] == "FAILED"
    assert artifacts[0].url.params["workflowRunId"] == "r-9"
    assert artifacts[0].headers["Authorization"] == f"Bearer {KEY}"


def test_runs_table_names_the_workflow_and_json_keeps_the_id() -> None:
    table = run(["ls", "runs"], FakeApi())
    assert table.stdout.splitlines()[1].split()[1] == "Payroll"
    rows = [
        json.loads(line) for line in run(["ls", "runs", "--json"], FakeApi()).stdout.splitlines()
    ]
    assert rows[0]["workflowId"] == "wf-1"


def test_runs_table_falls_back_to_ids_when_names_cannot_be_listed() -> None:
    api = FakeApi()

    def no_workflow_list(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/workflows"):
            return httpx.Response(503)
        return api(request)

    result = run(["ls", "runs"], no_workflow_list)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].split()[1] == "wf-1"


def test_status_filter_on_a_kind_without_status_is_a_usage_error() -> None:
    api = FakeApi()
    result = run(["ls", "artifacts", "--status", "FAILED"], api)
    assert result.exit_code == 2
    assert "--status applies to `runs` and `job-runs` only" in result.output
    assert api.requests == []


def test_limit_stops_early() -> None:
    result = run(["ls", "runs", "--json", "--limit", "1"], FakeApi())
    assert len(result.stdout.splitlines()) == 1


def test_empty_listing_says_so_on_stderr_and_succeeds() -> None:
    result = run(["ls", "workflows"], lambda r: httpx.Response(200, json={"data": []}))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No workflows found." in result.stderr


def assert_one_line_error(result, code: int, *phrases: str) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    err_lines = result.stderr.strip().splitlines()
    assert len(err_lines) == 1, result.stderr
    assert err_lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    assert KEY not in result.output
    for phrase in phrases:
        assert phrase in err_lines[0]


def test_rejected_key_is_one_line_and_exit_3() -> None:
    result = run(["ls", "runs"], FakeApi(status=401))
    assert_one_line_error(result, 3, "The API key was rejected (401)", "ANON_API_KEY")


def test_dead_network_is_one_line_and_exit_4() -> None:
    def dead(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    result = run(["ls", "artifacts"], dead)
    assert_one_line_error(
        result, 4, "Could not connect to api.example.test", "gave up after 2", "--offline"
    )


def test_unknown_run_id_is_exit_5() -> None:
    result = run(["ls", "runs", "--run", "nope"], FakeApi(status=404))
    assert_one_line_error(result, 5, "not found")


def test_missing_key_is_a_config_error_exit_3(monkeypatch) -> None:
    monkeypatch.delenv("ANON_API_KEY")
    api = FakeApi()
    result = run(["ls", "runs"], api)
    assert_one_line_error(result, 3, "No API key")
    assert api.requests == []


def test_unexpected_exception_is_one_safe_line_and_exit_1(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError(f"internal detail with {KEY}")

    monkeypatch.setattr(ls, "_source", broken)
    result = run(["ls", "runs"], FakeApi())
    assert_one_line_error(result, 1, "Unexpected error (RuntimeError)")


def test_interrupt_is_one_line_and_exit_130(monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ls, "_source", interrupted)
    result = run(["ls", "runs"], FakeApi())
    assert result.exit_code == 130
    assert result.stderr.strip() == "Interrupted."


def test_closed_pipe_stops_quietly(monkeypatch) -> None:
    def reader_left(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(ls, "format_table", reader_left)
    monkeypatch.setattr("artifact_viewer.cli.os.dup2", lambda *a: None)  # keep pytest's stdout
    result = run(["ls", "runs"], FakeApi())
    assert result.exit_code == 1
    assert result.stderr == ""


def test_unknown_kind_is_a_usage_error() -> None:
    result = run(["ls", "spaceships"], FakeApi())
    assert result.exit_code == 2


def test_data_source_is_swappable(monkeypatch) -> None:
    seen = {}

    def offline(ctx, kind, **filters):
        seen.update(filters, kind=kind)
        return [WorkflowRun.from_json(RUNS[0])]

    monkeypatch.setattr(ls, "_source", offline)
    api = FakeApi()
    result = run(["ls", "runs", "--workflow", "wf-1", "--json"], api)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == WorkflowRun.from_json(RUNS[0]).to_json()
    assert seen == {"kind": "runs", "workflow_id": "wf-1", "run_id": None, "status": None}
    assert api.requests == []


def test_verbose_logs_requests_to_stderr_without_secrets() -> None:
    result = run(["--verbose", "ls", "artifacts"], FakeApi())
    assert result.exit_code == 0
    assert "GET /artifacts" in result.stderr
    assert KEY not in result.output


@pytest.mark.parametrize(
    ("size", "text"),
    [(None, "-"), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (5 * 1024**3, "5.0 GiB")],
)
def test_human_size(size, text) -> None:
    assert ls.human_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, "-"), (-1, "-"), (59.4, "59s"), (61, "1m01s"), (3723, "1h02m03s")]
)
def test_human_duration(seconds, text) -> None:
    assert ls.human_duration(seconds) == text
