"""P1: cold start to a usable window on demo data vs a bare PySide6 window.

Both sides start a fresh interpreter and print ``READY`` once their window is up (ours:
with the first workflows listed); the time from spawn to that line is the measurement.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from typing import Any

from bench.spec import Benchmark, Metrics, Row, ratio_at_most

READY = "READY"
START_TIMEOUT_S = 120.0

BARE_WINDOW = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1280, 800)
window.show()

def ready():
    print({READY!r}, flush=True)
    app.quit()

QTimer.singleShot(0, ready)
app.exec()
"""


def time_to_ready(cmd: list[str], env: dict[str, str] | None = None) -> Metrics:
    """Spawn ``cmd`` and time until it prints READY; it is expected to exit by itself."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    elapsed = None
    for line in proc.stdout:
        if line.strip() == READY:
            elapsed = time.perf_counter() - t0
            break
    try:
        _out, err = proc.communicate(timeout=START_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    if elapsed is None:
        tail = " | ".join(err.strip().splitlines()[-3:])
        raise RuntimeError(f"no {READY} line (exit {proc.returncode}): {tail}")
    peak = float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    return {"to_window": elapsed, "peak_rss": peak}


def floor(ctx: dict[str, Any]) -> Metrics:
    return time_to_ready([sys.executable, "-c", BARE_WINDOW])


def ours(ctx: dict[str, Any]) -> Metrics:
    from bench.spec import require

    require("artifact_viewer.ui.main_window")
    raise NotImplementedError


BENCH = Benchmark(
    id="P1",
    title="Cold start to a usable window on demo data",
    roles={"ours": "bench.p1_startup:ours", "floor": "bench.p1_startup:floor"},
    floor_roles=frozenset({"floor"}),
    rows=[
        Row(
            "Cold start to window with demo workflows",
            ("ours", "to_window"),
            ("floor", "to_window"),
            ratio_at_most(1.5),
            floor_name="bare PySide6 window",
        ),
    ],
)
