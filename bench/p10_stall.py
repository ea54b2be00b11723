"""P10: the longest GUI-thread stall seen while the previewers of P2-P6 load their files.

The previewer benchmarks run ``bench.stallprobe`` (a QTimer that measures how late it
fires) during each open and report ``max_stall`` (first open of the session, which also
covers the app's start-up steps before the click) and ``repeat_max_stall`` (the same file
opened again); this module gathers those into rows. The goal is that no stall exceeds
50 ms, so each row shows the worst run, not the median.
"""

from __future__ import annotations

from typing import Any

from bench import report
from bench.spec import Benchmark, Row, at_most

ID = "P10"
LIMIT_S = 0.050
# benchmark id -> (label, the role that loads through our previewer)
SOURCES: dict[str, tuple[str, str]] = {
    "P2": ("1 GB CSV", "ours"),
    "P3": ("100 MB JSON tree", "ours"),
    "P4": ("1 GB log", "ours"),
    "P5": ("500-page PDF", "ours"),
    "P6": ("8k x 8k PNG", "ours"),
}

BENCH = Benchmark(
    about=" ".join((__doc__ or "").split()).removeprefix(f"{ID}: "),
    id=ID,
    title="Longest GUI-thread stall during P2-P6 (QTimer probe)",
    roles={},
    rows=[
        Row(
            f"GUI stall while loading {label} ({src}), {which} open",
            (f"{src}:{role}", f"{prefix}max_stall"),
            target=at_most(LIMIT_S),
            worst=True,
        )
        for src, (label, role) in SOURCES.items()
        for which, prefix in (("first", ""), ("repeat", "repeat_"))
    ],
)


def derive(benchmarks: dict[str, Any]) -> dict[str, Any]:
    """A result shaped like a measured one, borrowing the stall metric from P2-P6 runs."""
    out: dict[str, Any] = {
        "id": ID,
        "title": BENCH.title,
        "about": BENCH.about,
        "runs": {},
        "status": {},
    }
    dates = []
    for src, (_label, role) in SOURCES.items():
        key = f"{src}:{role}"
        source = benchmarks.get(src)
        if source is None:
            out["status"][key] = f"not measured ({src} was not run)"
            out["runs"][key] = []
            continue
        dates.append(source.get("measured_at", ""))
        runs = source["runs"].get(role, [])
        out["runs"][key] = runs
        status = source["status"].get(role)
        if status:
            out["status"][key] = status
        elif runs and not any("max_stall" in r.get("metrics", {}) for r in runs):
            out["status"][key] = "not measured (feature missing: bench.stallprobe)"
    out["measured_at"] = max(dates) if dates else ""
    out["rows"] = [report.compute_row(BENCH, row, out) for row in BENCH.rows]
    # Peak memory belongs to the source benchmark's row, not to the stall row.
    for row in out["rows"]:
        row["peak_rss_ours"] = None
    return out
