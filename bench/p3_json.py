"""P3: a 100 MB JSON file in the tree previewer vs orjson.loads; a 1 GB one: time and memory.

Ours: the file opened as the window opens it (``bench.previewload``), first open and repeat
open: the click until ``ready`` (first screen) and until ``finished`` (whole tree
browsable). Floor: reading the file and ``orjson.loads`` on its bytes with the garbage
collector off (as our parser runs), the result freed after the clock stops. The 1 GB file
is opened once per run (first open), two runs without warm-up, for its time and the
worker's peak RSS.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Any

import orjson

from bench import previewload
from bench.spec import Benchmark, Metrics, Row, at_most, ratio_at_most


def ours(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(Path(ctx["data"]["json_100m"]), "application/json", "json")


def ours_1g(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(Path(ctx["data"]["json_1g"]), "application/json", "json", repeat=False)


def floor(ctx: dict[str, Any]) -> Metrics:
    # Reading the bytes is part of the floor: our previewer has to read them too.
    gc.disable()
    t0 = time.perf_counter()
    with open(ctx["data"]["json_100m"], "rb") as fh:
        value = orjson.loads(fh.read())
    elapsed = time.perf_counter() - t0
    del value  # freeing millions of objects is not part of the parse
    return {"orjson_loads": elapsed}


def _peak_against_file(work: str, role: str, factor: float, data: str) -> Row:
    """Peak memory of ``role``, judged against the size of its input file."""
    return Row(
        work,
        (role, "peak_rss"),
        target=ratio_at_most(factor),
        floor_name="the file's size",
        size_of=data,
        unit="B",
        floor_is_size=True,
    )


BENCH = Benchmark(
    id="P3",
    title="JSON tree: 100 MB vs orjson.loads; 1 GB time and peak memory",
    roles={
        "ours": "bench.p3_json:ours",
        "floor": "bench.p3_json:floor",
        "ours_1g": "bench.p3_json:ours_1g",
    },
    floor_roles=frozenset({"floor"}),
    data=("json_100m", "json_1g"),
    check=previewload.checker("json"),
    max_rounds={"ours_1g": 2},
    rows=[
        Row("100 MB JSON: first screen, first open", ("ours", "first_screen")),
        Row("100 MB JSON: first screen, repeat open", ("ours", "repeat_first_screen")),
        *[
            Row(
                f"100 MB JSON: full tree, {which} open",
                ("ours", f"{prefix}full_load"),
                ("floor", "orjson_loads"),
                ratio_at_most(1.5),
                floor_name="read + orjson.loads (gc off)",
                size_of="json_100m",
            )
            for which, prefix in (("first", ""), ("repeat", "repeat_"))
        ],
        _peak_against_file("100 MB JSON: peak memory (two opens)", "ours", 3, "json_100m"),
        Row(
            "1 GB JSON: first screen (first level shown)",
            ("ours_1g", "first_screen"),
            target=at_most(3.0),
        ),
        Row("1 GB JSON: full load", ("ours_1g", "full_load")),
        _peak_against_file("1 GB JSON: peak memory", "ours_1g", 2, "json_1g"),
    ],
)
