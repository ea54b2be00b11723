"""Signal emit/disconnect must not eat references to True (PySide6 6.12 bug, patched)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from artifact_viewer.qt import binding as qtfix


class Emitter(QObject):
    changed = Signal(int)


def _noop(value: int) -> None:
    pass


def test_many_emits_and_disconnects_keep_true_alive() -> None:
    emitter = Emitter()
    before = sys.getrefcount(True)
    for i in range(5000):
        emitter.changed.emit(i)
        emitter.changed.connect(_noop)
        emitter.changed.disconnect(_noop)
    # Unpatched, this loses 10,000 references (and aborts the interpreter at exit).
    assert before - sys.getrefcount(True) < 100


def test_install_is_idempotent_and_emit_still_delivers() -> None:
    assert qtfix.install() is False
    emitter = Emitter()
    got: list[int] = []
    emitter.changed.connect(got.append)
    assert emitter.changed.emit(7) is True
    assert got == [7]


def test_gc_runs_on_the_gui_thread_only(qtbot) -> None:
    import gc

    collector = qtfix.MainThreadGarbageCollector(interval_ms=10)
    was_enabled = gc.isenabled()
    collector.start()
    try:
        assert not gc.isenabled()

        class Node:
            pass

        for _ in range(gc.get_threshold()[0] + 10):  # enough cyclic garbage to pass gen 0
            node = Node()
            node.me = node
        del node
        qtbot.waitUntil(lambda: gc.get_count()[0] < gc.get_threshold()[0], timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled() == was_enabled
