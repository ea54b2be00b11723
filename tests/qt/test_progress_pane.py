"""The one-job progress pane: busy until counted, counts or per mille, Cancel only while it runs."""

from __future__ import annotations

from typing import Any

from artifact_viewer.qt.progress_pane import ProgressPane


def test_a_counted_job_reads_done_of_total_and_ends_full(qtbot: Any) -> None:
    pane = ProgressPane("Idle.", counted=True)
    qtbot.addWidget(pane)
    assert pane.label.text() == "Idle." and not pane.cancel_button.isEnabled()
    pane.start("Saving 10 files…")
    assert pane.cancel_button.isEnabled() and pane.bar.maximum() == 0  # busy until counted
    pane.show_progress(3, 10)
    assert (pane.bar.value(), pane.bar.maximum(), pane.bar.text()) == (3, 10, "3 of 10")
    pane.say("Stopping after the current file…")
    assert pane.label.text() == "Stopping after the current file…"
    pane.finish("Saved 3 of 10.")
    assert pane.label.text() == "Saved 3 of 10." and not pane.cancel_button.isEnabled()
    assert pane.bar.value() == pane.bar.maximum() == 1


def test_bytes_beyond_what_a_bar_holds_are_shown_per_mille(qtbot: Any) -> None:
    pane = ProgressPane("Idle.")
    qtbot.addWidget(pane)
    pane.start("Exporting…")
    pane.show_progress(3 * 2**31, 4 * 2**31)  # 6 GiB of 8 GiB
    assert (pane.bar.value(), pane.bar.maximum()) == (750, 1000)
    pane.show_progress(5, 0)  # no total yet: the bar stays as it was
    assert pane.bar.value() == 750
