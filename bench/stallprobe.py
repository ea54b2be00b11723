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
from dataclasses import dataclass

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Slot

from artifact_viewer.previews.base import Previewer, PreviewSource


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
        self._last_cpu = 0.0
        self._paused = False
        self.gaps_ms: list[float] = []
        # CPU time the GUI thread itself used between ticks: unlike the wall-clock gaps, it
        # does not grow when other processes take the cores (a loaded machine).
        self.busy_ms: list[float] = []

    def start(self) -> None:
        self.gaps_ms = []
        self.busy_ms = []
        self._paused = False
        self._last = time.perf_counter()
        self._last_cpu = time.thread_time()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._tick()  # a stall running up to now counts too
        self._last = None

    def pause(self) -> None:
        """Stop counting (the harness's own GUI-thread work, such as grabbing the screen to
        see whether content is painted, is not the app's stall); a stall running up to now
        is recorded."""
        if self._last is not None and not self._paused:
            self._tick()
            self._paused = True

    def resume(self) -> None:
        if self._paused:
            self._paused = False
            self._last = time.perf_counter()
            self._last_cpu = time.thread_time()

    def __enter__(self) -> StallProbe:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @Slot()
    def _tick(self) -> None:
        if self._paused:
            return
        now, cpu = time.perf_counter(), time.thread_time()
        if self._last is not None:
            self.gaps_ms.append((now - self._last) * 1000.0)
            self.busy_ms.append((cpu - self._last_cpu) * 1000.0)
        self._last, self._last_cpu = now, cpu

    @property
    def max_stall_ms(self) -> float:
        """Longest time the loop could not run a timer, beyond the timer's own interval."""
        if not self.gaps_ms:
            return 0.0
        return max(0.0, max(self.gaps_ms) - self.interval_ms)

    @property
    def max_busy_ms(self) -> float:
        """Most CPU time the GUI thread spent between two ticks (its own work, whatever the
        machine's load)."""
        return max(self.busy_ms, default=0.0)

    def stalls_over(self, threshold_ms: float) -> int:
        return sum(1 for gap in self.gaps_ms if gap - self.interval_ms > threshold_ms)


@dataclass(frozen=True, slots=True)
class LoadTiming:
    """Seconds from ``load()`` to ``ready``/``finished`` (None if never), and the worst stall."""

    ready_s: float | None
    finished_s: float | None
    failed: str | None
    max_stall_ms: float


def measure_load(
    previewer: Previewer, source: PreviewSource, timeout_s: float = 60.0
) -> LoadTiming:
    """Load ``source`` into ``previewer`` under a probe and time it (for benchmarks)."""
    marks: dict[str, float] = {}
    failure: list[str] = []
    loop = QEventLoop()

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter())

    def on_failed(message: str) -> None:
        failure.append(message)
        loop.quit()

    previewer.ready.connect(lambda: mark("ready"))
    previewer.finished.connect(lambda: (mark("finished"), loop.quit()))
    previewer.failed.connect(on_failed)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    probe = StallProbe()
    probe.start()
    start = time.perf_counter()
    previewer.load(source)
    if "finished" not in marks and not failure:
        loop.exec()
    probe.stop()

    def since(name: str) -> float | None:
        return marks[name] - start if name in marks else None

    return LoadTiming(
        since("ready"), since("finished"), failure[0] if failure else None, probe.max_stall_ms
    )
