"""Worker-side routine shared by P2-P6: load a file through our previewer and time it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.qtrun import Waiter, qt_app, shows_ink, stall_probe, stop_probe
from bench.spec import FeatureMissing, Metrics, require

LOAD_TIMEOUT_S = 300.0


def make_previewer(path: Path, mime: str, kind: str) -> tuple[Any, Any]:
    """Build the ``kind`` previewer through the registry; returns (widget, source).

    The registry must also rank ``kind`` first for this file, or the benchmark would time
    a previewer the window would not pick.
    """
    base = require("artifact_viewer.previews.base", "PreviewSource")
    registry = require("artifact_viewer.previews.registry", "create", "choose")
    source = base.PreviewSource(path=path, mime=mime, name=path.name)
    check(kind)
    chosen = registry.choose(source)
    if not chosen or chosen[0] != kind:
        raise RuntimeError(f"registry picks {chosen[:1]} for {path.name}, not {kind!r}")
    return registry.create(kind), source


def load(
    path: Path,
    mime: str,
    kind: str,
    *,
    want_finished: bool = True,
    painted_in: Callable[[Any], Any] | None = None,
    after_ready: Callable[[Any, Waiter], Metrics] | None = None,
    after_finished: Callable[[Any, Waiter], Metrics] | None = None,
) -> Metrics:
    """Show the previewer, load ``path``, and report first screen, full load and stalls.

    ``first_screen`` is load() -> ``ready``; ``full_load`` is load() -> ``finished``.
    With ``painted_in`` (widget -> the child that draws the content), ``painted`` is
    load() -> that child first paints real content (some previewers render after ready).
    ``after_ready`` times steps a user can take on the first screen (while the rest
    loads); ``after_finished`` times steps on the fully loaded file.
    """
    qt_app()
    widget, source = make_previewer(path, mime, kind)
    widget.resize(1280, 800)
    widget.show()
    # The first show pays one-time costs (fonts, style polish) that are not the load's:
    # let it finish before the stall probe and the clock start.
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTest import QTest

    QTest.qWaitForWindowExposed(widget, 5000)
    QCoreApplication.processEvents()
    if painted_in is not None:
        shows_ink(painted_in(widget))  # the empty view has been on screen once already
    waiter = Waiter()
    for signal in ("ready", "finished", "failed"):
        waiter.hook(getattr(widget, signal), signal)
    probe = stall_probe()
    metrics: Metrics = {}
    t0 = waiter.t0 = time.perf_counter()
    widget.load(source)
    waiter.wait(("ready",), LOAD_TIMEOUT_S, fail_on=("failed",))
    metrics["first_screen"] = waiter.times["ready"] - t0
    if painted_in is not None:
        target = painted_in(widget)
        done = waiter.wait_until(lambda: shows_ink(target), LOAD_TIMEOUT_S, poll_ms=10)
        metrics["painted"] = done - t0
    if after_ready is not None:
        metrics.update(after_ready(widget, waiter))
    if want_finished or after_finished is not None:
        waiter.wait(("finished",), LOAD_TIMEOUT_S, fail_on=("failed",))
        metrics["full_load"] = waiter.times["finished"] - t0
    if after_finished is not None:
        metrics.update(after_finished(widget, waiter))
    metrics.update(stop_probe(probe))
    widget.cancel()
    widget.close()
    widget.deleteLater()
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
