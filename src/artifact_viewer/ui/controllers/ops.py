"""The window's background work: two thread pools (API/catalog and downloads) and their tasks.

Every data call the window makes goes through :meth:`Ops.run`, which hands the function to
:func:`artifact_viewer.qt.worker.run_in_pool`; outcomes come back on the GUI thread
to bound methods of GUI-thread objects. Work functions receive ``(…, progress, cancel)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Slot

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.qt.worker import Task, run_in_pool

log = logging.getLogger(__name__)

# API and catalog calls mostly wait on sockets or SQLite; a few threads keep the list,
# the tree and the online check from queueing behind each other.
_DATA_THREADS = 4


class Ops(QObject):
    """Owns the pools and remembers live tasks so shutdown can cancel and drain them."""

    def __init__(self, parent: QObject | None = None, *, max_downloads: int = 2) -> None:
        super().__init__(parent)
        self.data_pool = QThreadPool(self)
        self.data_pool.setMaxThreadCount(_DATA_THREADS)
        self.download_pool = QThreadPool(self)
        self.download_pool.setMaxThreadCount(max(1, max_downloads))
        self._tasks: set[Task] = set()
        self._closed = False

    def set_max_downloads(self, count: int) -> None:
        self.download_pool.setMaxThreadCount(max(1, count))

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        on_progress: Callable[[int, int], None] | None = None,
        download: bool = False,
        cancel: CancelToken | None = None,
        on_partial: Callable[[Any], None] | None = None,
    ) -> Task | None:
        """Start ``fn(*args, progress, cancel)``; None once the window is shutting down.
        ``on_partial`` gets what the work sends with ``progress.partial(obj)``."""
        if self._closed:
            return None
        self._prune()
        task = run_in_pool(
            fn,
            *args,
            on_result=on_result,
            on_error=on_error,
            on_progress=on_progress,
            on_partial=on_partial,
            cancel=cancel,
            pool=self.download_pool if download else self.data_pool,
        )
        self._tasks.add(task)
        return task

    def _prune(self) -> None:
        self._tasks = {t for t in self._tasks if not t.finished}

    def live_tasks(self) -> set[Task]:
        """The tasks started and not yet finished (a snapshot)."""
        self._prune()
        return set(self._tasks)

    @property
    def busy(self) -> bool:
        self._prune()
        return bool(self._tasks)

    def wait_idle(self, timeout_ms: int = 10_000) -> bool:
        """Block until both pools are idle (tests and shutdown)."""
        ok = self.data_pool.waitForDone(timeout_ms)
        return self.download_pool.waitForDone(timeout_ms) and ok

    @Slot()
    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel everything, refuse new work, and wait for the workers to unwind."""
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        self.data_pool.clear()
        self.download_pool.clear()
        drained = self.wait_idle(timeout_ms)
        if not drained:
            log.warning("background work still running at shutdown")
        self._tasks.clear()
        return drained
