"""Worker-side routine shared by P2-P6: open a file the way the window does, and time it.

Each run is a fresh process set up as ``app.gui_main`` sets itself up
(:func:`artifact_viewer.app.start_gui_runtime`: the binding fix, the GUI-thread garbage
collector, and the start-up steps that run after the first paint). The file is then opened
through :class:`~artifact_viewer.previews.host.PreviewHost`, the preview area the window
embeds (it sniffs the file on the pool, picks the previewer, and shows it once ready),
twice: the *first open* pays every one-time cost a user pays on their first click (module
imports, caches), the *repeat open* is the same file clicked again. Both are timed with
the stall probe running; the first open's probe also covers the start-up steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.qtrun import Waiter, qt_app, shows_ink, stall_probe, stop_probe
from bench.spec import FeatureMissing, Metrics, require

LOAD_TIMEOUT_S = 300.0
STARTUP_TIMEOUT_S = 30.0
# The two opens of one run; metric names of the repeat open carry this prefix.
REPEAT = "repeat_"


def make_host() -> Any:
    """The preview area as the window shows it, at 1280x800, after the app's start-up."""
    host_mod = require("artifact_viewer.previews.host", "PreviewHost")
    app_mod = require("artifact_viewer.app", "start_gui_runtime")
    qt = qt_app()
    runtime = app_mod.start_gui_runtime(qt)
    host = host_mod.PreviewHost()
    host.resize(1280, 800)
    host.show()
    from PySide6.QtTest import QTest

    QTest.qWaitForWindowExposed(host, 5000)
    return host, runtime


def open_once(
    host: Any,
    path: Path,
    mime: str,
    kind: str,
    *,
    before: Callable[[], None] | None = None,
    want_finished: bool = True,
    painted_in: Callable[[Any], Any] | None = None,
    painted_signal: Callable[[Any], Any] | None = None,
    after_ready: Callable[[Any, Waiter], Metrics] | None = None,
    after_finished: Callable[[Any, Waiter], Metrics] | None = None,
) -> Metrics:
    """Open ``path`` in ``host`` (as a click in the artifact list does) and time it.

    ``first_screen`` is the click until the previewer says ``ready`` (the host then shows
    it); ``full_load`` until ``finished``. With ``painted_in`` (previewer -> the child that
    draws the content), ``painted`` is the click until the host shows the previewer and that
    child paints real content. With ``painted_signal`` (previewer -> a signal the
    previewer emits once its content is on screen) that signal's time is ``painted``
    instead, so no polling grab adds to it; the ink check then runs after the clock.
    ``before`` runs under the stall probe before the click.
    """
    waiter = Waiter()
    chosen: list[str] = []

    def on_kind(picked: str) -> None:
        chosen.append(picked)
        previewer = host.previewer()
        if previewer is None:
            return
        for name in ("ready", "finished", "failed"):
            waiter.hook(getattr(previewer, name), name)
        if painted_signal is not None:
            waiter.hook(painted_signal(previewer), "painted")

    host.kindChanged.connect(on_kind)
    waiter.hook(host.failed, "failed")
    probe = stall_probe()
    metrics: Metrics = {}
    try:
        if before is not None:
            before()
        t0 = waiter.t0 = time.perf_counter()
        host.show_file(path, mime, path.name)
        waiter.wait(("ready",), LOAD_TIMEOUT_S, fail_on=("failed",))
        if chosen[:1] != [kind]:
            raise RuntimeError(f"the window picks {chosen[:1]} for {path.name}, not {kind!r}")
        previewer = host.previewer()
        metrics["first_screen"] = waiter.times["ready"] - t0
        if painted_signal is not None:
            waiter.wait(("painted",), LOAD_TIMEOUT_S, fail_on=("failed",))
            metrics["painted"] = waiter.times["painted"] - t0
            if painted_in is not None and not shows_ink(painted_in(previewer)):
                raise RuntimeError("the previewer said painted, but nothing shows")
        elif painted_in is not None:
            target = painted_in(previewer)
            done = waiter.wait_until(
                lambda: host.stack.currentWidget() is previewer and shows_ink(target),
                LOAD_TIMEOUT_S,
                poll_ms=10,
            )
            metrics["painted"] = done - t0
        if after_ready is not None:
            metrics.update(after_ready(previewer, waiter))
        if want_finished or after_finished is not None:
            waiter.wait(("finished",), LOAD_TIMEOUT_S, fail_on=("failed",))
            metrics["full_load"] = waiter.times["finished"] - t0
        if after_finished is not None:
            metrics.update(after_finished(previewer, waiter))
    finally:
        host.kindChanged.disconnect(on_kind)
        metrics.update(stop_probe(probe))
    return metrics


def load(
    path: Path,
    mime: str,
    kind: str,
    *,
    repeat: bool = True,
    want_finished: bool = True,
    painted_in: Callable[[Any], Any] | None = None,
    painted_signal: Callable[[Any], Any] | None = None,
    after_ready: Callable[[Any, Waiter], Metrics] | None = None,
    after_finished: Callable[[Any, Waiter], Metrics] | None = None,
) -> Metrics:
    """First open (and with ``repeat`` a repeat open) of ``path`` in a fresh preview area.

    The first open's metrics keep their names (``first_screen``, ``painted``, ``full_load``,
    ``max_stall``); the repeat open's carry the ``repeat_`` prefix. ``after_ready`` and
    ``after_finished`` (steps a user takes on the file) run on the first open only.
    """
    check(kind)
    host, runtime = make_host()

    def settle() -> None:
        # The app's start-up steps (imports ahead of need) run while the user looks at the
        # window; a click that comes before they are done waits for nothing but still
        # shares the CPU with them. The probe runs meanwhile: their stalls count too.
        Waiter().wait_until(runtime.idle, STARTUP_TIMEOUT_S, poll_ms=20)

    metrics = open_once(
        host,
        path,
        mime,
        kind,
        before=settle,
        want_finished=want_finished,
        painted_in=painted_in,
        painted_signal=painted_signal,
        after_ready=after_ready,
        after_finished=after_finished,
    )
    if repeat:
        again = open_once(
            host,
            path,
            mime,
            kind,
            want_finished=want_finished,
            painted_in=painted_in,
            painted_signal=painted_signal,
        )
        metrics.update({REPEAT + name: value for name, value in again.items()})
    host.clear()
    host.close()
    runtime.stop()
    return metrics


def check(kind: str) -> None:
    """Raise FeatureMissing unless the registry can build a ``kind`` previewer."""
    registry = require("artifact_viewer.previews.registry", "previewer_class")
    if registry.previewer_class(kind) is None:
        target = getattr(registry, "_CLASSES", {}).get(kind, kind)
        raise FeatureMissing(f"no {kind} previewer ({target.split(':')[0]})")


def checker(kind: str) -> Callable[[], None]:
    """A parent-side check for Benchmark.check."""
    return lambda: check(kind)
