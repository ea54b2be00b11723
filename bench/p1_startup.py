"""P1: cold start to a usable window vs a bare PySide6 window.

Both sides start a fresh interpreter and print ``READY`` once their window is up; the time
from spawn to that line is the measurement. ``ours_cached`` is the everyday start: the real
entry point (``gui_main``, as ``artifact-viewer``) with a saved key and a home whose
catalog already holds 10k runs, ready when the navigator lists them (the refresh against
the API, a stand-in server in the harness process, follows). ``ours`` runs
``artifact-viewer --demo`` in an empty app home, so it includes starting the demo server
and the first sync, and is ready when the navigator lists workflows; ``ours_warm`` starts
the demo again in a home where that already happened once. Floor: a ``QMainWindow``
shown, then its first event-loop turn.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any

from bench import served
from bench.harness import kill_group, log, worker_env
from bench.spec import Benchmark, FeatureMissing, Metrics, Row, ratio_at_most, require

READY = "READY"
START_TIMEOUT_S = 60.0

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


# The real entry point (``gui_main``), with build_app wrapped so the script hears the first
# navigator fill that holds workflows; then it quits through the app's own shutdown path.
APP_WINDOW = f"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import artifact_viewer.app as entry

real_build = entry.build_app
said = []

def build_app(*args, **kwargs):
    app = real_build(*args, **kwargs)
    window = app.window

    def tree_loaded():
        tree = window.navigator.model.tree
        if said or not getattr(tree, "workflows", None):
            return
        said.append(True)
        print({READY!r}, flush=True)
        QTimer.singleShot(0, QApplication.quit)

    window.browser.treeLoaded.connect(tree_loaded)
    return app

entry.build_app = build_app
sys.exit(entry.gui_main(demo="--demo" in sys.argv[1:]))
"""

# Runs in the cached catalog of ``ours_cached`` (one artifact each).
CACHED_RUNS = 10_000
SMOKE_CACHED_RUNS = 200


def time_to_ready(cmd: list[str], env: dict[str, str] | None = None) -> Metrics:
    """Spawn ``cmd``, time until it prints READY, then kill it.

    Killed, because how long it takes to quit is not start-up time (SIGTERM would start
    the app's orderly shutdown); what it saved by then is committed SQLite state.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # so the kill below also ends a demo server it started
    )
    ready_at: list[float] = []
    said = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == READY and not ready_at:
                ready_at.append(time.perf_counter())
                said.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    said.wait(START_TIMEOUT_S)
    if ready_at:
        kill_group(proc)
    try:
        _out, err = proc.communicate(timeout=START_TIMEOUT_S if ready_at else 0.5)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        _out, err = proc.communicate()
    reader.join(timeout=5)
    if not ready_at:
        tail = " | ".join(err.strip().splitlines()[-3:])
        raise RuntimeError(f"no {READY} line within {START_TIMEOUT_S:.0f} s: {tail}")
    peak = float(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    return {"to_window": ready_at[0] - t0, "peak_rss": peak}


def floor(ctx: dict[str, Any]) -> Metrics:
    return time_to_ready([sys.executable, "-c", BARE_WINDOW])


@contextlib.contextmanager
def primed_home(ctx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Homes prepared once: one the demo has started in (``ours_warm``), and one whose
    catalog holds CACHED_RUNS runs of a stand-in server that keeps running (``ours_cached``)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-p1-") as home,
        tempfile.TemporaryDirectory(prefix="bench-p1-cached-") as cached_home,
    ):
        try:
            check()
        except FeatureMissing:
            yield {}
            return
        time_to_ready([sys.executable, "-c", APP_WINDOW, "--demo"], env=worker_env(home))
        dataset_mod = require("artifact_viewer.demo.dataset", "build_dataset")
        runs = SMOKE_CACHED_RUNS if ctx.get("smoke") else CACHED_RUNS
        dataset = dataset_mod.build_dataset(1, scale_artifacts=runs, artifacts_per_run=1)
        t0 = time.perf_counter()
        with served.demo_server(dataset=dataset) as server:
            server_ctx = {"base_url": server.base_url, "api_key": server.api_key}
            with served.app_home(cached_home), served.open_library(server_ctx) as library:
                library.refresh_workflows()
                library.refresh_runs()
                library.refresh_artifacts()
                count = library.catalog.count_rows("workflow_runs")
            log(
                f"  P1 setup: {count} runs in the cached catalog ({time.perf_counter() - t0:.1f} s)"
            )
            yield {"homes": {"ours_warm": home, "ours_cached": cached_home}, **server_ctx}


def check() -> None:
    require("artifact_viewer.app", "gui_main", "build_app")
    require("artifact_viewer.ui.main_window", "MainWindow")


def ours(ctx: dict[str, Any]) -> Metrics:
    # No check() here: importing the window in this worker would only slow the run down.
    return time_to_ready([sys.executable, "-c", APP_WINDOW, "--demo"])


def ours_cached(ctx: dict[str, Any]) -> Metrics:
    """Start with a saved key (from the environment) on a home with a synced catalog."""
    if "base_url" not in ctx:
        raise FeatureMissing("no cached catalog was prepared")
    env = {**os.environ, "ANON_API_KEY": ctx["api_key"], "ANON_BASE_URL": ctx["base_url"]}
    return time_to_ready([sys.executable, "-c", APP_WINDOW], env=env)


def ours_warm(ctx: dict[str, Any]) -> Metrics:
    return ours(ctx)


BENCH = Benchmark(
    id="P1",
    title="Cold start to a usable window on demo data",
    roles={
        "ours_cached": "bench.p1_startup:ours_cached",
        "ours": "bench.p1_startup:ours",
        "ours_warm": "bench.p1_startup:ours_warm",
        "floor": "bench.p1_startup:floor",
    },
    floor_roles=frozenset({"floor"}),
    check=check,
    session=primed_home,
    rows=[
        Row(
            "Cold start to window listing a cached catalog of 10k runs (saved key)",
            ("ours_cached", "to_window"),
            ("floor", "to_window"),
            ratio_at_most(1.5),
            floor_name="bare PySide6 window",
        ),
        Row(
            "Cold start (fresh home) to window listing demo workflows",
            ("ours", "to_window"),
            ("floor", "to_window"),
            ratio_at_most(3.0),
            floor_name="bare PySide6 window",
        ),
        Row(
            "Start again (demo catalog already synced) to window listing workflows",
            ("ours_warm", "to_window"),
            ("floor", "to_window"),
            ratio_at_most(3.0),
            floor_name="bare PySide6 window",
        ),
    ],
)
