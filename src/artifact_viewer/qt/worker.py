"""Run a function on the global thread pool and deliver its outcome on the GUI thread.

Usage from a widget (all callbacks run on the GUI thread, never on the worker)::

    self._task = run_in_pool(
        parse, path,                      # parse(path, progress, cancel) -> result
        on_result=self._on_parsed,
        on_error=self._on_error,          # receives the exception object
        on_progress=self._on_progress,    # (done, total), throttled
        on_partial=self._on_partial,      # objects sent with progress.partial(obj)
    )
    ...
    self._task.cancel()                   # nothing is delivered after this returns

The work function receives two trailing positional arguments: a :class:`Progress`
(call it with ``(done, total)``; ``progress.partial(obj)`` sends an intermediate result)
and the :class:`CancelToken` it should poll between chunks. Raising
:class:`~artifact_viewer.core.errors.Cancelled` ends the task quietly.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled

log = logging.getLogger(__name__)

# Progress faster than this is dropped (except the final tick): the GUI thread only
# needs a few updates per second, and each queued signal costs it an event.
_PROGRESS_INTERVAL_S = 0.05

# Pool threads run this much below the GUI thread's priority. On Linux a nice value
# belongs to one thread, and threads it starts inherit it (Arrow's CPU pool, started lazily
# by the first read that needs it; helper threads; child processes): when background work
# keeps every core busy, the scheduler hands a core to the GUI thread first instead of
# letting it wait behind the work it is waiting for. (10 measured better than 5 for the GUI
# stalls of 1 GB CSV and log opens.) The flip side: a lowered thread holding the GIL for
# long (freeing 100 MB at once) gets the CPU later when other programs load the machine,
# and the GUI thread waits on the GIL meanwhile; such steps should release it in pieces.
WORKER_NICE = 10

_thread_state = threading.local()

# Tasks stay referenced here until their outcome is delivered (or they are cancelled
# and have finished), so callers may drop their handle without losing the callbacks.
_live: set[Task] = set()


def _receiver_alive(callback: Callable[..., Any] | None) -> bool:
    """False when the callback is a method of a Qt object whose C++ side is already gone."""
    owner = getattr(callback, "__self__", None)
    return not isinstance(owner, QObject) or shiboken6.isValid(owner)


class _Carrier(QObject):
    """Signals emitted from the worker thread; received by the relay on the GUI thread."""

    result = Signal(object)
    error = Signal(object)
    progress = Signal(int, int)
    partial = Signal(object)
    done = Signal()


class Progress:
    """Handed to the work function: ``progress(done, total)`` and ``progress.partial(obj)``."""

    __slots__ = ("_carrier", "_last", "_token")

    def __init__(self, carrier: _Carrier, token: CancelToken) -> None:
        self._carrier: _Carrier | None = carrier
        self._token = token
        self._last = 0.0

    def __call__(self, done: int, total: int = 0) -> None:
        carrier = self._carrier
        if carrier is None or self._token.cancelled:
            return
        now = time.monotonic()
        if now - self._last < _PROGRESS_INTERVAL_S and not (total and done >= total):
            return
        self._last = now
        # Qt signals carry C ints: clamp so multi-gigabyte byte counts never overflow.
        if total > 2**31 - 1:
            done, total = int(done * 1000 // total), 1000
        _emit(carrier.progress, int(done), int(total))

    def partial(self, obj: object) -> None:
        """Send an intermediate result (e.g. the first screen) to ``on_partial``."""
        carrier = self._carrier
        if carrier is not None and not self._token.cancelled:
            _emit(carrier.partial, obj)

    def detach(self) -> None:
        """Forget the carrier: called by the worker once the work function has returned."""
        self._carrier = None


class Task(QObject):
    """Handle of one background job; lives on the GUI thread and relays outcomes.

    Every Python reference the worker holds (the carrier, the work function and its
    arguments, which may be bound methods of widgets) is also held here, and the task is
    only released once the worker has dropped its own: the last reference to a Qt object
    is then always dropped on the GUI thread. A QObject destroyed from a pool thread while
    the GUI thread still dispatches its queued signals crashes Qt.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[int, int], None] | None,
        on_partial: Callable[[Any], None] | None,
        token: CancelToken,
    ) -> None:
        super().__init__()
        self.token = token
        self.fn = fn
        self.args = args
        self.worker_let_go = threading.Event()
        self._on_result = on_result
        self._on_error = on_error
        self._on_progress = on_progress
        self._on_partial = on_partial
        self._finished = False
        self.carrier = _Carrier()
        # The carrier lives on the GUI thread too, so these connections are queued when
        # the worker emits: every callback below runs on the GUI thread.
        self.carrier.result.connect(self._deliver_result)
        self.carrier.error.connect(self._deliver_error)
        self.carrier.progress.connect(self._deliver_progress)
        self.carrier.partial.connect(self._deliver_partial)
        self.carrier.done.connect(self._release)

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    @property
    def finished(self) -> bool:
        """True once the work function has returned or raised (outcome delivered or dropped)."""
        return self._finished

    def cancel(self) -> None:
        """Ask the work to stop; from now on no callback fires. Safe to call repeatedly."""
        self.token.cancel()

    @Slot(object)
    def _deliver_result(self, value: object) -> None:
        if not self.token.cancelled and _receiver_alive(self._on_result):
            self._on_result(value)

    @Slot(object)
    def _deliver_error(self, exc: object) -> None:
        if (
            not self.token.cancelled
            and isinstance(exc, BaseException)
            and _receiver_alive(self._on_error)
        ):
            self._on_error(exc)

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        if not self.token.cancelled and _receiver_alive(self._on_progress) and self._on_progress:
            self._on_progress(done, total)

    @Slot(object)
    def _deliver_partial(self, obj: object) -> None:
        if not self.token.cancelled and _receiver_alive(self._on_partial) and self._on_partial:
            self._on_partial(obj)

    @Slot()
    def _release(self) -> None:
        self._finished = True
        if not self.worker_let_go.wait(0.001):
            # The worker is between its last emit and dropping its references: ask again
            # shortly rather than risk the worker holding the last one.
            QTimer.singleShot(1, self._release)
            return
        _live.discard(self)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task: Task | None = task

    def run(self) -> None:
        task = self._task
        self._task = None
        assert task is not None
        carrier, token, let_go = task.carrier, task.token, task.worker_let_go
        fn, args = task.fn, task.args
        del task
        _lower_thread_priority()
        progress = Progress(carrier, token)
        try:
            token.raise_if_cancelled()
            value = fn(*args, progress, token)
        except Cancelled:
            pass
        except BaseException as exc:  # every failure reaches the GUI as an error, never a crash
            if not token.cancelled:
                log.debug("background task failed: %s", type(exc).__name__, exc_info=True)
                _emit(carrier.error, _without_tracebacks(exc))
        else:
            if not token.cancelled:
                _emit(carrier.result, value)
            del value
        finally:
            progress.detach()
            _emit(carrier.done)
            # Drop every reference before telling the GUI thread it may release the task.
            del carrier, progress, fn, args
            let_go.set()


def _lower_thread_priority() -> None:
    """Run this pool thread WORKER_NICE below the GUI thread, once per thread (Linux only).

    The target is counted from the main (GUI) thread, whose thread id is the process id:
    pool threads may be started by other pool threads and then already inherit a lowered
    value. The main thread itself is never lowered (an unprivileged process cannot raise a
    priority back). Elsewhere, or when the system refuses, nothing changes.
    """
    if getattr(_thread_state, "lowered", False):
        return
    _thread_state.lowered = True
    if (
        not sys.platform.startswith("linux")
        or threading.current_thread() is threading.main_thread()
    ):
        return
    try:
        tid = threading.get_native_id()
        target = min(19, os.getpriority(os.PRIO_PROCESS, os.getpid()) + WORKER_NICE)
        if os.getpriority(os.PRIO_PROCESS, tid) < target:
            os.setpriority(os.PRIO_PROCESS, tid, target)
    except OSError:
        log.debug("pool thread priority left unchanged", exc_info=True)


def _without_tracebacks(exc: BaseException) -> BaseException:
    """Drop the tracebacks of ``exc`` and its causes before it leaves the worker.

    A traceback holds this thread's frames, and through them the carrier: that reference
    cycle would let the garbage collector destroy the carrier (a GUI-thread QObject) from
    whichever thread happens to run the next collection, which crashes Qt.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def _emit(signal: Any, *args: Any) -> None:
    """Emit from the worker; the receiving side may already be gone (e.g. at app exit)."""
    try:
        signal.emit(*args)
    except RuntimeError:
        log.debug("outcome dropped: its receiver no longer exists")


def run_in_pool(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_progress: Callable[[int, int], None] | None = None,
    on_partial: Callable[[Any], None] | None = None,
    cancel: CancelToken | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``fn(*args, progress, cancel)`` on the pool; callbacks run on the GUI thread.

    Must be called from the GUI thread (the thread that owns the callbacks' objects).
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("run_in_pool needs a running QCoreApplication")
    token = cancel if cancel is not None else CancelToken()
    task = Task(fn, args, on_result, on_error, on_progress, on_partial, token)
    _live.add(task)
    (pool or QThreadPool.globalInstance()).start(_Runnable(task))
    return task


def wait_for_pool(timeout_ms: int = 10_000, pool: QThreadPool | None = None) -> bool:
    """Block until the pool is idle (tests and shutdown); True when it drained in time."""
    return (pool or QThreadPool.globalInstance()).waitForDone(timeout_ms)
