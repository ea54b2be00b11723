"""P2: a 1 GB CSV in the table previewer (first screen, full load) vs pyarrow.csv.read_csv.

Ours: the file opened as the window opens it (``bench.previewload``: a fresh process set up
like the app, the preview area at 1280x800), once as the first open of the session and
once again; first screen is the click until the first rows are painted, full load the
click until the whole file is loaded. Floor: ``read_csv`` of the same file into an Arrow
table, pyarrow already imported.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import previewload
from bench.spec import Benchmark, Metrics, Row, at_most, ratio_at_most


def ours(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(
        Path(ctx["data"]["csv_1g"]),
        "text/csv",
        "table",
        painted_in=lambda widget: widget.view.viewport(),
    )


def floor(ctx: dict[str, Any]) -> Metrics:
    from pyarrow import csv

    t0 = time.perf_counter()
    table = csv.read_csv(ctx["data"]["csv_1g"])
    elapsed = time.perf_counter() - t0
    return {"read_csv": elapsed, "rows": float(table.num_rows)}


BENCH = Benchmark(
    id="P2",
    title="1 GB CSV: first screen and full load",
    roles={"ours": "bench.p2_csv:ours", "floor": "bench.p2_csv:floor"},
    floor_roles=frozenset({"floor"}),
    data=("csv_1g",),
    check=previewload.checker("table"),
    rows=[
        Row(
            "1 GB CSV: first screen (painted), first open", ("ours", "painted"), target=at_most(0.3)
        ),
        Row(
            "1 GB CSV: first screen (painted), repeat open",
            ("ours", "repeat_painted"),
            target=at_most(0.3),
        ),
        *[
            Row(
                f"1 GB CSV: full load, {which} open",
                ("ours", f"{prefix}full_load"),
                ("floor", "read_csv"),
                ratio_at_most(1.5),
                floor_name="pyarrow.csv.read_csv",
                size_of="csv_1g",
            )
            for which, prefix in (("first", ""), ("repeat", "repeat_"))
        ],
    ],
)
