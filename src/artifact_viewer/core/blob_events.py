"""Who hears that a verified file entered the cache or left it (the search indexer does)."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger("artifact_viewer.store")


class BlobListener(Protocol):
    """Called on the thread that stored or removed the file: return at once, never block."""

    def blob_added(self, sha256: str) -> None: ...

    def blob_removed(self, sha256: str) -> None: ...


class BlobEvents:
    """The Library's listeners; a listener that raises is logged, never fails the caller."""

    def __init__(self) -> None:
        self._listeners: list[BlobListener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: BlobListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def unsubscribe(self, listener: BlobListener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def added(self, sha256: str) -> None:
        """A verified file with this SHA-256 is now in the cache and the catalog."""
        for listener in self._snapshot():
            try:
                listener.blob_added(sha256)
            except Exception:  # noqa: BLE001 - a listener's bug must not fail a download
                log.exception("Blob listener failed")

    def removed(self, sha256: str) -> None:
        """The file with this SHA-256 left the cache (evicted, purged, failed verification)."""
        for listener in self._snapshot():
            try:
                listener.blob_removed(sha256)
            except Exception:  # noqa: BLE001
                log.exception("Blob listener failed")

    def _snapshot(self) -> list[BlobListener]:
        with self._lock:
            return list(self._listeners)
