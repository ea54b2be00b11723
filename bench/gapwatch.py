"""Where the GUI thread's long gaps go: a diagnostic for P10, not a benchmark.

``python -m bench.gapwatch FILE MIME KIND [--min-ms 15] [--startup] [--others]`` opens
``FILE`` as the window does (:mod:`bench.previewload`: the app's start-up steps, then
:class:`PreviewHost`), first open and repeat open, with a 5 ms probe timer on the GUI thread. For each of the longest
gaps between two ticks it prints:

- the GUI thread's own CPU time in the gap (``time.thread_time``): our work;
- the time the thread waited runnable for a core (``/proc/self/task/<tid>/schedstat``):
  a loaded machine, or our own worker threads taking the cores;
- the rest: the thread slept, i.e. waited for the GIL or a lock;
- the main thread's Python stacks, sampled every 2 ms from a watcher thread
  (``sys._current_frames``) while the gap was running;
- where in the kernel the GUI thread slept at those samples (``/proc/.../wchan``);
- with ``--others``, the other threads' stacks at the same samples: the watcher only runs
  when it gets the GIL, so a worker seen there has just let it go (the step that held it).

``--startup`` watches the app's start-up steps too, as the benchmarks' first-open stall
probe does (their ``max_stall`` of a first open covers them).
"""

from __future__ import annotations

import argparse
import collections
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from bench import previewload
from bench.qtrun import Waiter, qt_app, shows_ink

SAMPLE_S = 0.002
SHOWN = 8


def _run_queue_reader() -> Any:
    """A function returning the calling thread's run-queue wait in ns (0 when unknown)."""
    try:
        fh = open(f"/proc/self/task/{threading.get_native_id()}/schedstat", "rb", buffering=0)  # noqa: SIM115
    except OSError:
        return lambda: 0

    def read() -> int:
        fh.seek(0)
        return int(fh.read().split()[1])

    return read


def _wchan_reader(tid: int) -> Any:
    """A function returning where in the kernel thread ``tid`` sleeps ("" when running or
    unknown): futex waits are the GIL or a lock, rwsem waits the address-space lock, a poll
    the event loop with nothing to do."""
    try:
        fh = open(f"/proc/self/task/{tid}/wchan", "rb", buffering=0)  # noqa: SIM115
    except OSError:
        return lambda: ""

    def read() -> str:
        fh.seek(0)
        name = fh.read().decode(errors="replace").strip()
        return "" if name in ("", "0") else name

    return read


def _stack(frame: Any, depth: int = 6) -> str:
    stack = traceback.extract_stack(frame)[-depth:]
    return " <- ".join(f"{Path(s.filename).name}:{s.lineno}:{s.name}" for s in stack[::-1])


class GapWatch:
    """A probe timer on the GUI thread plus a sampling watcher thread."""

    def __init__(self, min_ms: float, *, others: bool = False) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.min_ms = min_ms
        self.others = others
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self.tick)
        self.run_queue = _run_queue_reader()
        self.gaps: list[tuple[float, float, float, float, int]] = []
        self.samples: dict[int, list[str]] = collections.defaultdict(list)
        self.index = 0
        self.running = False
        self.paused = False
        self._last = self._cpu = 0.0
        self._wait = 0
        self._main = threading.main_thread().ident
        self._wchan = _wchan_reader(threading.get_native_id())
        threading.Thread(target=self._watch, daemon=True).start()

    def start(self) -> None:
        self.gaps, self.samples = [], collections.defaultdict(list)
        self._mark()
        self.running = True
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.tick()
        self.running = False

    def pause(self) -> None:  # the harness's screen grabs are not the app's gaps
        if not self.paused:
            self.tick()
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            self._mark()

    def _mark(self) -> None:
        self._last, self._cpu, self._wait = (
            time.perf_counter(),
            time.thread_time(),
            self.run_queue(),
        )

    def tick(self) -> None:
        if self.paused:
            return
        now, cpu, wait = time.perf_counter(), time.thread_time(), self.run_queue()
        gap = (now - self._last) * 1000
        self.gaps.append(
            (self._last, gap, (cpu - self._cpu) * 1000, (wait - self._wait) / 1e6, self.index)
        )
        self.index += 1
        self._last, self._cpu, self._wait = now, cpu, wait

    def _watch(self) -> None:
        while True:
            time.sleep(SAMPLE_S)
            if not self.running or self.paused:
                continue
            index, last = self.index, self._last
            if (time.perf_counter() - last) * 1000 < self.min_ms / 2:
                continue
            blocked = self._wchan()  # read first: the GUI thread's state before the GIL
            frames = sys._current_frames()
            frame = frames.get(self._main)
            if blocked:
                self.samples[index].append(f"  [GUI thread blocked in] {blocked}")
            if frame is not None:
                self.samples[index].append(_stack(frame))
            if self.others:
                # where the other threads are when the watcher gets the GIL: a thread that
                # just let it go shows the step that held it
                for ident, other in frames.items():
                    if ident not in (self._main, threading.get_ident()):
                        self.samples[index].append("  [other] " + _stack(other, 4))

    def report(self, label: str, t0: float) -> None:
        cpu = [g[2] for g in self.gaps]
        print(
            f"== {label}: {len(self.gaps)} ticks, GUI CPU {sum(cpu):.0f} ms in all, "
            f"most in one gap {max(cpu, default=0):.1f} ms"
        )
        longest = sorted(self.gaps, key=lambda g: -g[1])[:SHOWN]
        for start, gap, used, waited, index in longest:
            if gap < self.min_ms:
                break
            slept = max(gap - used - waited, 0.0)
            print(
                f"  gap {gap:6.1f} ms at +{(start - t0) * 1000:6.0f} ms: CPU {used:5.1f}, "
                f"waiting for a core {waited:5.1f}, asleep (GIL, locks) {slept:5.1f}"
            )
            shown = 8 if self.others else 5
            for stack, count in collections.Counter(self.samples.get(index, [])).most_common(shown):
                print(f"      {count:3d}x {stack}")


def open_and_watch(host: Any, watch: GapWatch, path: Path, mime: str, label: str) -> None:
    import bench.qtrun as qtrun

    waiter = Waiter()

    def on_kind(_kind: str) -> None:
        previewer = host.previewer()
        for name in ("ready", "finished", "failed"):
            waiter.hook(getattr(previewer, name), name)

    host.kindChanged.connect(on_kind)
    watch.start()
    qtrun._probe = watch
    try:
        t0 = time.perf_counter()
        host.show_file(path, mime, path.name)
        waiter.wait(("ready",), previewload.LOAD_TIMEOUT_S, fail_on=("failed",))
        previewer = host.previewer()
        view = getattr(previewer, "view", previewer)
        target = view.viewport() if hasattr(view, "viewport") else view
        waiter.wait_until(
            lambda: host.stack.currentWidget() is previewer and shows_ink(target),
            previewload.LOAD_TIMEOUT_S,
            poll_ms=10,
        )
        waiter.wait(("finished",), previewload.LOAD_TIMEOUT_S, fail_on=("failed",))
    finally:
        qtrun._probe = None
        host.kindChanged.disconnect(on_kind)
        watch.stop()
    watch.report(label, t0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gapwatch", description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("mime")
    parser.add_argument("kind")
    parser.add_argument("--min-ms", type=float, default=15.0, help="gaps shorter are not shown")
    parser.add_argument(
        "--startup",
        action="store_true",
        help="watch the app's start-up steps too (the benchmark's first-open probe covers them)",
    )
    parser.add_argument(
        "--others",
        action="store_true",
        help="also sample the other threads' stacks during a gap (who let the GIL go)",
    )
    args = parser.parse_args(argv)
    qt_app()
    host, runtime = previewload.make_host()
    watch = GapWatch(args.min_ms, others=args.others)
    if args.startup:
        watch.start()
        t0 = time.perf_counter()
        Waiter().wait_until(runtime.idle, previewload.STARTUP_TIMEOUT_S, poll_ms=20)
        watch.stop()
        watch.report("start-up steps", t0)
    else:
        Waiter().wait_until(runtime.idle, previewload.STARTUP_TIMEOUT_S, poll_ms=20)
    for label in ("first open", "repeat open"):
        open_and_watch(host, watch, args.file, args.mime, label)
    host.clear()
    host.close()
    runtime.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
