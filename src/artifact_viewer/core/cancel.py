"""A thread-safe cancellation token shared by long work (downloads, sync, previews)."""

from __future__ import annotations

import threading

from artifact_viewer.core.errors import Cancelled


class CancelToken:
    """Set once by whoever wants the work stopped; polled by the work between chunks."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled("Cancelled.")
