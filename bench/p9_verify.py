"""P9: verify a cached 1 GB artifact against its hash vs a bare ``hashlib.sha256`` pass."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from bench.spec import Benchmark, Metrics, Row, throughput_at_least


def floor(ctx: dict[str, Any]) -> Metrics:
    t0 = time.perf_counter()
    with open(ctx["data"]["csv_1g"], "rb") as fh:
        hashlib.file_digest(fh, "sha256").hexdigest()
    return {"sha256": time.perf_counter() - t0}


def ours(ctx: dict[str, Any]) -> Metrics:
    from bench.spec import require

    require("artifact_viewer.core.store", "BlobStore")
    raise NotImplementedError


BENCH = Benchmark(
    id="P9",
    title="Verify a cached 1 GB file",
    roles={"ours": "bench.p9_verify:ours", "floor": "bench.p9_verify:floor"},
    floor_roles=frozenset({"floor"}),
    data=("csv_1g",),
    rows=[
        Row(
            "Verify cached 1 GB file",
            ("ours", "verify"),
            ("floor", "sha256"),
            throughput_at_least(0.9),
            floor_name="hashlib.sha256",
        ),
    ],
)
