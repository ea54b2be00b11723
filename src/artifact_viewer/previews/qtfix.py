"""Work around PySide6 6.12 dropping a reference to ``True`` on every signal emit/disconnect.

``SignalInstance.emit()`` and ``.disconnect()`` return ``True`` without taking a reference
for it, so each call from Python lowers ``True``'s reference count by one; after enough
emits a session aborts with "Fatal Python error: bool_dealloc". :func:`install` checks
whether the running PySide6 has the bug and, only then, wraps both methods to restore the
missing reference. Call it once before any signal is emitted (importing
``artifact_viewer.previews`` does).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

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
    return before - sys.getrefcount(True) >= rounds // 2


def _restoring(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(self: SignalInstance, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if result is True or result is False:
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
        return result

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
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
