"""Every measured benchmark, in report order (P10 is derived from P2-P6 afterwards)."""

from __future__ import annotations

from bench.spec import Benchmark


def all_benchmarks() -> list[Benchmark]:
    from bench import (
        bundle,
        compare,
        p1_startup,
        p2_csv,
        p3_json,
        p4_log,
        p5_pdf,
        p6_image,
        p7_catalog,
        p8_download,
        p9_verify,
        p14_list_stall,
        search,
    )

    modules = (
        p1_startup,
        p2_csv,
        p3_json,
        p4_log,
        p5_pdf,
        p6_image,
        p7_catalog,
        p8_download,
        p9_verify,
        search,
        compare,
        bundle,
        p14_list_stall,
    )
    for module in modules:
        text = " ".join((module.__doc__ or "").split())
        module.BENCH.about = text.removeprefix(f"{module.BENCH.id}: ")
    return [m.BENCH for m in modules]
