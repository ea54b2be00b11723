"""Offline detection: checks run off the GUI thread, back off while offline, recover by themselves."""

from __future__ import annotations

from typing import Any

import pytest

from artifact_viewer.core.errors import AuthError
from artifact_viewer.ui.controllers.online_monitor import (
    FIRST_RETRY_MS,
    MAX_RETRY_MS,
    ONLINE_INTERVAL_MS,
    OnlineMonitor,
)
from artifact_viewer.ui.controllers.ops import Ops
from tests.ui.conftest import FakeLibrary


@pytest.fixture
def ops(qapp: Any) -> Any:
    ops = Ops()
    yield ops
    ops.shutdown()


def check(qtbot: Any, monitor: OnlineMonitor) -> None:
    monitor.check_now()
    qtbot.waitUntil(lambda: not monitor._checking, timeout=10_000)


def test_retries_back_off_while_offline_and_reset_when_back(
    qtbot: Any, ops: Ops, fake_library: FakeLibrary
) -> None:
    monitor = OnlineMonitor(ops=ops, library=fake_library)
    changes: list[bool] = []
    monitor.onlineChanged.connect(changes.append)
    fake_library.reachable = False
    waits = []
    for _ in range(7):
        check(qtbot, monitor)
        waits.append(monitor.timer.interval())
    assert waits[0] == FIRST_RETRY_MS
    assert waits[1] == 2 * FIRST_RETRY_MS
    assert waits == sorted(waits) and waits[-1] == MAX_RETRY_MS
    fake_library.reachable = True
    check(qtbot, monitor)
    assert monitor.timer.interval() == ONLINE_INTERVAL_MS
    assert changes == [False, True]
    monitor.stop()


def test_reported_offline_flips_at_once_and_schedules_a_retry(
    qtbot: Any, ops: Ops, fake_library: FakeLibrary
) -> None:
    monitor = OnlineMonitor(ops=ops, library=fake_library)
    monitor.start(initial=True)
    qtbot.waitUntil(lambda: not monitor._checking, timeout=10_000)
    with qtbot.waitSignal(monitor.onlineChanged) as blocker:
        monitor.report_offline()
    assert blocker.args == [False]
    assert monitor.timer.isActive() and monitor.timer.interval() == FIRST_RETRY_MS
    monitor.stop()


def test_a_refused_key_is_reported_once_not_every_check(
    qtbot: Any, ops: Ops, fake_library: FakeLibrary
) -> None:
    def refuse() -> bool:
        raise AuthError("The API refused the key", status=401)

    fake_library.check_online = refuse  # type: ignore[method-assign]
    monitor = OnlineMonitor(ops=ops, library=fake_library)
    problems: list[object] = []
    monitor.problem.connect(problems.append)
    check(qtbot, monitor)
    check(qtbot, monitor)
    assert len(problems) == 1 and isinstance(problems[0], AuthError)
    assert monitor.online is False
    monitor.stop()
