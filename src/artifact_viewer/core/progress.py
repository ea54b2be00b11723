"""Progress reporting shared by long work: a callback taking (bytes_done, total or None)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

ProgressFn = Callable[[int, int | None], None]


def report(progress: ProgressFn | None, done: int, total: int | None) -> None:
    """Call ``progress`` if given; a failing callback must not break the work it observes."""
    if progress is None:
        return
    try:
        progress(done, total)
    except Exception:  # noqa: BLE001 - the observer's bug is not the download's failure
        import logging

        logging.getLogger("artifact_viewer.progress").exception("progress callback failed")


class RateMeter:
    """Transfer speed over the last few seconds, and the time left at that speed.

    Fed with (bytes done, monotonic time) as progress arrives; a count that goes back
    (a transfer restarted from zero) starts the measurement again.
    """

    def __init__(self, window: float = 3.0, min_span: float = 0.25) -> None:
        self.window = window
        self.min_span = min_span
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, done: int, now: float) -> None:
        if self._samples and done < self._samples[-1][1]:
            self._samples.clear()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
            self._samples.popleft()

    @property
    def rate(self) -> float | None:
        """Bytes per second, or None until there is enough to measure."""
        if len(self._samples) < 2:
            return None
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        if t1 - t0 < self.min_span:
            return None
        return (d1 - d0) / (t1 - t0)

    def seconds_left(self, total: int | None) -> float | None:
        """At the measured speed, how long the rest takes (None: unknown or stalled)."""
        rate = self.rate
        if total is None or rate is None or rate <= 0 or not self._samples:
            return None
        return max(total - self._samples[-1][1], 0) / rate
