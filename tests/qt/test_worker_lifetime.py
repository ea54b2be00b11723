"""The last reference to anything a background task touched is dropped on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication

from artifact_viewer.qt.worker import _live, run_in_pool, wait_for_pool


class Tracked:
    """Records the thread its last reference was dropped on."""

    def __init__(self, log: list[int]) -> None:
        self._log = log

    def __del__(self) -> None:
        self._log.append(threading.get_ident())


def _work(arg: Tracked, progress, cancel) -> Tracked:
    progress(1, 2)
    return Tracked(arg._log)


def test_task_arguments_and_results_die_on_the_gui_thread(qtbot) -> None:
    deaths: list[int] = []
    results: list[object] = []
    for _ in range(20):
        run_in_pool(
            _work,
            Tracked(deaths),
            on_result=results.append,
            on_error=lambda exc: None,
        )
    assert wait_for_pool(10_000)
    qtbot.waitUntil(lambda: not _live, timeout=5000)
    results.clear()
    QCoreApplication.processEvents()
    qtbot.waitUntil(lambda: len(deaths) == 40, timeout=5000)
    gui = threading.get_ident()
    assert all(ident == gui for ident in deaths), "a reference was dropped on a pool thread"
