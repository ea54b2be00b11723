"""Entry point: ``python -m bench.run [--smoke] [--only P2,P3] [--repeat N] [--warmup N]``.

Writes ``docs/benchmarks.md`` (the table) and ``docs/benchmarks.json`` (raw numbers).
``--only`` re-measures the named benchmarks and keeps the other rows of the last run.
``--smoke`` proves the harness on tiny data in a scratch folder, never touching docs/.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data, p10_stall, registry, report
from bench.harness import REPO, log, run_benchmark
from bench.machine import machine_info
from bench.spec import Benchmark, FeatureMissing


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny data, one round, scratch output")
    parser.add_argument("--only", default="", help="comma-separated ids, e.g. P2,P9")
    parser.add_argument("--repeat", type=int, default=None, help="measured rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=None, help="warm-up rounds (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="folder for benchmarks.md/.json")
    parser.add_argument("--data-dir", type=Path, default=None, help="folder for input files")
    args = parser.parse_args(argv)
    if args.repeat is None:
        args.repeat = 1 if args.smoke else 5
    if args.warmup is None:
        args.warmup = 0 if args.smoke else 1
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be >= 1 and --warmup >= 0")
    return args


def select(only: str) -> list[Benchmark]:
    benches = registry.all_benchmarks()
    if not only:
        return benches
    wanted = {part.strip().upper() for part in only.split(",") if part.strip()}
    if p10_stall.ID in wanted:
        wanted |= set(p10_stall.SOURCES)
    unknown = wanted - {b.id for b in benches} - {p10_stall.ID}
    if unknown:
        raise SystemExit(f"Unknown benchmark id(s): {', '.join(sorted(unknown))}")
    return [b for b in benches if b.id in wanted]


def measure(
    bench: Benchmark, ctx: dict[str, Any], data_dir: Path, args: argparse.Namespace
) -> dict[str, Any]:
    log(f"{bench.id}: {bench.title}")
    paths: dict[str, Path] = {}
    data_missing = None
    try:
        paths = data.ensure(list(bench.data), data_dir, args.smoke)
    except FeatureMissing as exc:
        data_missing = str(exc)
    result = run_benchmark(
        bench,
        ctx,
        {k: str(v) for k, v in paths.items()},
        data_missing,
        args.repeat,
        args.warmup,
    )
    result["about"] = bench.about
    result["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    result["data_sizes"] = {k: v.stat().st_size for k, v in paths.items()}
    result["rows"] = [report.compute_row(bench, row, result) for row in bench.rows]
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    benches = select(args.only)
    scratch = Path(tempfile.mkdtemp(prefix="bench-")) if args.smoke else None
    out_dir = args.out or (scratch / "out" if scratch else REPO / "docs")
    data_dir = args.data_dir or (scratch / "data" if scratch else data.DEFAULT_DIR)
    started = time.perf_counter()
    doc: dict[str, Any] = {
        "machine": machine_info(),
        "config": {"repeat": args.repeat, "warmup": args.warmup, "smoke": args.smoke},
        "benchmarks": {},
    }
    if args.only and not args.smoke:
        previous = report.load_previous(out_dir)
        if previous is not None:
            doc["benchmarks"].update(previous["benchmarks"])
    ctx = {"smoke": args.smoke, "work_dir": str(data_dir / "work")}
    try:
        for bench in benches:
            doc["benchmarks"][bench.id] = measure(bench, ctx, data_dir, args)
        doc["benchmarks"][p10_stall.ID] = p10_stall.derive(doc["benchmarks"])
        doc["elapsed_s"] = round(time.perf_counter() - started, 1)
        doc["ran"] = [bench.id for bench in benches]
        md, js = report.write(doc, out_dir)
    finally:
        if scratch is not None and args.data_dir is None:
            shutil.rmtree(scratch / "data", ignore_errors=True)
    log(f"wrote {md} and {js} in {doc['elapsed_s']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
