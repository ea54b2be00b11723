"""P9: verify a cached 1 GB artifact against its hash vs a bare ``hashlib.sha256`` pass.

The session downloads the artifact once into a bench home; each run then re-verifies that
cached file offline (ours) or hashes the very same blob file (floor).
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from bench import served
from bench.spec import Benchmark, Metrics, Row, require, throughput_at_least


def check() -> None:
    require("artifact_viewer.core.library", "Library")
    require("artifact_viewer.demo.runner", "DemoServer")


@contextlib.contextmanager
def cached_artifact(ctx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A home whose cache holds the 1 GB artifact, fetched through our own store."""
    check()
    with tempfile.TemporaryDirectory(prefix="bench-p9-") as home:
        with (
            served.app_home(home),
            served.big_file_server(ctx, "csv_1g") as extra,
            served.open_library(extra) as library,
        ):
            blob = library.fetch(extra["artifact_id"])
        yield {"home": home, "artifact_id": extra["artifact_id"], "blob": str(blob)}


def ours(ctx: dict[str, Any]) -> Metrics:
    with served.open_library(ctx, online=False) as library:
        t0 = time.perf_counter()
        state = library.verify(ctx["artifact_id"])
        elapsed = time.perf_counter() - t0
    if str(getattr(state, "value", state)) != "verified":
        raise RuntimeError(f"verify said {state}, expected verified")
    return {"verify": elapsed}


def floor(ctx: dict[str, Any]) -> Metrics:
    t0 = time.perf_counter()
    with open(ctx["blob"], "rb") as fh:
        hashlib.file_digest(fh, "sha256").hexdigest()
    return {"sha256": time.perf_counter() - t0}


BENCH = Benchmark(
    id="P9",
    title="Verify a cached 1 GB file",
    roles={"ours": "bench.p9_verify:ours", "floor": "bench.p9_verify:floor"},
    floor_roles=frozenset({"floor"}),
    data=("csv_1g",),
    check=check,
    session=cached_artifact,
    rows=[
        Row(
            "Verify cached 1 GB file",
            ("ours", "verify"),
            ("floor", "sha256"),
            throughput_at_least(0.9),
            floor_name="hashlib.sha256 (same blob)",
            size_of="csv_1g",
        ),
    ],
)
