"""Fixtures: Qt warnings fail tests, and no test may leave thread-pool work running."""

from __future__ import annotations

import gc
import sys

import pytest

# Long enough for cancelled work to notice its token and unwind on a busy machine.
_POOL_GRACE_MS = 10_000


# Platform noise that says nothing about our code (the offscreen plugin on show()).
_IGNORED_QT_MESSAGES = ("This plugin does not support propagateSizeHints",)


def pytest_configure(config: pytest.Config) -> None:
    for pattern in _IGNORED_QT_MESSAGES:
        config.addinivalue_line("qt_log_ignore", pattern)
    # Cyclic garbage is collected on the main thread only (see main_thread_gc below): an
    # automatic collection on a pool thread can destroy a Qt object there and crash.
    gc.disable()


def pytest_unconfigure(config: pytest.Config) -> None:
    gc.enable()


@pytest.fixture(autouse=True)
def main_thread_gc():
    """Collect cyclic garbage between tests, on the main thread (as the app's timer does)."""
    yield
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            break


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Any Qt warning (or worse) logged during a test fails it, unless the test says otherwise."""
    for item in items:
        if item.get_closest_marker("qt_log_level_fail") is None:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))


@pytest.fixture(autouse=True)
def no_pool_work_left_behind():
    """Fail the test when QThreadPool work is still running after it (and a grace period)."""
    yield
    if "PySide6.QtCore" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QThreadPool

    pool = QThreadPool.globalInstance()
    drained = pool.waitForDone(_POOL_GRACE_MS)
    if QCoreApplication.instance() is not None:
        # Deliver queued outcomes now, so they cannot land in the next test.
        QCoreApplication.processEvents()
    if not drained:
        pytest.fail(
            f"the test left {pool.activeThreadCount()} thread-pool task(s) running",
            pytrace=False,
        )
