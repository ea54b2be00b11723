"""Qt helpers for benchmark workers: one QApplication, waiting on signals, the stall probe."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np  # here, not in shows_ink: importing it mid-measurement would stall the loop


def qt_app() -> Any:
    from PySide6.QtWidgets import QApplication

    from artifact_viewer.qt import binding

    binding.install()  # as the app does, before any signal is emitted
    return QApplication.instance() or QApplication([])


class Waiter:
    """Record when signals fire (perf_counter) and run an event loop until they do.

    A real ``QEventLoop`` (not a processEvents poll) so waiting costs no CPU that the
    app's worker threads could use.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop

        self.times: dict[str, float] = {}
        self.values: dict[str, tuple[Any, ...]] = {}
        self._loop = QEventLoop()
        self._wanted: tuple[str, ...] = ()
        self.t0 = 0.0  # when the measured action started (set by the caller)

    def hook(self, signal: Any, name: str) -> None:
        def _fired(*args: Any) -> None:
            self.times.setdefault(name, time.perf_counter())
            self.values.setdefault(name, args)
            if name in self._wanted and self._loop.isRunning():
                self._loop.quit()

        signal.connect(_fired)

    def wait(self, names: tuple[str, ...], timeout_s: float, fail_on: tuple[str, ...] = ()) -> str:
        """Run the event loop until one of ``names`` (or a ``fail_on`` name) has fired."""
        from PySide6.QtCore import QTimer

        self._wanted = (*fail_on, *names)
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(self._loop.quit)
        timer.start(int(timeout_s * 1000))
        while True:
            for name in (*fail_on, *names):
                if name in self.times:
                    timer.stop()
                    if name in fail_on:
                        raise RuntimeError(f"{name}: {self.values.get(name)}")
                    return name
            if not timer.isActive():
                raise TimeoutError(f"none of {names} within {timeout_s:.0f} s")
            self._loop.exec()

    def wait_until(
        self, predicate: Callable[[], bool], timeout_s: float, poll_ms: int = 5
    ) -> float:
        """Run the event loop until ``predicate()`` holds; returns when (perf_counter).

        For results the widget keeps without a signal; polling by timer costs no CPU.
        """
        from PySide6.QtCore import QTimer

        deadline = QTimer()
        deadline.setSingleShot(True)
        deadline.timeout.connect(self._loop.quit)
        ticker = QTimer()
        ticker.setInterval(poll_ms)
        ticker.timeout.connect(lambda: predicate() and self._loop.quit())
        deadline.start(int(timeout_s * 1000))
        ticker.start()
        try:
            while not predicate():
                if not deadline.isActive():
                    raise TimeoutError(f"condition not met within {timeout_s:.0f} s")
                self._loop.exec()
            return time.perf_counter()
        finally:
            ticker.stop()
            deadline.stop()


# The running stall probe: paused while the harness grabs the screen.
_probe: Any | None = None


def shows_ink(widget: Any, threshold: int = 64) -> bool:
    """True once ``widget`` paints some near-black pixels (text or lines), i.e. real content.

    Grabbing forces a paint, as a user's screen would; placeholders and backgrounds are
    lighter than printed text. The grab is the harness's work, not the app's: the stall
    probe does not count it.
    """
    from PySide6.QtGui import QImage

    probe = _probe
    if probe is not None:
        probe.pause()
    try:
        image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    finally:
        if probe is not None:
            probe.resume()
    if image.isNull() or image.width() == 0:
        return False
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = pixels.reshape(image.height(), image.bytesPerLine())[:, : image.width()]
    return bool((rows < threshold).any())


def stall_probe() -> Any | None:
    """The previewers' own stall probe, started; None while it does not exist."""
    try:
        from bench.stallprobe import StallProbe
    except ImportError:
        return None
    global _probe
    probe = StallProbe()
    probe.start()
    _probe = probe
    return probe


def stop_probe(probe: Any | None) -> dict[str, float]:
    """Stop the probe and return ``{"max_stall": seconds, ...}`` (empty without a probe).

    ``max_stall_cpu`` is the CPU time the GUI thread itself used during the longest stall:
    close to the stall, the app's own work; near zero, the thread waited (for a core on a
    loaded machine, or for the GIL).
    """
    global _probe
    if probe is None:
        return {}
    if _probe is probe:
        _probe = None
    probe.stop()
    metrics = {
        "max_stall": float(probe.max_stall_ms) / 1000.0,
        "stalls_over_50ms": float(probe.stalls_over(50)),
    }
    gaps, busy = getattr(probe, "gaps_ms", []), getattr(probe, "busy_ms", [])
    if gaps and len(busy) == len(gaps):
        longest = max(range(len(gaps)), key=gaps.__getitem__)
        metrics["max_stall_cpu"] = float(busy[longest]) / 1000.0
    return metrics
