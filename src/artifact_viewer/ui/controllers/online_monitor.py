"""Watches whether the API is reachable: ``library.check_online()`` off-thread, with backoff."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import NetworkError
from artifact_viewer.ui.controllers.ops import Ops

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library
    from artifact_viewer.qt.worker import Progress

log = logging.getLogger(__name__)

ONLINE_INTERVAL_MS = 60_000
FIRST_RETRY_MS = 2_000
MAX_RETRY_MS = 60_000


def check_online(library: Library, _progress: Progress, _cancel: CancelToken) -> bool:
    return bool(library.check_online())


class OnlineMonitor(QObject):
    """While online, checks every minute; while offline, retries at 2 s, 4 s, 8 s... up to 60 s.

    Signals:
        onlineChanged(bool): reachability flipped (also emitted once after the first check).
        problem(object): the API answered but refused us (e.g. a revoked key); said once.
    """

    onlineChanged = Signal(bool)
    problem = Signal(object)

    def __init__(
        self, *, ops: Ops, library: Library | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.ops = ops
        self.online: bool | None = None
        self.retry_ms = FIRST_RETRY_MS
        self._checking = False
        self._problem_said = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check_now)

    def set_library(self, library: Library | None) -> None:
        """Watch this library's API from now on (``start`` begins the checks)."""
        self.library = library

    def start(self, *, initial: bool | None = None) -> None:
        if initial is not None:
            self._set(initial)
        self.check_now()

    def stop(self) -> None:
        self.timer.stop()

    @Slot()
    def check_now(self) -> None:
        if self._checking or self.library is None:
            return
        self._checking = True
        task = self.ops.run(
            check_online, self.library, on_result=self._on_result, on_error=self._on_error
        )
        if task is None:  # shutting down
            self._checking = False

    @Slot()
    def report_offline(self) -> None:
        """Some call just failed for lack of a network: flip now, start the retry ladder."""
        if self.online is not False:
            self.retry_ms = FIRST_RETRY_MS
            self._set(False)
            self._schedule()

    @Slot()
    def report_online(self) -> None:
        """Some call just reached the API: flip now and go back to the slow check interval."""
        self.retry_ms = FIRST_RETRY_MS
        self._set(True)
        self._schedule()

    @Slot(object)
    def _on_result(self, online: bool) -> None:
        self._checking = False
        if online:
            self._problem_said = False
        if online or self.online is not False:
            self.retry_ms = FIRST_RETRY_MS
        else:
            self.retry_ms = self._backoff()  # still offline: wait longer before the next try
        self._set(online)
        self._schedule()

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        log.info("online check failed: %s", type(exc).__name__)
        if not isinstance(exc, NetworkError) and not self._problem_said:
            self._problem_said = True
            self.problem.emit(exc)
        self._on_result(False)

    def _backoff(self) -> int:
        return min(self.retry_ms * 2, MAX_RETRY_MS)

    def _set(self, online: bool) -> None:
        if online != self.online:
            self.online = online
            log.info("API %s", "reachable" if online else "unreachable: working offline")
            self.onlineChanged.emit(online)

    def _schedule(self) -> None:
        self.timer.start(ONLINE_INTERVAL_MS if self.online else self.retry_ms)
