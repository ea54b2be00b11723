"""The stall probe notices a blocked GUI thread (it measures; tests never assert speed)."""

from __future__ import annotations

import time

from bench.stallprobe import StallProbe
from PySide6.QtCore import QTimer


def test_probe_detects_a_deliberate_200ms_block(qtbot) -> None:
    probe = StallProbe(interval_ms=5)
    blocked = []

    def block() -> None:
        time.sleep(0.2)
        blocked.append(True)

    with probe:
        QTimer.singleShot(20, block)
        qtbot.waitUntil(lambda: bool(blocked), timeout=5000)
        qtbot.wait(20)
    assert probe.max_stall_ms >= 150  # sleep(0.2) guarantees at least this gap
    assert probe.stalls_over(150) >= 1
    assert len(probe.gaps_ms) >= 2


def test_probe_counts_a_stall_still_running_at_stop(qtbot) -> None:
    probe = StallProbe()
    probe.start()
    time.sleep(0.1)  # the loop never runs between start and stop
    probe.stop()
    assert probe.max_stall_ms >= 90


def test_probe_without_ticks_reports_zero() -> None:
    probe = StallProbe()
    assert probe.max_stall_ms == 0.0 and probe.stalls_over(0) == 0


def test_measure_load_reports_ready_before_finished(qtbot, tmp_path) -> None:
    from bench.stallprobe import measure_load

    from artifact_viewer.previews.base import PreviewSource
    from artifact_viewer.previews.text.previewer import TextPreviewer
    from tests.previews import samples

    previewer = TextPreviewer()
    qtbot.addWidget(previewer)
    timing = measure_load(previewer, PreviewSource(samples.write_log(tmp_path / "a.log", 50)))
    assert timing.failed is None
    assert timing.ready_s is not None and timing.finished_s is not None
    assert timing.ready_s <= timing.finished_s and timing.max_stall_ms >= 0


def test_measure_load_reports_failure(qtbot, tmp_path) -> None:
    from bench.stallprobe import measure_load

    from artifact_viewer.previews.base import PreviewSource
    from artifact_viewer.previews.text.previewer import TextPreviewer

    previewer = TextPreviewer()
    qtbot.addWidget(previewer)
    timing = measure_load(previewer, PreviewSource(tmp_path / "missing.log"))
    assert timing.failed and timing.finished_s is None
