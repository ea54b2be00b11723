"""P7: a 100k-artifact catalog: first page in the window and a search, both against targets."""

from __future__ import annotations

from typing import Any

from bench.spec import Benchmark, Metrics, Row, at_most, require


def ours(ctx: dict[str, Any]) -> Metrics:
    require("artifact_viewer.ui.main_window")
    raise NotImplementedError


BENCH = Benchmark(
    id="P7",
    title="100k-artifact catalog: first page and search",
    roles={"ours": "bench.p7_catalog:ours"},
    rows=[
        Row("100k catalog: first page in the window", ("ours", "first_page"), target=at_most(0.5)),
        Row("100k catalog: search", ("ours", "search"), target=at_most(0.050)),
    ],
)
