"""Keeps the search index in step with the cache, on a low-priority thread of its own.

The Library tells an :class:`Indexer` (a blob listener) when a verified file enters the
cache and when one leaves it (evicted, purged, failed verification); the indexer only
queues the news, so a download never waits for it. What another process cached meanwhile
is found by comparing the catalog with the index (``pending``), so nothing is missed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from artifact_viewer.core.blobstore import BlobStore, is_encrypted
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.crypto.memfile import PlaintextViews
from artifact_viewer.core.errors import ArtifactViewerError, Cancelled, IntegrityError
from artifact_viewer.core.progress import ProgressFn, report
from artifact_viewer.core.search.extract import FileHints, extract
from artifact_viewer.core.search.index import IndexDamaged, PendingBlob, SearchIndex
from artifact_viewer.core.search.rows import Row

log = logging.getLogger("artifact_viewer.search")

#: characters of text per transaction while indexing one file
BATCH_CHARS = 1024 * 1024
BATCH_ROWS = 5_000

_STOP = ("stop", "")
T = TypeVar("T")


class Indexer:
    """Indexes cached blobs into a :class:`SearchIndex` (thread-safe).

    ``start()`` runs it in the background; ``index_pending()`` and ``reindex()`` do the
    work in the caller's thread (the CLI), reporting progress in bytes of files read.
    """

    def __init__(self, index: SearchIndex, blobs: BlobStore) -> None:
        self.index = index
        self.blobs = blobs
        self._queue: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
        self._work = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stop = CancelToken()
        self._plain = PlaintextViews(keep=1)
        self.idle = threading.Event()
        self.idle.set()

    # -- blob listener (called by the Library, on whatever thread stored or removed) --------

    def blob_added(self, sha256: str) -> None:
        self.idle.clear()
        self._queue.put(("add", sha256))

    def blob_removed(self, sha256: str) -> None:
        self.idle.clear()
        self._queue.put(("remove", sha256))

    # -- background -------------------------------------------------------------------------

    def start(self) -> None:
        """Check the index, drop what the cache no longer holds and index what is pending,
        then follow the blob events, on a daemon thread at the lowest CPU priority."""
        if self._thread is not None:
            return
        self.idle.clear()
        self._queue.put(("check", ""))
        self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 5.0) -> None:
        """Stop the thread (the file being indexed is left pending, nothing half-written)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.cancel()
        self._queue.put(_STOP)
        thread.join(timeout)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until every queued event is handled (for tests and a clean exit)."""
        return self.idle.wait(timeout)

    def _run(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        while True:
            op, sha256 = self._queue.get()
            if op == "stop":
                return
            try:
                if op == "check":
                    self.index.check()
                    self.index_pending(cancel=self._stop)
                elif op == "remove":
                    with self._work:
                        self.index.remove_blob(sha256)
                else:
                    self.index_pending(cancel=self._stop)
            except Cancelled:
                return
            except IndexDamaged:
                self._queue.put(("add", ""))  # everything is pending again
            except (ArtifactViewerError, OSError) as exc:
                log.warning("Search indexing failed: %s", exc)
            except Exception:  # a bug must not end indexing for the session
                log.exception("Search indexing failed")
            if self._queue.empty():
                self.idle.set()

    # -- the work -----------------------------------------------------------------------

    def pending(self) -> int:
        """How many cached files are waiting to be indexed."""
        return self.index.pending_count()

    def prune(self) -> int:
        """Drop documents the cache no longer holds; return how many."""
        stale = self.index.stale_docs()
        with self._work:
            for doc_id in stale:
                self.index.remove_doc(doc_id)
        return len(stale)

    def index_pending(
        self, progress: ProgressFn | None = None, cancel: CancelToken | None = None
    ) -> int:
        """Index every cached file the index lacks (newest first); return how many.

        ``progress`` counts bytes of the files read.
        """
        with self._work:
            self.prune()
            todo = self.index.pending()
            total = sum(b.size for b in todo)
            done = 0
            report(progress, 0, total)
            for blob in todo:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                self.index_blob(blob, cancel)
                done += blob.size
                report(progress, done, total)
            return len(todo)

    def reindex(self, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> int:
        """Empty the index and index every cached file again."""
        with self._work:
            self.index.clear()
            return self.index_pending(progress, cancel)

    def index_blob(self, blob: PendingBlob, cancel: CancelToken | None = None) -> int:
        """Extract and store one file's rows; return the characters of text indexed.

        A file that cannot be read to its end keeps the rows read before, and says why.
        """
        stored = self.blobs.locate(blob.sha256)
        if stored is None:
            return 0  # left the cache meanwhile: nothing to index, the catalog catches up
        if not is_encrypted(stored):
            return self._index_file(blob, stored, cancel)
        try:  # the plaintext in an anonymous memory file, never a file on disk
            path = self._plain.path_for(blob.sha256, lambda: self.blobs.open_path(stored))
        except (IntegrityError, FileNotFoundError) as exc:
            log.warning("Cached file %s… not indexed: %s", blob.sha256[:12], exc)
            return 0  # damaged (verify removes it) or gone
        try:
            return self._index_file(blob, path, cancel)
        finally:
            self._plain.forget(blob.sha256)

    def _index_file(self, blob: PendingBlob, path: Path, cancel: CancelToken | None) -> int:
        info, rows = extract(path, FileHints(blob.name, blob.mime), cancel)
        doc_id = self.index.begin_doc(blob.sha256, info.kind)
        read = 0

        def batches() -> Iterator[list[Row]]:
            nonlocal read
            try:
                # The next batch is extracted on a helper thread while this one is inserted
                # (SQLite inserts without holding the GIL, so the two overlap).
                for batch in _pipelined(_batches(rows)):
                    yield batch
                    read += len(batch)
                    if cancel is not None:
                        cancel.raise_if_cancelled()
            except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
                info.skip(f"reading stopped after {read} row(s): {str(exc)[:160]}")

        try:
            count, chars = self.index.add_rows(doc_id, batches())
        except BaseException:
            with contextlib.suppress(ArtifactViewerError):
                self.index.remove_doc(doc_id)
            raise
        self.index.finish_doc(doc_id, info, count, chars)
        if info.skipped:
            log.info("Indexed %s… partly: %s", blob.sha256[:12], "; ".join(info.skipped))
        return chars


def _batches(rows: Iterator[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += len(row[0])
        if size >= BATCH_CHARS or len(batch) >= BATCH_ROWS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


_DONE = object()


def _pipelined(source: Iterator[T]) -> Iterator[T]:
    """``source``'s items, produced one step ahead on a helper thread (at most two
    waiting). An exception in ``source`` is raised here; leaving early stops the helper."""
    ahead: queue.Queue[object] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)

    helper = threading.Thread(target=produce, name="search-extract", daemon=True)
    helper.start()
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        helper.join(timeout=5.0)  # a stuck extractor (daemon) gives up at its next batch
