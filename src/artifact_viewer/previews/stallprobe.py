"""Measure how long the GUI event loop goes without running (the longest stall).

A precise timer fires every few milliseconds; each late firing means the loop was busy.
Used by the benchmark suite around loading big files::

    probe = StallProbe()
    probe.start()
    ...  # load, wait for finished
    probe.stop()
    print(probe.max_stall_ms, probe.stalls_over(50))
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Slot


class StallProbe(QObject):
    """Records the gaps between timer ticks on the GUI thread."""

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last: float | None = None
        self.gaps_ms: list[float] = []

    def start(self) -> None:
        self.gaps_ms = []
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._tick()  # a stall running up to now counts too
        self._last = None

    def __enter__(self) -> StallProbe:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps_ms.append((now - self._last) * 1000.0)
        self._last = now

    @property
    def max_stall_ms(self) -> float:
        """Longest time the loop could not run a timer, beyond the timer's own interval."""
        if not self.gaps_ms:
            return 0.0
        return max(0.0, max(self.gaps_ms) - self.interval_ms)

    def stalls_over(self, threshold_ms: float) -> int:
        return sum(1 for gap in self.gaps_ms if gap - self.interval_ms > threshold_ms)
