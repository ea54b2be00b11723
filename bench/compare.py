"""P12: compare two big files of each text kind vs the plain libraries or tool on the same pair.

Inputs (made once, then reused): two 1M-row x 10-column CSVs (~100 MB each) where 1 % of
the rows changed (most edited in one cell, some removed, some added); two ~100 MB JSON
arrays of objects with 1 % of the objects edited; two ~100 MB logs with 1 % of the lines
edited. Ours: ``compare_files`` on the pair, the change list included. Floors: pyarrow
``read_csv`` of both plus a pandas outer merge on the key; ``orjson.loads`` of both;
GNU ``diff`` on the two logs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.spec import Benchmark, Metrics, Row, ToolMissing, ratio_at_most, require

SMOKE_SCALE = 0.001
CSV_ROWS = 1_000_000
JSON_OBJECTS = 630_000
LOG_LINES = 1_150_000
CHANGED = 0.01


def check() -> None:
    require("artifact_viewer.core.compare", "compare_files")


def _rng(seed: int) -> Any:
    import numpy as np

    return np.random.default_rng(seed)


def make_csv_pair(folder: Path, rows: int) -> tuple[Path, Path]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = _rng(11)
    ids = np.arange(1, rows + 1)
    cols: dict[str, Any] = {"employee_id": ids.astype(str)}
    cols["name"] = np.char.add("Employee ", rng.integers(0, 50_000, rows).astype(str))
    cols["department"] = np.array(["HR", "IT", "Ops", "Sales", "Finance"])[rng.integers(0, 5, rows)]
    for n in range(4):
        cols[f"amount_{n}"] = np.char.mod("%.2f", rng.uniform(0, 10_000, rows))
    cols["hours"] = rng.integers(0, 60, rows).astype(str)
    cols["state"] = np.array(["CA", "NY", "TX", "WA", "FL", "IL"])[rng.integers(0, 6, rows)]
    cols["note"] = np.char.add("ok-", rng.integers(0, 999, rows).astype(str))
    a = pa.table(cols)
    changed = rng.choice(rows, size=max(1, int(rows * CHANGED)), replace=False)
    edited, removed = changed[: len(changed) * 8 // 10], changed[len(changed) * 8 // 10 :]
    b_cols = {k: v.copy() for k, v in cols.items()}
    b_cols["amount_0"] = b_cols["amount_0"].astype(object)
    b_cols["amount_0"][edited] = "0.01"
    keep = np.ones(rows, dtype=bool)
    keep[removed[: len(removed) // 2]] = False
    b = pa.table({k: np.asarray(v)[keep].astype(str) for k, v in b_cols.items()})
    extra = len(removed) - len(removed) // 2
    added = {
        k: (np.arange(rows + 1, rows + 1 + extra).astype(str) if k == "employee_id" else v[:extra])
        for k, v in cols.items()
    }
    b = pa.concat_tables([b, pa.table(added)])
    pa_, pb = folder / f"a_{rows}.csv", folder / f"b_{rows}.csv"
    pcsv.write_csv(a, pa_)
    pcsv.write_csv(b, pb)
    return pa_, pb


def make_json_pair(folder: Path, objects: int) -> tuple[Path, Path]:
    import orjson

    rng = _rng(12)
    amounts = rng.uniform(0, 10_000, objects).round(2).tolist()
    depts = rng.integers(0, 5, objects).tolist()
    doc = [
        {
            "id": f"E{i:07d}",
            "name": f"Employee {i}",
            "department": ["HR", "IT", "Ops", "Sales", "Finance"][depts[i]],
            "pay": {"gross": amounts[i], "net": round(amounts[i] * 0.7, 2), "currency": "USD"},
            "tags": ["full-time", "remote"] if i % 3 else ["part-time"],
            "active": bool(i % 7),
        }
        for i in range(objects)
    ]
    pa_, pb = folder / f"a_{objects}.json", folder / f"b_{objects}.json"
    pa_.write_bytes(orjson.dumps(doc))
    for i in rng.choice(objects, size=max(1, int(objects * CHANGED)), replace=False).tolist():
        doc[i]["pay"]["gross"] = 1.0
    pb.write_bytes(orjson.dumps(doc))
    return pa_, pb


def make_log_pair(folder: Path, lines: int) -> tuple[Path, Path]:
    rng = _rng(13)
    levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"]
    pick = rng.integers(0, len(levels), lines).tolist()
    values = rng.integers(0, 1_000_000, lines).tolist()
    text = [
        f"2026-11-06T10:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z {levels[pick[i]]}"
        f" worker-{i % 8} step {i} processed record {values[i]} in {values[i] % 997} ms\n"
        for i in range(lines)
    ]
    pa_, pb = folder / f"a_{lines}.log", folder / f"b_{lines}.log"
    pa_.write_text("".join(text))
    for i in rng.choice(lines, size=max(1, int(lines * CHANGED)), replace=False).tolist():
        text[i] = text[i].replace("processed", "skipped")
    pb.write_text("".join(text))
    return pa_, pb


@contextlib.contextmanager
def inputs(ctx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The three pairs under the work folder (generated on first use)."""
    scale = SMOKE_SCALE if ctx.get("smoke") else 1.0
    folder = Path(ctx.get("work_dir") or ".") / "compare"
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, Any] = {}
    for name, make, count in (
        ("csv", make_csv_pair, CSV_ROWS),
        ("json", make_json_pair, JSON_OBJECTS),
        ("log", make_log_pair, LOG_LINES),
    ):
        n = max(100, int(count * scale))
        suffix = {"csv": "csv", "json": "json", "log": "log"}[name]
        a, b = folder / f"a_{n}.{suffix}", folder / f"b_{n}.{suffix}"
        if not (a.exists() and b.exists()):
            a, b = make(folder, n)
        made[name] = [str(a), str(b)]
    yield made


def _ours(ctx: dict[str, Any], name: str) -> Metrics:
    import patiencediff  # noqa: F401  (loaded before timing, as in a running app)
    import pyarrow.csv  # noqa: F401

    from artifact_viewer.core.compare import compare_files

    a, b = (Path(p) for p in ctx[name])
    t0 = time.perf_counter()
    result = compare_files(a, b)
    changes = result.changes()
    elapsed = time.perf_counter() - t0
    if result.identical or not changes:
        raise RuntimeError(f"the {name} pair compared as identical")
    return {"diff": elapsed, "changes": float(len(changes))}


def ours_csv(ctx: dict[str, Any]) -> Metrics:
    return _ours(ctx, "csv")


def ours_json(ctx: dict[str, Any]) -> Metrics:
    return _ours(ctx, "json")


def ours_log(ctx: dict[str, Any]) -> Metrics:
    return _ours(ctx, "log")


def floor_csv(ctx: dict[str, Any]) -> Metrics:
    import pyarrow.csv as pcsv

    a, b = ctx["csv"]
    t0 = time.perf_counter()
    ta, tb = pcsv.read_csv(a), pcsv.read_csv(b)
    merged = ta.to_pandas().merge(tb.to_pandas(), on="employee_id", how="outer", indicator=True)
    return {"read_merge": time.perf_counter() - t0, "rows": float(len(merged))}


def floor_json(ctx: dict[str, Any]) -> Metrics:
    import orjson

    a, b = ctx["json"]
    t0 = time.perf_counter()
    with open(a, "rb") as fa, open(b, "rb") as fb:
        da, db = orjson.loads(fa.read()), orjson.loads(fb.read())
    return {"loads": time.perf_counter() - t0, "items": float(len(da) + len(db))}


def floor_log(ctx: dict[str, Any]) -> Metrics:
    diff = shutil.which("diff")
    if diff is None:
        raise ToolMissing("GNU diff is not installed")
    a, b = ctx["log"]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [diff, a, b],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=False,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 1:
        raise RuntimeError(f"diff exited {proc.returncode}: {proc.stderr.decode()[:200]}")
    return {"diff": elapsed}


BENCH = Benchmark(
    id="P12",
    title="Compare two big CSV, JSON and log files",
    roles={
        "ours_csv": "bench.compare:ours_csv",
        "floor_csv": "bench.compare:floor_csv",
        "ours_json": "bench.compare:ours_json",
        "floor_json": "bench.compare:floor_json",
        "ours_log": "bench.compare:ours_log",
        "floor_log": "bench.compare:floor_log",
    },
    floor_roles=frozenset({"floor_csv", "floor_json", "floor_log"}),
    check=check,
    session=inputs,
    rows=[
        Row(
            "Compare two 1M-row CSVs (1 % changed)",
            ("ours_csv", "diff"),
            ("floor_csv", "read_merge"),
            ratio_at_most(2.0),
            floor_name="pyarrow read_csv x2 + pandas merge",
        ),
        Row(
            "Compare two 100 MB JSON files (1 % changed)",
            ("ours_json", "diff"),
            ("floor_json", "loads"),
            ratio_at_most(3.0),
            floor_name="orjson.loads x2",
        ),
        Row(
            "Compare two 100 MB logs (1 % changed)",
            ("ours_log", "diff"),
            ("floor_log", "diff"),
            ratio_at_most(2.0),
            floor_name="GNU diff",
        ),
    ],
)
