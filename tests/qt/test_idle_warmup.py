"""GUI-thread warm-up steps: run in small slices while idle, put off while the user works."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from artifact_viewer.previews.warmup import IdleWarmup, gui_steps, qt_type_steps


class FakeClock:
    """Time that moves only when a step says so (seconds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_steps_run_in_slices_with_the_event_loop_turning_between_them(qtbot) -> None:
    clock = FakeClock()
    order: list[str] = []

    def step(name: str):
        def run() -> None:
            order.append(name)
            clock.now += 0.003  # each step "takes" 3 ms
            if name == "s0":
                QTimer.singleShot(0, lambda: order.append("event"))

        return run

    idle = IdleWarmup([step(f"s{i}") for i in range(7)], slice_ms=4.0, clock=clock)
    with qtbot.waitSignal(idle.finished, timeout=5000):
        idle.start()
    assert idle.slices == [2, 2, 2, 1]
    assert idle.longest_ms == pytest.approx(6.0)
    # The event queued by the first step ran before the next slice's steps.
    assert order.index("event") < order.index("s2")
    assert [name for name in order if name != "event"] == [f"s{i}" for i in range(7)]
    assert idle.done()


def test_user_input_puts_the_next_slice_off_until_the_user_pauses(qtbot) -> None:
    ran: list[int] = []
    idle = IdleWarmup([lambda i=i: ran.append(i) for i in range(3)], quiet_ms=30)
    box = QLineEdit()
    qtbot.addWidget(box)
    idle.start()
    # A key press reaches the window before the first slice had its turn.
    QApplication.sendEvent(
        box, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    assert ran == []
    with qtbot.waitSignal(idle.finished, timeout=5000):
        pass
    assert idle.deferred == 1
    assert ran == [0, 1, 2]


def test_a_failing_step_is_skipped_and_the_rest_still_run(qtbot) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("no such font")

    idle = IdleWarmup([broken, lambda: ran.append("after")])
    with qtbot.waitSignal(idle.finished, timeout=5000):
        idle.start()
    assert ran == ["after"]


def test_stop_runs_no_more_steps_and_stops_watching_input(qtbot) -> None:
    ran: list[int] = []
    idle = IdleWarmup([lambda i=i: ran.append(i) for i in range(3)])
    idle.start()
    with qtbot.waitSignal(idle.finished, timeout=1000):
        idle.stop()
    qtbot.wait(20)
    assert ran == []
    assert idle.done()
    box = QLineEdit()
    qtbot.addWidget(box)
    QApplication.sendEvent(
        box, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )
    assert idle.deferred == 0


def test_type_steps_make_every_qt_type_the_modules_have_not_made_yet(qapp) -> None:
    import PySide6.QtWidgets as widgets

    for step in qt_type_steps():
        step()
    assert not [
        name for name in dir(widgets) if name.startswith("Q") and name not in widgets.__dict__
    ]
    assert list(qt_type_steps()) == []


def test_gui_steps_end_with_no_widget_left_behind(qtbot) -> None:
    before = set(map(id, QApplication.topLevelWidgets()))
    idle = IdleWarmup(gui_steps())
    with qtbot.waitSignal(idle.finished, timeout=30_000):
        idle.start()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    after = {id(w) for w in QApplication.topLevelWidgets()}
    assert after <= before
    assert len(idle.slices) > 1
