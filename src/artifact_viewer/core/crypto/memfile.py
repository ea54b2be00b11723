"""Plaintext of encrypted blobs for views that memory-map a path: anonymous memory files.

``os.memfd_create`` (Linux) gives a file that lives in memory only (swappable like any
process memory, never a file in a folder); its ``/proc/<pid>/fd/<n>`` path opens and maps
like a regular file. A view that opened the path keeps its own handle, so dropping ours
never cuts it off. But a dropped descriptor's number may be reused for another file, so
a path handed out must stay valid until its taker has opened it: every memory file is
kept at least ``MIN_AGE`` seconds after it was last handed out (callers open at once: a
preview, a copy), and beyond that only the ``KEEP`` most recent stay, up to ``MAX_BYTES``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from artifact_viewer.core.errors import CacheError

KEEP = 4  # memory files kept open for reuse
MIN_AGE = 60.0  # seconds a handed-out path stays valid, whatever the counts
MAX_BYTES = 1024**3  # past this, files older than MIN_GRACE go even if younger than MIN_AGE
MIN_GRACE = 5.0
COPY_CHUNK = 1024 * 1024


def memfd_supported() -> bool:
    return hasattr(os, "memfd_create") and sys.platform.startswith("linux")


def plaintext_memfd(source: BinaryIO, name: str = "artifact") -> int:
    """Copy ``source`` into a new anonymous memory file; returns its descriptor (0600)."""
    if not memfd_supported():
        raise CacheError(
            "Encrypted cached files can be opened here only on Linux (anonymous memory files).",
            hint="Turn cache encryption off with `artifact-viewer cache encrypt off`.",
        )
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        chunks = getattr(source, "iter_chunks", None)
        pieces = chunks() if chunks is not None else iter(lambda: source.read(COPY_CHUNK), b"")
        for piece in pieces:
            part = memoryview(piece)
            while part:
                part = part[os.write(fd, part) :]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


class PlaintextViews:
    """Memory files holding decrypted blobs, by SHA-256, least recently used dropped first."""

    def __init__(
        self,
        keep: int = KEEP,
        min_age: float = MIN_AGE,
        max_bytes: int = MAX_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._keep = keep
        self._min_age = min_age
        self._max_bytes = max_bytes
        self._clock = clock
        # sha256 -> (descriptor, size, when last handed out), least recently used first
        self._fds: OrderedDict[str, tuple[int, int, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._making = threading.Lock()  # one decryption at a time: no duplicate copies

    def path_for(self, sha256: str, opener: Callable[[], BinaryIO]) -> Path:
        """A path whose bytes are the blob's plaintext (decrypted on first use)."""
        with self._making:
            with self._lock:
                found = self._fds.get(sha256)
                if found is not None:
                    self._fds[sha256] = (found[0], found[1], self._clock())
                    self._fds.move_to_end(sha256)
                    return self._path(found[0])
            with opener() as source:
                fd = plaintext_memfd(source, f"artifact-{sha256[:12]}")
            size = os.fstat(fd).st_size
            with self._lock:
                self._fds[sha256] = (fd, size, self._clock())
                dropped = self._evict()
        for old in dropped:
            with contextlib.suppress(OSError):
                os.close(old)
        return self._path(fd)

    def _evict(self) -> list[int]:
        """Descriptors to close: beyond the newest ``keep`` and older than ``min_age``, or,
        over ``max_bytes``, older than a few seconds. Called with the lock held."""
        now = self._clock()
        total = sum(size for _fd, size, _when in self._fds.values())
        dropped: list[int] = []
        for sha256, (fd, size, when) in list(self._fds.items())[:-1]:  # never the newest
            age = now - when
            over_count = len(self._fds) > self._keep and age >= self._min_age
            over_bytes = total > self._max_bytes and age >= MIN_GRACE
            if over_count or over_bytes:
                del self._fds[sha256]
                total -= size
                dropped.append(fd)
        return dropped

    def forget(self, sha256: str | None = None) -> None:
        """Drop one blob's memory file (after it was removed), or all of them."""
        with self._lock:
            if sha256 is None:
                fds = [fd for fd, _size, _when in self._fds.values()]
                self._fds.clear()
            else:
                found = self._fds.pop(sha256, None)
                fds = [found[0]] if found is not None else []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    @staticmethod
    def _path(fd: int) -> Path:
        return Path(f"/proc/{os.getpid()}/fd/{fd}")
