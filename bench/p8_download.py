"""P8: download a 1 GB artifact over loopback with inline verification vs curl on the same URL.

Two rows. The whole command: ``artifact-viewer get ID -o FILE`` started as a user starts it
(a fresh interpreter, an empty app home, key and URL from the environment) until it exits:
it asks the API for the artifact, streams it into the cache while hashing, checks the
hash, commits, and writes FILE; against ``curl -o FILE`` on a signed URL of the same
artifact, also a fresh process. The fetch alone: ``Library.fetch`` inside a running
process (no start-up, no copy out of the cache) against the same curl run. Both read from
the same stand-in server (Python, in the harness process), so neither can go faster than
it serves; FILE is on the same filesystem as the cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def ours_get(ctx: dict[str, Any]) -> Metrics:
    """The whole ``get`` command in a fresh interpreter, home empty, until it exits."""
    check()
    home = os.environ["ARTIFACT_VIEWER_HOME"]
    env = {**os.environ, "ANON_API_KEY": ctx["api_key"], "ANON_BASE_URL": ctx["base_url"]}
    with tempfile.TemporaryDirectory(dir=home) as folder:
        target = os.path.join(folder, "artifact.bin")
        cmd = [sys.executable, "-m", "artifact_viewer", "get", ctx["artifact_id"], "-o", target]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
            raise RuntimeError(f"get exited {proc.returncode}: {tail}")
        size = os.path.getsize(target)
    if size != ctx["size"]:
        raise RuntimeError(f"get wrote {size} bytes, expected {ctx['size']}")
    return {"get": elapsed, "bytes_per_s": size / elapsed, "peak_rss": peak_rss_children()}


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
    roles={
        "ours_get": "bench.p8_download:ours_get",
        "ours": "bench.p8_download:ours",
        "floor": "bench.p8_download:floor",
    },
    floor_roles=frozenset({"floor"}),
    data=("csv_1g",),
    check=check,
    session=lambda ctx: served.big_file_server(ctx, "csv_1g"),
    rows=[
        Row(
            "Download 1 GB: whole `get -o FILE` command (loopback, verified)",
            ("ours_get", "get"),
            ("floor", "curl"),
            throughput_at_least(0.8),
            floor_name="curl -o FILE",
            size_of="csv_1g",
        ),
        Row(
            "Download 1 GB: fetch into the cache, in-process (loopback, verified)",
            ("ours", "download"),
            ("floor", "curl"),
            throughput_at_least(0.8),
            floor_name="curl -o FILE",
            size_of="csv_1g",
        ),
    ],
)
