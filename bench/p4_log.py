"""P4: a 1 GB log in the text previewer: first screen, jump to end, search vs ``grep -c``."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import previewload
from bench.qtrun import Waiter
from bench.spec import Benchmark, FeatureMissing, Metrics, Row, at_most, throughput_at_least

# A word that appears on a minority of lines of the demo log, so both sides must scan it all.
SEARCH_TERM = "ERROR"
STEP_TIMEOUT_S = 300.0


def _jump_and_search(widget: Any, waiter: Waiter) -> Metrics:
    """Time jump-to-end and a full search through whatever the log previewer offers."""
    metrics: Metrics = {}
    jump = getattr(widget, "jump_to_end", None) or getattr(widget, "scroll_to_end", None)
    if jump is None:
        raise FeatureMissing("log previewer has no jump_to_end()")
    t0 = time.perf_counter()
    jump()
    for signal in ("jumped", "positioned"):
        if hasattr(widget, signal):
            waiter.hook(getattr(widget, signal), signal)
            waiter.wait((signal,), STEP_TIMEOUT_S)
            break
    metrics["jump_to_end"] = time.perf_counter() - t0
    search = getattr(widget, "search", None) or getattr(widget, "find_all", None)
    done = getattr(widget, "search_finished", None)
    if search is None or done is None:
        raise FeatureMissing("log previewer has no search()/search_finished")
    waiter.hook(done, "search_finished")
    t0 = time.perf_counter()
    search(SEARCH_TERM)
    waiter.wait(("search_finished",), STEP_TIMEOUT_S, fail_on=("failed",))
    metrics["search"] = waiter.times["search_finished"] - t0
    found = waiter.values["search_finished"]
    if found and isinstance(found[0], int):
        metrics["matches"] = float(found[0])
    return metrics


def ours(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(
        Path(ctx["data"]["log_1g"]),
        "text/plain",
        "log",
        want_finished=False,
        after=_jump_and_search,
    )


def floor(ctx: dict[str, Any]) -> Metrics:
    grep = shutil.which("grep")
    if grep is None:
        raise FeatureMissing("grep is not installed")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [grep, "-c", "-F", SEARCH_TERM, ctx["data"]["log_1g"]],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=False,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"grep failed: {proc.stderr.strip()}")
    return {"grep_c": elapsed, "matches": float(proc.stdout.strip() or 0)}


BENCH = Benchmark(
    id="P4",
    title="1 GB log: first screen, jump to end, search",
    roles={"ours": "bench.p4_log:ours", "floor": "bench.p4_log:floor"},
    floor_roles=frozenset({"floor"}),
    data=("log_1g",),
    check=previewload.checker("log"),
    rows=[
        Row("1 GB log: first screen", ("ours", "first_screen"), target=at_most(0.2)),
        Row("1 GB log: jump to end", ("ours", "jump_to_end"), target=at_most(0.2)),
        Row(
            f"1 GB log: search '{SEARCH_TERM}'",
            ("ours", "search"),
            ("floor", "grep_c"),
            throughput_at_least(0.5),
            floor_name="grep -c -F",
        ),
    ],
)
