"""P4: a 1 GB log in the log previewer: first screen, jump to end, search vs ``grep -c``.

Ours: the file opened as the window opens it (``bench.previewload``), first open and repeat
open: the click until the first lines are painted; End pressed at once (while lines are still being indexed)
until the last lines are painted; after the index is complete, the term typed into the
find box and Enter until all hits are known. Floor: ``grep -c -F`` on the same file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench import previewload
from bench.qtrun import Waiter
from bench.spec import (
    Benchmark,
    FeatureMissing,
    Metrics,
    Row,
    ToolMissing,
    at_most,
    throughput_at_least,
)

# A word on a minority of the demo log's lines, so both sides must scan the whole file.
SEARCH_TERM = "ERROR"
STEP_TIMEOUT_S = 300.0


def _jump_to_end(widget: Any, _waiter: Waiter) -> Metrics:
    """Press End on the first screen, while the rest of the file is still being indexed."""
    button = getattr(widget, "end_button", None)
    if button is None:
        raise FeatureMissing("log previewer has no End button")
    t0 = time.perf_counter()
    button.click()
    widget.view.viewport().repaint()  # the jump counts once the last lines are drawn
    return {"jump_to_end": time.perf_counter() - t0}


def _search(widget: Any, waiter: Waiter) -> Metrics:
    """Type the term and press Enter; done when the previewer holds the full hit list."""
    if not hasattr(widget, "search_result") or not hasattr(widget, "find_edit"):
        raise FeatureMissing("log previewer has no find box / search_result()")
    widget.find_edit.setText(SEARCH_TERM)
    t0 = time.perf_counter()
    widget.find_edit.returnPressed.emit()
    done = waiter.wait_until(lambda: widget.search_result() is not None, STEP_TIMEOUT_S)
    result = widget.search_result()
    return {"search": done - t0, "matches": float(getattr(result, "total", -1))}


def ours(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(
        Path(ctx["data"]["log_1g"]),
        "text/plain",
        "log",
        painted_in=lambda widget: widget.view.viewport(),
        after_ready=_jump_to_end,
        after_finished=_search,
    )


def floor(ctx: dict[str, Any]) -> Metrics:
    grep = shutil.which("grep")
    if grep is None:
        raise ToolMissing("grep is not installed")
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
        Row(
            "1 GB log: first screen (painted), first open", ("ours", "painted"), target=at_most(0.2)
        ),
        Row(
            "1 GB log: first screen (painted), repeat open",
            ("ours", "repeat_painted"),
            target=at_most(0.2),
        ),
        Row("1 GB log: jump to end (while indexing)", ("ours", "jump_to_end"), target=at_most(0.2)),
        Row("1 GB log: full line index", ("ours", "full_load")),
        Row(
            f"1 GB log: search '{SEARCH_TERM}'",
            ("ours", "search"),
            ("floor", "grep_c"),
            throughput_at_least(0.5),
            floor_name="grep -c -F",
            size_of="log_1g",
        ),
    ],
)
