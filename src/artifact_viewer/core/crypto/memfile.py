"""Plaintext of encrypted blobs for views that memory-map a path: anonymous memory files.

``os.memfd_create`` (Linux) gives a file that lives in memory only (swappable like any
process memory, never a file in a folder); its ``/proc/<pid>/fd/<n>`` path opens and maps
like a regular file. A few recent ones are kept so reopening an artifact is instant; a
view that opened the path keeps its own handle, so dropping ours never cuts it off.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from artifact_viewer.core.errors import CacheError

KEEP = 4  # memory files kept open for reuse
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

    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self._fds: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()

    def path_for(self, sha256: str, opener: Callable[[], BinaryIO]) -> Path:
        """A path whose bytes are the blob's plaintext (decrypted on first use)."""
        with self._lock:
            fd = self._fds.get(sha256)
            if fd is not None:
                self._fds.move_to_end(sha256)
                return self._path(fd)
        with opener() as source:
            fd = plaintext_memfd(source, f"artifact-{sha256[:12]}")
        with self._lock:
            old = self._fds.pop(sha256, None)
            self._fds[sha256] = fd
            while len(self._fds) > self._keep:
                _sha, dropped = self._fds.popitem(last=False)
                with contextlib.suppress(OSError):
                    os.close(dropped)
        if old is not None:
            with contextlib.suppress(OSError):
                os.close(old)
        return self._path(fd)

    def forget(self, sha256: str | None = None) -> None:
        """Drop one blob's memory file (after it was removed), or all of them."""
        with self._lock:
            if sha256 is None:
                fds = list(self._fds.values())
                self._fds.clear()
            else:
                found = self._fds.pop(sha256, None)
                fds = [found] if found is not None else []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    @staticmethod
    def _path(fd: int) -> Path:
        return Path(f"/proc/{os.getpid()}/fd/{fd}")
