"""P14: the longest GUI-thread stall while a 100k-artifact list filters, sorts and groups.

Uses P7's synced 100k-artifact catalog. Each run opens the real main window on it
(offline, so no sync competes), runs ``bench.stallprobe`` through every step, and keeps
the worst stall of each kind of step: the first page, filters (a name, an artifact term,
a run term, clearing), sorts (by name, size, creation time, run; both ways), grouping by
run on and off, and scrolling through 5,000 rows (pages arriving). The goal is that no
stall exceeds 50 ms. A second row per step gives the most CPU time the GUI thread itself
used between two probe ticks: on a loaded machine the wall-clock stall also counts the
time other processes held the cores, the CPU time does not.
"""

from __future__ import annotations

import time
from typing import Any

from bench import p7_catalog
from bench.qtrun import Waiter, qt_app
from bench.spec import Benchmark, Metrics, Row, at_most
from bench.stallprobe import StallProbe

ID = "P14"
LIMIT_S = 0.050
STEP_TIMEOUT_S = 120.0
SETTLE_MS = 150  # after a step's list arrives: the navigator's filter and repaints follow
FILTERS = ("records_0424", "type:report", "status:failed", "mime:json", "")
SORTS = ((0, False), (0, True), (3, True), (4, False), (7, True))  # (column, descending)
STEPS = ("first_page", "filter", "sort", "group", "scroll")
SCROLL_ROWS = 5_000


def _settle(ms: int = SETTLE_MS) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _step(window: Any, action: Any) -> tuple[float, float]:
    """Run ``action``, wait for the list it causes, let the rest settle: the worst stall
    and the most GUI-thread CPU time between two probe ticks (seconds)."""
    waiter = Waiter()
    waiter.hook(window.browser.listLoaded, "listLoaded")
    probe = StallProbe()
    probe.start()
    action()
    waiter.wait(("listLoaded",), STEP_TIMEOUT_S)
    deadline = time.perf_counter() + STEP_TIMEOUT_S
    while window.ops.busy and time.perf_counter() < deadline:  # the navigator's filter
        _settle(10)
    _settle()
    probe.stop()
    return probe.max_stall_ms / 1000.0, probe.max_busy_ms / 1000.0


def ours(ctx: dict[str, Any]) -> Metrics:
    p7_catalog.check()
    from PySide6.QtCore import Qt

    from artifact_viewer.app import build_app
    from artifact_viewer.core.paths import app_paths
    from artifact_viewer.core.settings import Settings
    from artifact_viewer.ui.controllers.sessions import Connection
    from bench import served

    qt_app()
    paths = app_paths().ensure()
    app = build_app(paths, Settings())
    window = app.window
    window.resize(1440, 900)
    window.show()
    worst: dict[str, float] = {}

    def keep(step: str, measured: tuple[float, float]) -> None:
        stall, busy = measured
        worst[step] = max(worst.get(step, 0.0), stall)
        worst[f"{step}_busy"] = max(worst.get(f"{step}_busy", 0.0), busy)

    try:
        library = served.open_library(ctx, online=False)
        keep(
            "first_page",
            _step(
                window,
                lambda: window.attach(Connection(library=library, base_url="", mode="offline")),
            ),
        )
        for text in FILTERS:

            def apply(text: str = text) -> None:
                window.filter_box.setText(text)
                window.apply_filter()

            keep("filter", _step(window, apply))
        view = window.artifact_list.view
        for column, descending in SORTS:
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            keep("sort", _step(window, lambda c=column, o=order: view.sortByColumn(c, o)))
        for _ in range(3):  # on, off, on (or the other way round, from a remembered state)
            keep("group", _step(window, window.acts.group_by_run.toggle))
        # Scroll to the end a few screens at a time: pages arrive as the view needs them.
        probe = StallProbe()
        probe.start()
        model = window.artifact_list.model
        deadline = time.perf_counter() + STEP_TIMEOUT_S
        bar = view.verticalScrollBar()
        while time.perf_counter() < deadline:
            bar.setValue(bar.maximum())
            _settle(30)
            if model.rowCount() >= min(model.total, SCROLL_ROWS):
                break
        probe.stop()
        keep("scroll", (probe.max_stall_ms / 1000.0, probe.max_busy_ms / 1000.0))
    finally:
        app.close()
        window.close()
    return worst


LABELS = {
    "first_page": "first page in the window",
    "filter": "filters (name, type:, status:, mime:, cleared)",
    "sort": "sorts (name, size, created, run; both ways)",
    "group": "group by run on and off",
    "scroll": "scrolling to 5,000 rows (pages arriving)",
}

BENCH = Benchmark(
    id=ID,
    title="100k-artifact list: longest GUI-thread stall while it filters, sorts and groups",
    roles={"ours": "bench.p14_list_stall:ours"},
    check=p7_catalog.check,
    session=p7_catalog.synced_catalog,
    rows=[
        Row(
            f"100k list: GUI stall, {LABELS[step]}",
            ("ours", step),
            target=at_most(LIMIT_S),
            worst=True,
        )
        for step in STEPS
    ]
    + [
        Row(
            f"100k list: GUI-thread CPU between two ticks, {LABELS[step]}",
            ("ours", f"{step}_busy"),
            target=at_most(LIMIT_S),
            worst=True,
        )
        for step in STEPS
    ],
)
