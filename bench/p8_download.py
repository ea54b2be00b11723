"""P8: download a 1 GB artifact over loopback with inline verification vs curl on the same URL."""

from __future__ import annotations

from typing import Any

from bench.spec import Benchmark, Metrics, Row, require, throughput_at_least


def ours(ctx: dict[str, Any]) -> Metrics:
    require("artifact_viewer.core.fetcher")
    raise NotImplementedError


def floor(ctx: dict[str, Any]) -> Metrics:
    require("artifact_viewer.demo.server")
    raise NotImplementedError


BENCH = Benchmark(
    id="P8",
    title="Download 1 GB on loopback with verification",
    roles={"ours": "bench.p8_download:ours", "floor": "bench.p8_download:floor"},
    floor_roles=frozenset({"floor"}),
    rows=[
        Row(
            "Download 1 GB (loopback, verified)",
            ("ours", "download"),
            ("floor", "curl"),
            throughput_at_least(0.8),
            floor_name="curl -o file",
        ),
    ],
)
