"""The benchmark harness: a smoke run on tiny data writes the table and JSON with every row."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench.harness import run_benchmark
from bench.spec import (
    Benchmark,
    FeatureMissing,
    Row,
    ToolMissing,
    at_most,
    ratio_at_most,
    throughput_at_least,
)

from bench import p10_stall, registry, report

REPO = Path(__file__).resolve().parent.parent
EXPECTED_IDS = {f"P{i}" for i in range(1, 15)}


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("bench")
    out = root / "out"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--smoke",
            "--out",
            str(out),
            "--data-dir",
            str(root / "data"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, json.loads((out / "benchmarks.json").read_text())


def test_smoke_run_writes_a_row_for_every_benchmark_in_both_files(smoke_run):
    out, doc = smoke_run
    assert set(doc["benchmarks"]) == EXPECTED_IDS
    table = (out / "benchmarks.md").read_text()
    for bench in [*registry.all_benchmarks(), p10_stall.BENCH]:
        rows = doc["benchmarks"][bench.id]["rows"]
        assert [r["work"] for r in rows] == [r.work for r in bench.rows]
        for row in bench.rows:
            assert f"| {bench.id} | {row.work} |" in table


def test_smoke_rows_are_either_measured_or_say_why_not(smoke_run):
    _out, doc = smoke_run
    for bench in doc["benchmarks"].values():
        for row in bench["rows"]:
            if row["ours_status"] is None:
                assert row["ours"] is not None and row["ours"] >= 0
            else:
                assert row["ours"] is None
                assert row["ours_status"].startswith(("not measured", "failed"))


def test_smoke_runs_every_present_feature_without_failure(smoke_run):
    _out, doc = smoke_run
    failures = {
        f"{bench_id} {role}": status
        for bench_id, bench in doc["benchmarks"].items()
        for role, status in bench["status"].items()
        if status.startswith("failed")
    }
    assert failures == {}


def test_smoke_measures_the_library_floors_on_generated_data(smoke_run):
    _out, doc = smoke_run
    for bench_id, role, metric in [
        ("P2", "floor", "read_csv"),
        ("P3", "floor", "orjson_loads"),
        ("P4", "floor", "grep_c"),
        ("P5", "floor", "first_page"),
        ("P6", "floor", "decode"),
        ("P9", "floor", "sha256"),
        ("P1", "floor", "to_window"),
    ]:
        runs = doc["benchmarks"][bench_id]["runs"][role]
        assert len(runs) == 1, (bench_id, doc["benchmarks"][bench_id]["status"])
        assert runs[0]["metrics"][metric] > 0
        assert runs[0]["metrics"]["peak_rss"] > 1024 * 1024


def test_smoke_table_records_the_machine(smoke_run):
    out, doc = smoke_run
    table = (out / "benchmarks.md").read_text()
    assert doc["machine"]["cores"] >= 1
    assert doc["config"] == {"repeat": 1, "warmup": 0, "smoke": True}
    for needle in ("Machine:", "cores", "RAM", "Python", "PySide6", "Date:"):
        assert needle in table


def test_missed_time_limit_says_by_how_much():
    verdict = at_most(0.3).judge(0.45, None)
    assert verdict.met is False
    assert "missed by 150 ms" in verdict.note
    assert at_most(0.3).judge(0.2, None).met is True


def test_missed_ratio_counts_the_fixed_allowance():
    target = ratio_at_most(2.0, plus=0.05)
    assert target.judge(0.24, 0.1).met is True  # allowed 0.25 s
    missed = target.judge(0.30, 0.1)
    assert missed.met is False
    assert "missed by 50 ms" in missed.note
    assert missed.ratio_text == "3.00x"


def test_throughput_target_compares_floor_time_over_ours():
    target = throughput_at_least(0.8)
    assert target.judge(1.0, 0.9).met is True  # 0.9x the floor's throughput
    missed = target.judge(2.0, 1.0)
    assert missed.met is False
    assert "0.50x < 0.8x" in missed.note and "38% short" in missed.note


def test_row_without_floor_run_is_not_judged_against_a_ratio():
    bench = registry.all_benchmarks()[1]
    row = Row("x", ("ours", "t"), ("floor", "f"), ratio_at_most(1.5), floor_name="lib")
    result = {"runs": {"ours": [{"metrics": {"t": 1.0}}], "floor": []}, "status": {}}
    computed = report.compute_row(bench, row, result)
    assert computed["ours"] == 1.0
    assert computed["met"] is None
    assert "floor not measured" in computed["notes"]


# -- roles for the harness tests below (run in worker subprocesses) ------------------------


def fake_floor(ctx):
    return {"t": 0.010}


def fake_ours(ctx):
    return {"t": 0.012}


def fake_leaky(ctx):
    raise RuntimeError(
        "GET http://127.0.0.1:9/storage/a.csv?X-Amz-Signature=deadbeefcafe0123 answered 500"
    )


def fake_absent(ctx):
    raise FeatureMissing("artifact_viewer.previews.widget not importable")


def _bench(check=None, ours="tests.test_bench_smoke:fake_ours"):
    return Benchmark(
        id="PX",
        title="fake",
        roles={"ours": ours, "floor": "tests.test_bench_smoke:fake_floor"},
        floor_roles=frozenset({"floor"}),
        check=check,
        rows=[
            Row("fake work", ("ours", "t"), ("floor", "t"), ratio_at_most(1.5), floor_name="lib")
        ],
    )


def test_harness_interleaves_roles_and_judges_medians():
    bench = _bench()
    result = run_benchmark(bench, {}, {}, None, repeat=1, warmup=1)
    assert [len(result["runs"][r]) for r in ("ours", "floor")] == [1, 1]
    row = report.compute_row(bench, bench.rows[0], result)
    assert row["ours"] == pytest.approx(0.012)
    assert row["ratio"] == pytest.approx(1.2)
    assert row["met"] is True


def test_missing_feature_is_reported_while_the_floor_is_still_measured():
    def check():
        raise FeatureMissing("no table previewer yet")

    bench = _bench(check=check)
    result = run_benchmark(bench, {}, {}, None, repeat=1, warmup=0)
    assert result["status"]["ours"] == "not measured (feature missing: no table previewer yet)"
    assert result["runs"]["ours"] == []
    assert len(result["runs"]["floor"]) == 1
    row = report.compute_row(bench, bench.rows[0], result)
    assert row["ours"] is None and row["met"] is None


def test_feature_found_missing_inside_the_worker_is_not_a_failure():
    bench = _bench(ours="tests.test_bench_smoke:fake_absent")
    result = run_benchmark(bench, {}, {}, None, repeat=1, warmup=0)
    assert result["status"]["ours"].startswith("not measured (feature missing: ")


def test_failed_run_is_reported_without_the_signed_url_secret():
    bench = _bench(ours="tests.test_bench_smoke:fake_leaky")
    result = run_benchmark(bench, {}, {}, None, repeat=1, warmup=0)
    status = result["status"]["ours"]
    assert status.startswith("failed: RuntimeError")
    assert "deadbeefcafe0123" not in status
    assert "deadbeefcafe0123" not in json.dumps(result)


def fake_no_curl(ctx):
    raise ToolMissing("curl is not installed (apt-get install curl)")


def test_missing_tool_for_a_floor_is_named_as_such():
    bench = _bench()
    bench.roles["floor"] = "tests.test_bench_smoke:fake_no_curl"
    result = run_benchmark(bench, {}, {}, None, repeat=1, warmup=0)
    assert result["status"]["floor"] == (
        "not measured (tool missing: curl is not installed (apt-get install curl))"
    )
    row = report.compute_row(bench, bench.rows[0], result)
    assert row["met"] is None and "floor not measured (tool missing" in row["notes"]


def test_stall_rows_are_judged_on_the_worst_run():
    stall_row = p10_stall.BENCH.rows[0]
    key = stall_row.ours[0]
    runs = [{"metrics": {"max_stall": s}} for s in (0.010, 0.020, 0.090)]
    computed = report.compute_row(p10_stall.BENCH, stall_row, {"runs": {key: runs}, "status": {}})
    assert computed["ours"] == pytest.approx(0.090)
    assert computed["met"] is False
    assert "median 20 ms" in computed["notes"]


def fake_hang(ctx):
    import subprocess
    import time

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    Path(ctx["pid_file"]).write_text(str(child.pid))
    time.sleep(60)


def test_a_hung_worker_is_stopped_with_everything_it_started(tmp_path):
    bench = _bench(ours="tests.test_bench_smoke:fake_hang")
    bench.timeout_s = 5.0
    pid_file = tmp_path / "child.pid"
    result = run_benchmark(bench, {"pid_file": str(pid_file)}, {}, None, repeat=1, warmup=0)
    assert result["status"]["ours"] == "failed: timed out after 5 s"
    child = int(pid_file.read_text())
    # The grandchild was killed with its group; it is gone or a zombie awaiting its reaper.
    try:
        state = Path(f"/proc/{child}/stat").read_text().split()[2]
    except FileNotFoundError:
        state = "gone"
    assert state in ("gone", "Z")
