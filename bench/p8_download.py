"""P8: download a 1 GB artifact over loopback with inline verification vs curl on the same URL.

Ours is the whole user path: ask the API for the artifact, stream it into the cache while
hashing, check the hash, commit. curl just writes the bytes of a signed URL to a file.
Both read from the same stand-in server (Python, in the harness process), so neither
can go faster than it serves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from typing import Any

from bench import served
from bench.spec import Benchmark, Metrics, Row, ToolMissing, require, throughput_at_least
from bench.worker import peak_rss_children


def check() -> None:
    require("artifact_viewer.core.library", "Library")
    require("artifact_viewer.demo.runner", "DemoServer")


def ours(ctx: dict[str, Any]) -> Metrics:
    check()
    with served.open_library(ctx) as library:
        t0 = time.perf_counter()
        path = library.fetch(ctx["artifact_id"])
        elapsed = time.perf_counter() - t0
        size = path.stat().st_size
    if size != ctx["size"]:
        raise RuntimeError(f"fetched {size} bytes, expected {ctx['size']}")
    return {"download": elapsed, "bytes_per_s": size / elapsed}


def floor(ctx: dict[str, Any]) -> Metrics:
    curl = shutil.which("curl")
    if curl is None:
        raise ToolMissing("curl is not installed (apt-get install curl)")
    url = served.signed_url(ctx)
    # Same filesystem as our cache (the run's home), so both pay the same write cost.
    with tempfile.TemporaryDirectory(dir=os.environ.get("ARTIFACT_VIEWER_HOME")) as folder:
        target = os.path.join(folder, "artifact.bin")
        t0 = time.perf_counter()
        proc = subprocess.run(
            [curl, "-sS", "-f", "-o", target, url], capture_output=True, text=True
        )
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"curl exited {proc.returncode}")
        size = os.path.getsize(target)
    if size != ctx["size"]:
        raise RuntimeError(f"curl wrote {size} bytes, expected {ctx['size']}")
    return {"curl": elapsed, "bytes_per_s": size / elapsed, "peak_rss": peak_rss_children()}


BENCH = Benchmark(
    id="P8",
    title="Download 1 GB on loopback with verification",
    roles={"ours": "bench.p8_download:ours", "floor": "bench.p8_download:floor"},
    floor_roles=frozenset({"floor"}),
    data=("csv_1g",),
    check=check,
    session=lambda ctx: served.big_file_server(ctx, "csv_1g"),
    rows=[
        Row(
            "Download 1 GB (loopback, verified)",
            ("ours", "download"),
            ("floor", "curl"),
            throughput_at_least(0.8),
            floor_name="curl -o file",
            size_of="csv_1g",
        ),
    ],
)
