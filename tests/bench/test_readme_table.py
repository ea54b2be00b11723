"""The README's benchmark table is copied from the results, and memory rows judge against
the input file's size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.report import compute_row
from bench.spec import Benchmark, Row, at_most, ratio_at_most

from bench import readme


def _result(runs: dict[str, list[dict[str, float]]], sizes: dict[str, int]) -> dict[str, Any]:
    shaped = {role: [{"metrics": metrics} for metrics in rs] for role, rs in runs.items()}
    return {"runs": shaped, "status": {}, "data_sizes": sizes}


BENCH = Benchmark(id="P3", title="t", roles={}, rows=[])


def test_a_memory_row_is_judged_against_the_size_of_its_file() -> None:
    row = Row(
        "peak memory",
        ("ours", "peak_rss"),
        target=ratio_at_most(3),
        floor_name="the file's size",
        size_of="json",
        unit="B",
        floor_is_size=True,
    )
    runs = {"ours": [{"peak_rss": 250e6}, {"peak_rss": 260e6}, {"peak_rss": 255e6}]}
    met = compute_row(BENCH, row, _result(runs, {"json": 100_000_000}))
    assert met["floor"] == 100_000_000 and met["met"] is True
    assert met["ratio_text"] == "2.55x"
    missed = compute_row(BENCH, row, _result(runs, {"json": 50_000_000}))
    assert missed["met"] is False and "MiB" in missed["notes"]  # bytes, not seconds


def test_the_readme_table_between_its_markers_is_replaced_by_the_results(tmp_path: Path) -> None:
    rows = [
        compute_row(BENCH, Row("first screen", ("ours", "t"), target=at_most(0.3)), _result(r, {}))
        for r in ({"ours": [{"t": 0.2}]}, {"ours": [{"t": 0.5}]})
    ]
    doc = {"machine": {"date": "2026-12-07 01:00 UTC"}, "benchmarks": {"P3": {"rows": rows}}}
    page = tmp_path / "README.md"
    page.write_text(f"intro\n{readme.START}\n| old | row |\n{readme.END}\nafter\n")
    assert readme.update(page, doc)
    text = page.read_text()
    assert "| old | row |" not in text and text.startswith("intro\n") and text.endswith("after\n")
    assert "1 met, 1 missed" in text
    assert "| P3 | first screen | 200 ms |" in text and "| P3 | first screen | 500 ms |" in text
    assert "**no**" in text
    page.write_text("no markers here\n")
    assert not readme.update(page, doc)
