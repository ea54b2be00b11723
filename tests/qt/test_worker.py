"""The pool helper: outcomes reach the GUI thread, cancel silences them, errors never crash."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest
from PySide6.QtCore import QObject, QThread, Slot

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.qt.worker import WORKER_NICE, run_in_pool, wait_for_pool


class Receiver(QObject):
    """Records every callback together with the thread it ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self.progress: list[tuple[int, int]] = []
        self.partials: list[object] = []
        self.threads: set[QThread] = set()

    @Slot(object)
    def on_result(self, value: object) -> None:
        self.threads.add(QThread.currentThread())
        self.results.append(value)

    @Slot(object)
    def on_error(self, exc: BaseException) -> None:
        self.threads.add(QThread.currentThread())
        self.errors.append(exc)

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        self.threads.add(QThread.currentThread())
        self.progress.append((done, total))

    @Slot(object)
    def on_partial(self, obj: object) -> None:
        self.threads.add(QThread.currentThread())
        self.partials.append(obj)


def start(fn, *args, receiver: Receiver, cancel: CancelToken | None = None):
    return run_in_pool(
        fn,
        *args,
        on_result=receiver.on_result,
        on_error=receiver.on_error,
        on_progress=receiver.on_progress,
        on_partial=receiver.on_partial,
        cancel=cancel,
    )


def test_result_progress_and_partial_arrive_on_gui_thread(qtbot) -> None:
    worker_threads: list[threading.Thread] = []

    def work(n, progress, cancel):
        worker_threads.append(threading.current_thread())
        progress.partial("head")
        progress(n, n)
        return n * 2

    receiver = Receiver()
    task = start(work, 21, receiver=receiver)
    qtbot.waitUntil(lambda: task.finished)
    assert receiver.results == [42]
    assert receiver.partials == ["head"]
    assert receiver.progress == [(21, 21)]
    assert receiver.threads == {QThread.currentThread()}
    assert worker_threads and worker_threads[0] is not threading.main_thread()


def test_exception_in_work_is_delivered_as_error_not_raised(qtbot) -> None:
    def work(progress, cancel):
        raise ValueError("bad byte at offset 7")

    receiver = Receiver()
    task = start(work, receiver=receiver)
    qtbot.waitUntil(lambda: task.finished)
    assert receiver.results == []
    assert [str(e) for e in receiver.errors] == ["bad byte at offset 7"]


def test_cancel_stops_the_work_and_silences_every_callback(qtbot) -> None:
    started = threading.Event()
    stopped = threading.Event()

    def work(progress, cancel):
        started.set()
        while not cancel.cancelled:
            progress(1, 2)
            time.sleep(0.001)
        stopped.set()
        return "too late"

    receiver = Receiver()
    task = start(work, receiver=receiver)
    assert started.wait(10)
    task.cancel()
    qtbot.waitUntil(lambda: task.finished)
    assert stopped.is_set()
    assert receiver.results == [] and receiver.errors == []
    assert task.cancelled


def test_outcome_queued_before_cancel_is_dropped(qtbot) -> None:
    """A result already emitted but not yet delivered must not reach a cancelled caller."""
    receiver = Receiver()
    task = start(lambda progress, cancel: "value", receiver=receiver)
    assert wait_for_pool()  # the result is queued but the event loop has not run yet
    task.cancel()
    qtbot.waitUntil(lambda: task.finished)
    assert receiver.results == []


def test_callbacks_to_a_deleted_receiver_are_skipped(qtbot) -> None:
    import shiboken6

    receiver = Receiver()
    task = start(lambda progress, cancel: 1, receiver=receiver)
    assert wait_for_pool()
    shiboken6.delete(receiver)
    qtbot.waitUntil(lambda: task.finished)  # no RuntimeError from a dead object


def test_progress_beyond_c_int_is_scaled(qtbot) -> None:
    def work(progress, cancel):
        progress(3 * 2**40, 4 * 2**40)
        progress(4 * 2**40, 4 * 2**40)

    receiver = Receiver()
    task = start(work, receiver=receiver)
    qtbot.waitUntil(lambda: task.finished)
    assert receiver.progress[-1] == (1000, 1000)
    assert all(0 <= d <= t <= 2**31 - 1 for d, t in receiver.progress)


def test_run_in_pool_without_application_is_refused(monkeypatch) -> None:
    from artifact_viewer.qt import worker

    monkeypatch.setattr(worker.QCoreApplication, "instance", staticmethod(lambda: None))
    with pytest.raises(RuntimeError):
        run_in_pool(lambda p, c: None, on_result=print, on_error=print)


def test_delivered_errors_carry_no_worker_frames(qtbot) -> None:
    """Tracebacks would tie worker frames (and the carrier) into a GC cycle."""

    def work(progress, cancel):
        try:
            raise OSError("disk")
        except OSError as exc:
            raise ValueError("wrapped") from exc

    receiver = Receiver()
    task = start(work, receiver=receiver)
    qtbot.waitUntil(lambda: task.finished)
    (error,) = receiver.errors
    assert str(error) == "wrapped" and str(error.__cause__) == "disk"
    assert error.__traceback__ is None and error.__cause__.__traceback__ is None


linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread priority is a Linux feature"
)


def _thread_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@linux_only
def test_pool_threads_run_below_the_gui_thread_priority(qtbot) -> None:
    gui_nice = _thread_nice()

    def work(progress, cancel):
        return _thread_nice()

    receiver = Receiver()
    tasks = [start(work, receiver=receiver) for _ in range(4)]
    qtbot.waitUntil(lambda: all(t.finished for t in tasks))
    seen = [int(v) for v in receiver.results]
    assert seen == [min(19, gui_nice + WORKER_NICE)] * 4
    assert _thread_nice() == gui_nice
    if gui_nice < 19:
        assert all(v > gui_nice for v in seen)


@linux_only
def test_threads_started_by_pool_work_inherit_its_lower_priority(qtbot) -> None:
    """How Arrow's CPU pool and helper threads started from a task end up lowered too."""
    gui_nice = _thread_nice()

    def work(progress, cancel):
        child: list[int] = []
        helper = threading.Thread(target=lambda: child.append(_thread_nice()))
        helper.start()
        helper.join()
        return child[0]

    receiver = Receiver()
    task = start(work, receiver=receiver)
    qtbot.waitUntil(lambda: task.finished)
    assert receiver.results == [min(19, gui_nice + WORKER_NICE)]
