"""Work around Qt-binding hazards: lost references to ``True``, and GC on worker threads.

``SignalInstance.emit()`` and ``.disconnect()`` return ``True`` without taking a reference
for it, so each call from Python lowers ``True``'s reference count by one; after enough
emits a session aborts with "Fatal Python error: bool_dealloc". :func:`install` checks
whether the running PySide6 has the bug and, only then, wraps both methods to restore the
missing reference. Every entry point that runs Qt calls it once, before any signal is
emitted: ``app.gui_main``, the ``preview`` command, the benchmarks and the test set-up.

The other half of the 6.12 bug (lost references to ``None`` on every wrapped call that
returns nothing) cannot be patched per method; ``artifact_viewer/__init__.py`` pins the
singletons instead, Qt-free, so it holds for every entry point before Qt is imported.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

_installed = False


class _Probe(QObject):
    ping = Signal()


def _slot() -> None:
    pass


def _leaks(call: Callable[[], Any], rounds: int = 64) -> bool:
    before = sys.getrefcount(True)
    for _ in range(rounds):
        call()
    # Other threads may touch True meanwhile; a real leak loses one per call.
    leaking = before - sys.getrefcount(True) >= rounds // 2
    if leaking:
        for _ in range(rounds):  # give back what the probe itself took
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return leaking


def _restoring(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(self: SignalInstance, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if result is True or result is False:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
        return result

    # Only the name: reading a binding method's __doc__ makes PySide6 build its signature
    # texts (~65 ms at start-up).
    wrapper.__name__ = method.__name__
    return wrapper


def install() -> bool:
    """Patch the leaking methods (once); True when a patch was needed."""
    global _installed
    if _installed:
        return False
    _installed = True
    probe = _Probe()
    patched = False
    if _leaks(probe.ping.emit):
        SignalInstance.emit = _restoring(SignalInstance.emit)  # type: ignore[method-assign]
        patched = True

    def connect_disconnect() -> None:
        probe.ping.connect(_slot)
        probe.ping.disconnect(_slot)

    if _leaks(connect_disconnect):
        SignalInstance.disconnect = _restoring(SignalInstance.disconnect)  # type: ignore[method-assign]
        patched = True
    probe.deleteLater()
    return patched


class MainThreadGarbageCollector(QObject):
    """Run Python's cyclic garbage collector on the GUI thread only.

    Automatic collection runs in whichever thread happens to allocate; if it finds a cycle
    holding a Qt object, that object is destroyed on a worker thread and Qt may crash.
    :meth:`start` turns automatic collection off and collects from a GUI-thread timer
    instead, a generation at a time, like the automatic collector would.
    """

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._was_enabled = True

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    def freeze(self) -> None:
        """Move every object alive now out of the collector's reach (``gc.freeze``).

        For the start-up's long-lived objects (imported modules, classes, functions: a few
        hundred thousand): a full collection would walk them all on the GUI thread, tens of
        milliseconds each time, to find nothing. Called once the start-up imports are done.
        """
        gc.freeze()

    def check(self) -> int:
        """Collect the oldest generation whose allocation count passed its threshold."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0
