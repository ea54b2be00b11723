"""P12: compare two big files of each text kind vs the plain libraries or tool on the same pair.

Inputs (made once, then reused): two 1M-row x 10-column CSVs (~100 MB each) where 1 % of
the rows changed (most edited in one cell, some removed, some added); two ~100 MB JSON
arrays of objects with 1 % of the objects edited; two ~100 MB logs with 1 % of the lines
edited. Ours: ``compare_files`` on the pair, the change list included. Floors: pyarrow
``read_csv`` of both plus a pandas outer merge on the key; ``orjson.loads`` of both;
GNU ``diff`` on the two logs. The ``view_*`` roles run each pair (plus two 12-megapixel
screenshots and two 200-page PDFs) through the window's compare view: the first screen of
the CSV diff, and the longest GUI-thread stall while comparing and scrolling each kind.
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

from bench.spec import (
    Benchmark,
    Metrics,
    Row,
    ToolMissing,
    at_most,
    ratio_at_most,
    require,
)

SMOKE_SCALE = 0.001
CSV_ROWS = 1_000_000
JSON_OBJECTS = 630_000
LOG_LINES = 1_150_000
PNG_WIDTH = 4000  # x 3000: a 12-megapixel screenshot pair
PDF_PAGES = 200
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


def make_png_pair(folder: Path, width: int) -> tuple[Path, Path]:
    """Two screenshots (``width`` x 3/4 ``width``): B has a button moved and a label edited."""
    import numpy as np
    from PIL import Image

    height = max(1, width * 3 // 4)
    rng = _rng(14)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([(x * 255 // max(1, width)), (y * 255 // max(1, height)), (x + y) % 256], -1)
    noise = rng.integers(0, 8, (height, width, 1))
    a = (base + noise).clip(0, 255).astype(np.uint8)
    b = a.copy()
    bw, bh = max(2, width // 20), max(2, height // 30)
    a[height // 2 : height // 2 + bh, width // 4 : width // 4 + bw] = (30, 110, 220)
    b[height // 2 : height // 2 + bh, width // 3 : width // 3 + bw] = (30, 110, 220)
    b[height // 10 : height // 10 + bh // 2, width // 10 : width // 10 + bw * 3] = 240
    pa_, pb = folder / f"a_{width}.png", folder / f"b_{width}.png"
    Image.fromarray(a).save(pa_)
    Image.fromarray(b).save(pb)
    return pa_, pb


def make_pdf_pair(folder: Path, pages: int) -> tuple[Path, Path]:
    """Two reports of ``pages`` pages of 50 lines; in B every tenth page has a line
    edited and one page is added at the end."""
    from reportlab.pdfgen import canvas

    def write(path: Path, edited: bool) -> None:
        c = canvas.Canvas(str(path))
        for page in range(pages + (1 if edited else 0)):
            y = 800
            for line in range(50):
                amount = page * 1000 + line
                if edited and page % 10 == 0 and line == 7:
                    amount += 1
                c.drawString(60, y, f"Page {page + 1} line {line + 1}: employee {amount} paid")
                y -= 15
            c.showPage()
        c.save()

    pa_, pb = folder / f"a_{pages}.pdf", folder / f"b_{pages}.pdf"
    write(pa_, False)
    write(pb, True)
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
        ("png", make_png_pair, PNG_WIDTH),
        ("pdf", make_pdf_pair, PDF_PAGES),
    ):
        n = max({"pdf": 2}.get(name, 100), int(count * scale))
        suffix = name
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


def _scroll_areas(widget: Any) -> list[Any]:
    from PySide6.QtWidgets import QAbstractScrollArea

    return [w for w in widget.findChildren(QAbstractScrollArea) if w.isVisible()]


def _view(ctx: dict[str, Any], name: str) -> Metrics:
    """The pair through the window's compare view, as the app runs it (worker thread, first
    look, then the whole), then scrolled to the end in steps; a stall probe on the GUI
    thread throughout. ``first_screen``: from the start to the first changes painted."""
    import patiencediff  # noqa: F401  (loaded before timing, as in a running app)
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv  # noqa: F401

    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.core.compare import CompareOptions
    from artifact_viewer.qt.worker import run_in_pool
    from artifact_viewer.ui.compare import work
    from artifact_viewer.ui.compare.view import CompareView
    from bench.qtrun import Waiter, qt_app, stall_probe, stop_probe

    qt_app()
    # A running app has used Arrow's compute kernels already (any table preview); their
    # first call loads pyarrow's pandas shims, once per process.
    pc.sort_indices(pa.array(["b", "a"]))
    errors: list[BaseException] = []

    def background(fn: Any, *args: Any, on_result: Any) -> None:
        run_in_pool(fn, *args, on_result=on_result, on_error=errors.append)

    view = CompareView(background)
    view.resize(1200, 800)
    view.show()
    marks: dict[str, float] = {}

    def painted(key: str) -> None:
        page = view.current_page()
        if page is not None:
            page.grab()  # the paint a screen would do now
        marks.setdefault(key, time.perf_counter())

    def on_partial(prepared: Any) -> None:
        view.show_partial(prepared)
        painted("first")

    def on_result(prepared: Any) -> None:
        view.show_prepared(prepared)
        painted("first")
        painted("done")

    a, b = (Path(p) for p in ctx[name])
    waiter = Waiter()
    probe = stall_probe()
    t0 = time.perf_counter()
    view.set_busy(True, f"{a.name} -> {b.name}")
    run_in_pool(
        work.compare_paths,
        a,
        b,
        CompareOptions(),
        on_result=on_result,
        on_error=errors.append,
        on_progress=view.on_progress,
        on_partial=on_partial,
        cancel=CancelToken(),
    )
    waiter.wait_until(lambda: "done" in marks or bool(errors), timeout_s=900)
    if errors:
        raise RuntimeError(f"the {name} comparison failed: {errors[0]}")
    done = time.perf_counter()
    for area in _scroll_areas(view.current_page()):
        bar = area.verticalScrollBar()
        for step in range(21):
            bar.setValue(bar.maximum() * step // 20)
            area.viewport().grab()
            pause = time.perf_counter() + 0.02  # back to the event loop between steps
            waiter.wait_until(lambda p=pause: time.perf_counter() >= p, timeout_s=1)
    metrics = stop_probe(probe)
    view.close()
    view.deleteLater()
    return {
        "first_screen": marks["first"] - t0,
        "view_done": marks["done"] - t0,
        "scrolled": time.perf_counter() - done,
        **metrics,
    }


def view_csv(ctx: dict[str, Any]) -> Metrics:
    return _view(ctx, "csv")


def view_json(ctx: dict[str, Any]) -> Metrics:
    return _view(ctx, "json")


def view_log(ctx: dict[str, Any]) -> Metrics:
    return _view(ctx, "log")


def view_png(ctx: dict[str, Any]) -> Metrics:
    return _view(ctx, "png")


def view_pdf(ctx: dict[str, Any]) -> Metrics:
    return _view(ctx, "pdf")


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
        "view_csv": "bench.compare:view_csv",
        "view_json": "bench.compare:view_json",
        "view_log": "bench.compare:view_log",
        "view_png": "bench.compare:view_png",
        "view_pdf": "bench.compare:view_pdf",
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
        Row(
            "First screen of the CSV diff view (two 1M-row CSVs)",
            ("view_csv", "first_screen"),
            target=at_most(1.0),
        ),
        *(
            Row(
                f"GUI stall while comparing and scrolling two {label}",
                (role, "max_stall"),
                target=at_most(0.050),
                worst=True,
            )
            for role, label in (
                ("view_csv", "1M-row CSVs"),
                ("view_json", "100 MB JSON files"),
                ("view_log", "100 MB logs"),
                ("view_png", "12-megapixel screenshots"),
                ("view_pdf", "200-page PDFs"),
            )
        ),
    ],
)
