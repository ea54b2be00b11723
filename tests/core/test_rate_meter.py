"""Transfer speed and time left for the downloads panel (Qt-free)."""

from __future__ import annotations

import pytest

from artifact_viewer.core.progress import RateMeter


def test_rate_and_time_left_follow_the_recent_pace() -> None:
    meter = RateMeter(window=3.0)
    assert meter.rate is None and meter.seconds_left(1000) is None
    for second in range(11):  # 100 bytes a second for ten seconds
        meter.add(second * 100, float(second))
    assert meter.rate == pytest.approx(100.0)
    assert meter.seconds_left(2000) == pytest.approx(10.0)
    for second in range(11, 16):  # then 1,000 bytes a second: the old pace is forgotten
        meter.add(1000 + (second - 10) * 1000, float(second))
    assert meter.rate == pytest.approx(1000.0)
    assert meter.seconds_left(None) is None  # total unknown


def test_a_restart_from_zero_measures_afresh_and_a_stall_has_no_time_left() -> None:
    meter = RateMeter(window=3.0)
    meter.add(500, 0.0)
    meter.add(900, 1.0)
    meter.add(0, 2.0)  # the transfer started again
    assert meter.rate is None
    meter.add(300, 3.0)
    assert meter.rate == pytest.approx(300.0)
    stalled = RateMeter(window=3.0)
    stalled.add(100, 0.0)
    stalled.add(100, 2.0)
    assert stalled.rate == 0.0 and stalled.seconds_left(1000) is None
