"""`artifact-viewer demo-server` as a real subprocess: prints its address and key, stops on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest


def _start(*args: str) -> subprocess.Popen[str]:
    code = "from artifact_viewer.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "demo-server", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def cli_server() -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    proc = _start("--url-ttl", "60", "--seed", "5", "--envelope", "items")
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        key = proc.stdout.readline().strip()
        yield proc, base, key
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


def test_prints_base_url_and_key_then_serves(cli_server) -> None:
    proc, base, key = cli_server
    assert base.startswith("ANON_BASE_URL=http://127.0.0.1:") and base.endswith("/api/v2")
    assert key.startswith("ANON_API_KEY=anon_")
    url, api_key = base.split("=", 1)[1], key.split("=", 1)[1]
    body = httpx.get(f"{url}/workflows", headers={"Authorization": f"Bearer {api_key}"}).json()
    assert "items" in body  # the --envelope flag reached the server
    art = httpx.get(
        f"{url}/artifacts", headers={"Authorization": f"Bearer {api_key}"}, params={"pageSize": 1}
    ).json()["items"][0]
    assert "X-Amz-Expires=60" in art["signedUrl"]


def test_ctrl_c_exits_cleanly(cli_server) -> None:
    proc, _base, _key = cli_server
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_bad_flag_value_is_a_clear_error_not_a_traceback() -> None:
    proc = _start("--envelope", "xml")
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert "Invalid value for '--envelope'" in err and "Traceback" not in err


def test_big_files_flag_generates_and_serves_a_benchmark_workflow(tmp_path) -> None:
    proc = _start(
        "--big-files", "csv_1g", "--big-scale", "0.0001", "--data-dir", str(tmp_path),
        "--scale-artifacts", "300",
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip().split("=", 1)[1]
        key = proc.stdout.readline().strip().split("=", 1)[1]
        listing = [proc.stdout.readline() for _ in range(10)]
        assert any("Benchmark" in line for line in listing)
        assert any("Bulk export" in line and "300 artifacts" in line for line in listing)
        assert (tmp_path / "payroll_history_1GB.csv").stat().st_size > 100_000
        headers = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"{base}/artifacts", headers=headers).json()["pagination"]["total"] > 300
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code = "from artifact_viewer.cli import main; main()"
        args = ["demo-server", "--port", str(busy.getsockname()[1])]
        result = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert "could not start the demo server" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("args", [["--fail-rate", "2"], ["--url-ttl", "-1"], ["--port", "70000"]])
def test_out_of_range_values_are_refused(args: list[str]) -> None:
    proc = _start(*args)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "Invalid value" in err


def test_unusable_big_file_folder_is_one_line_naming_it(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = _start(
        "--big-files", "png_8k", "--big-scale", "0.01", "--data-dir", str(blocker / "sub")
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert err.strip().splitlines() == [
        f"Error: could not prepare the big files in {blocker / 'sub'}: Not a directory"
    ]


def test_big_scale_help_says_it_multiplies_as_it_does(tmp_path) -> None:
    from click.testing import CliRunner

    from artifact_viewer.cli import cli
    from artifact_viewer.demo.bigfiles import SPECS, ensure_big_files

    shown = " ".join(CliRunner().invoke(cli, ["demo-server", "--help"]).output.split())
    assert "Multiply the big files' sizes by this factor" in shown
    assert "Shrink" not in shown
    small = ensure_big_files(tmp_path / "a", ["json_100m"], scale=0.01)["json_100m"]
    larger = ensure_big_files(tmp_path / "b", ["json_100m"], scale=0.04)["json_100m"]
    target = SPECS["json_100m"].target
    assert target * 0.01 <= small.stat().st_size < target * 0.02  # 1 % of 100 MB, not 100x
    assert larger.stat().st_size >= target * 0.04 > 2 * small.stat().st_size
