"""Plaintext of encrypted blobs for views that memory-map a path: anonymous memory files.

``os.memfd_create`` (Linux) gives a file that lives in memory only (swappable like any
process memory, never a file in a folder); its ``/proc/<pid>/fd/<n>`` path opens and maps
like a regular file. A view that opened the path keeps its own handle, so dropping ours
never cuts it off. But a dropped descriptor's number may be reused for another file, so
a path handed out must stay valid until its taker has opened it: every memory file is
kept at least ``MIN_AGE`` seconds after it was last handed out (callers open at once: a
preview, a copy), and beyond that only the ``KEEP`` most recent stay, up to ``MAX_BYTES``.

A view that reads only what it shows (the text and log view) may ask for a *progressive*
memory file: its first chunks and its last one are decrypted before the path is handed
out, the rest by a background thread, in order. :func:`wait_ready` blocks until a byte
range is plaintext (at once for any other file), so a reader that calls it never sees a
byte the file does not have. Everyone else gets the path only once the whole file is in.
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
from typing import BinaryIO, Protocol

from artifact_viewer.core.errors import CacheError

KEEP = 4  # memory files kept open for reuse
MIN_AGE = 60.0  # seconds a handed-out path stays valid, whatever the counts
MAX_BYTES = 1024**3  # past this, files older than MIN_GRACE go even if younger than MIN_AGE
MIN_GRACE = 5.0
COPY_CHUNK = 1024 * 1024
#: a progressive memory file has at least this much of its head decrypted when handed out
HEAD_BYTES = 4 * 1024 * 1024
#: smaller files are decrypted whole at once (a fraction of a second)
PROGRESSIVE_MIN = 32 * 1024 * 1024


class ChunkSource(Protocol):
    """What a progressive memory file is filled from (``chunks.DecryptingReader``)."""

    @property
    def size(self) -> int: ...

    @property
    def chunk_size(self) -> int: ...

    def chunk(self, index: int) -> bytes: ...

    def close(self) -> None: ...


class Filling:
    """How far a progressive memory file is decrypted: ``[0, filled)`` and the tail from
    ``tail_start`` are plaintext; ``failed`` says why the rest never will be."""

    def __init__(self, size: int, filled: int, tail_start: int) -> None:
        self.size = size
        self.filled = filled
        self.tail_start = tail_start
        self.failed: BaseException | None = None
        self._cond = threading.Condition()

    @property
    def complete(self) -> bool:
        return self.filled >= self.tail_start or self.filled >= self.size

    def _ready(self, start: int, end: int) -> bool:
        return end <= self.filled or start >= self.tail_start or self.complete

    def advance(self, filled: int) -> None:
        with self._cond:
            self.filled = filled
            self._cond.notify_all()

    def fail(self, exc: BaseException) -> None:
        with self._cond:
            self.failed = exc
            self._cond.notify_all()

    def wait(self, start: int = 0, end: int | None = None, timeout: float | None = None) -> bool:
        """Block until bytes ``[start, end)`` (default: all) are plaintext; False on timeout.
        Raises :class:`CacheError` if decrypting the rest failed."""
        end = self.size if end is None else min(end, self.size)
        with self._cond:
            ok = self._cond.wait_for(
                lambda: self._ready(start, end) or self.failed is not None, timeout
            )
            if self._ready(start, end):
                return True
            if self.failed is not None:
                raise CacheError(
                    f"The rest of the file could not be decrypted ({self.failed})."
                ) from self.failed
            return ok


_fillings: dict[str, Filling] = {}
_fillings_lock = threading.Lock()


def filling_of(path: Path | str) -> Filling | None:
    """The progress of a progressive memory file at ``path`` (None: any other file)."""
    with _fillings_lock:
        found = _fillings.get(str(path))
    return found if found is not None and not found.complete else None


def wait_ready(path: Path | str, start: int = 0, end: int | None = None) -> None:
    """Block until bytes ``[start, end)`` of ``path`` are readable (at once for a regular
    file or a memory file already filled)."""
    found = filling_of(path)
    if found is not None:
        found.wait(start, end)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def progressive_memfd(
    source: ChunkSource,
    name: str = "artifact",
    start_filling: Callable[[Callable[[], None]], None] | None = None,
) -> tuple[int, Filling]:
    """A new anonymous memory file of ``source``'s plaintext size whose first and last
    chunks (at least HEAD_BYTES each way: a view shows the top, and measures the last
    screen) are decrypted now; the rest is decrypted in order by
    ``start_filling(job)`` (default: a daemon thread), which closes ``source`` at the end.

    The filler writes through its own duplicate descriptor, so a caller closing the
    returned one never makes it write into whatever file later gets that number."""
    if not memfd_supported():
        source.close()
        raise CacheError(
            "Encrypted cached files can be opened here only on Linux (anonymous memory files).",
            hint="Turn cache encryption off with `artifact-viewer cache encrypt off`.",
        )
    size, chunk = source.size, source.chunk_size
    chunks = max(1, -(-size // chunk))
    head = min(chunks, max(1, -(-HEAD_BYTES // chunk)))
    # The tail: whole chunks covering at least HEAD_BYTES (the last one may be short).
    tail = min(chunks - head, -(-HEAD_BYTES // chunk) + (1 if size % chunk else 0))
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        os.ftruncate(fd, size)
        for index in [*range(head), *range(chunks - tail, chunks)]:
            _write_all(fd, source.chunk(index), index * chunk)
        filler_fd = os.dup(fd)
    except BaseException:
        os.close(fd)
        source.close()
        raise
    filling = Filling(size, min(size, head * chunk), (chunks - tail) * chunk)

    def job() -> None:
        try:
            for index in range(head, chunks - tail):
                _write_all(filler_fd, source.chunk(index), index * chunk)
                filling.advance(min(size, (index + 1) * chunk))
            filling.advance(size)
        except BaseException as exc:  # waiters raise it instead of reading zeros
            filling.fail(exc)
        finally:
            source.close()
            os.close(filler_fd)

    with _fillings_lock:
        for key in [k for k, v in _fillings.items() if v.complete]:
            del _fillings[key]
        _fillings[str(PlaintextViews._path(fd))] = filling
    if start_filling is None:
        threading.Thread(target=job, name="decrypt-rest", daemon=True).start()
    else:
        start_filling(job)
    return fd, filling


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
        start_filling: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        self._start_filling = start_filling
        self._keep = keep
        self._min_age = min_age
        self._max_bytes = max_bytes
        self._clock = clock
        # sha256 -> (descriptor, size, when last handed out), least recently used first
        self._fds: OrderedDict[str, tuple[int, int, float]] = OrderedDict()
        self._filling: dict[str, Filling] = {}  # progressive files still being decrypted
        self._lock = threading.Lock()
        self._making = threading.Lock()  # one decryption at a time: no duplicate copies

    def path_for(
        self, sha256: str, opener: Callable[[], BinaryIO], *, progressive: bool = False
    ) -> Path:
        """A path whose bytes are the blob's plaintext (decrypted on first use).

        With ``progressive`` (for a reader that calls :func:`wait_ready` before it reads),
        a large file's path comes back once its head and tail are decrypted; without it,
        only once the whole file is (waiting for a progressive one still being filled)."""
        with self._making:
            with self._lock:
                found = self._fds.get(sha256)
                if found is not None:
                    self._fds[sha256] = (found[0], found[1], self._clock())
                    self._fds.move_to_end(sha256)
                filling = self._filling.get(sha256)
            if found is not None:
                if filling is not None and not progressive:
                    filling.wait()
                return self._path(found[0])
            source = opener()
            chunked = getattr(source, "chunk", None) is not None
            if progressive and chunked and getattr(source, "size", 0) >= PROGRESSIVE_MIN:
                fd, filling = progressive_memfd(
                    source,  # type: ignore[arg-type]
                    f"artifact-{sha256[:12]}",
                    self._start_filling,
                )
                with self._lock:
                    self._filling[sha256] = filling
            else:
                with source:
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
            filling = self._filling.get(sha256)
            if filling is not None and filling.complete:
                del self._filling[sha256]
            age = now - when
            over_count = len(self._fds) > self._keep and age >= self._min_age
            over_bytes = total > self._max_bytes and age >= MIN_GRACE
            if over_count or over_bytes:
                del self._fds[sha256]
                self._filling.pop(sha256, None)
                total -= size
                dropped.append(fd)
        return dropped

    def forget(self, sha256: str | None = None) -> None:
        """Drop one blob's memory file (after it was removed), or all of them."""
        with self._lock:
            if sha256 is None:
                fds = [fd for fd, _size, _when in self._fds.values()]
                self._fds.clear()
                self._filling.clear()
            else:
                self._filling.pop(sha256, None)
                found = self._fds.pop(sha256, None)
                fds = [found[0]] if found is not None else []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    @staticmethod
    def _path(fd: int) -> Path:
        return Path(f"/proc/{os.getpid()}/fd/{fd}")
