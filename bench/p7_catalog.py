"""P7: a 100k-artifact catalog: first page in the window and a name search, against targets.

The session syncs the stand-in server's 100k-artifact data set into a bench home once; each
run then opens the real main window on that catalog (offline, so no sync competes) and
times the first page of "all artifacts", then a filter typed into the window's filter box,
key by key: from the last keystroke until the matching artifacts are painted in the list,
which includes the box's typing pause (debounce) a user waits through.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from bench import served
from bench.harness import log
from bench.qtrun import Waiter, qt_app
from bench.spec import Benchmark, Metrics, Row, at_most, require

ARTIFACTS = 100_000
SMOKE_ARTIFACTS = 500
# Bulk artifacts are named records_000000.json ... records_099999.json: this matches 100.
SEARCH_TERM = "records_0424"
SMOKE_SEARCH_TERM = "records_0004"
STEP_TIMEOUT_S = 120.0


def check() -> None:
    require("artifact_viewer.app", "build_app")
    require("artifact_viewer.ui.controllers.sessions", "Connection")
    require("artifact_viewer.core.library", "Library")
    require("artifact_viewer.demo.runner", "DemoServer")


@contextlib.contextmanager
def synced_catalog(ctx: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A home whose catalog holds every workflow, run and artifact of the scaled data set."""
    check()
    count = SMOKE_ARTIFACTS if ctx.get("smoke") else ARTIFACTS
    with tempfile.TemporaryDirectory(prefix="bench-p7-") as home:
        t0 = time.perf_counter()
        with (
            served.app_home(home),
            served.demo_server(scale_artifacts=count) as server,
            served.open_library(
                {"base_url": server.base_url, "api_key": server.api_key}, page_size=500
            ) as library,
        ):
            library.refresh_workflows()
            library.refresh_runs()
            synced = library.refresh_artifacts()
        log(f"  P7 setup: synced {synced} artifacts in {time.perf_counter() - t0:.1f} s")
        yield {"home": home, "artifacts": count}


def _total(window: Any) -> int:
    """How many artifacts the list says the query matches."""
    total = window.artifact_list.model.total
    return int(total() if callable(total) else total)


def ours(ctx: dict[str, Any]) -> Metrics:
    check()
    from PySide6.QtTest import QTest

    from artifact_viewer.app import build_app
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.settings import Settings
    from artifact_viewer.ui.controllers.sessions import Connection

    qt_app()
    paths = app_paths().ensure()
    settings = Settings()
    app = build_app(paths, settings)
    window = app.window
    window.resize(1280, 800)
    window.show()
    try:
        library = served.open_library(ctx, online=False)
        first = Waiter()
        first.hook(window.browser.listLoaded, "listLoaded")
        t0 = time.perf_counter()
        window.attach(Connection(library=library, base_url="", mode="offline"))
        first.wait(("listLoaded",), STEP_TIMEOUT_S)
        first_page = first.times["listLoaded"] - t0
        total = _total(window)
        if total < ctx["artifacts"]:
            raise RuntimeError(f"the window lists {total} artifacts, expected {ctx['artifacts']}")

        term = SMOKE_SEARCH_TERM if ctx.get("smoke") else SEARCH_TERM
        found = Waiter()
        found.hook(window.browser.listLoaded, "listLoaded")
        window.filter_box.setFocus()
        QTest.keyClicks(window.filter_box, term[:-1])
        t0 = time.perf_counter()
        QTest.keyClick(window.filter_box, term[-1])  # the last keystroke starts the clock
        found.wait(("listLoaded",), STEP_TIMEOUT_S)
        window.artifact_list.view.viewport().repaint()  # the results on screen
        search = time.perf_counter() - t0
        debounce = window.filter_timer.interval() / 1000.0
        hits = _total(window)
        if not 0 < hits < total:
            raise RuntimeError(f"search for {term!r} listed {hits} of {total}")
    finally:
        app.close()
        window.close()
    return {
        "first_page": first_page,
        "search": search,
        "search_after_pause": search - debounce,
        "hits": float(hits),
    }


BENCH = Benchmark(
    id="P7",
    title="100k-artifact catalog: first page and search",
    roles={"ours": "bench.p7_catalog:ours"},
    check=check,
    session=synced_catalog,
    rows=[
        Row("100k catalog: first page in the window", ("ours", "first_page"), target=at_most(0.5)),
        Row(
            f"100k catalog: search '{SEARCH_TERM}', last keystroke to results painted",
            ("ours", "search"),
            target=at_most(0.300),
        ),
        Row(
            f"100k catalog: search '{SEARCH_TERM}', the same without the typing pause",
            ("ours", "search_after_pause"),
            target=at_most(0.050),
        ),
    ],
)
