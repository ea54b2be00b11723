"""Content-addressed artifact bytes: verified-while-streaming atomic writes, cross-process locks."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import CacheError, IntegrityError
from artifact_viewer.core.hashes import ExpectedHash, Hasher, hash_file
from artifact_viewer.core.paths import FILE_MODE, ensure_private_dir

log = logging.getLogger("artifact_viewer.store")

PART_SUFFIX = ".part"
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_LOCK_KEY_RE = re.compile(r"[^A-Za-z0-9_.-]")
LOCK_POLL_SECONDS = 0.05
WRITEBACK_EVERY = 8 * 1024 * 1024  # start disk write-back of each 8 MiB written
_FADVISE = getattr(os, "posix_fadvise", None) if sys.platform == "linux" else None
_DONTNEED = getattr(os, "POSIX_FADV_DONTNEED", 4)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte (``os.write`` may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _disk_error(exc: OSError, what: str) -> CacheError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return CacheError(
            f"The disk is full: could not {what}.",
            hint="Free some disk space or lower the cache quota in Settings, then try again.",
        )
    return CacheError(f"Could not {what}: {exc.strerror or exc}.")


class BlobWriter:
    """One in-flight download: a locked temp file plus the hasher fed by the same bytes.

    Nothing reaches the blob folder unless :meth:`commit` finds the hash matches; every
    other way out (error, cancel, mismatch) deletes the temp file.
    """

    def __init__(self, store: BlobStore, expected: ExpectedHash | None) -> None:
        self._store = store
        self.expected = expected
        self.hasher = Hasher(expected)
        ensure_private_dir(store.partial_dir)
        try:
            fd, name = tempfile.mkstemp(prefix="blob-", suffix=PART_SUFFIX, dir=store.partial_dir)
        except OSError as exc:
            raise _disk_error(exc, "start a download in the cache folder") from exc
        self._fd: int | None = fd
        self._written_back = 0
        self.temp_path = Path(name)
        # Held until the file is gone, so a cleanup in another process leaves it alone.
        fcntl.flock(fd, fcntl.LOCK_EX)

    @property
    def size(self) -> int:
        return self.hasher.size

    def write(self, data: bytes | memoryview) -> None:
        if self._fd is None:
            raise CacheError("This download was already finished.")
        try:
            _write_all(self._fd, data)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, "save the download") from exc
        self.hasher.update(data)
        if self.hasher.size - self._written_back >= WRITEBACK_EVERY:
            self._start_writeback()

    def _start_writeback(self) -> None:
        """Ask the kernel to start writing what we have so far to disk, without waiting.

        Why: the final ``fsync`` must wait for every dirty page; begun early, most of that
        disk work overlaps the download instead of following it. On Linux,
        ``POSIX_FADV_DONTNEED`` starts write-back of the range's dirty pages and drops only
        pages already clean, so bytes just written mostly stay cached for a preview.
        """
        end = self.hasher.size
        if _FADVISE is not None and self._fd is not None:
            with contextlib.suppress(OSError):
                _FADVISE(self._fd, self._written_back, end - self._written_back, _DONTNEED)
        self._written_back = end

    def restart(self) -> None:
        """Drop what was written (the server ignored our Range and sent the whole file)."""
        if self._fd is None:
            raise CacheError("This download was already finished.")
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        self.hasher = Hasher(self.expected)
        self._written_back = 0

    def commit(self) -> tuple[str, int, bool]:
        """Check the hash, then move the file into place. Returns (sha256, size, verified).

        ``verified`` is False when no hash was expected (state "not verifiable"). A mismatch
        raises :class:`IntegrityError` after deleting the temp file.
        """
        if self._fd is None:
            raise CacheError("This download was already finished.")
        if self.expected is not None and not self.hasher.matches():
            actual = self.hasher.actual()
            self.discard()
            raise IntegrityError(
                "The downloaded bytes do not match the artifact's hash.",
                expected=str(self.expected),
                actual=f"{self.expected.algo}:{actual}",
            )
        sha256 = self.hasher.sha256
        final = self._store.path_for(sha256)
        try:
            os.fsync(self._fd)
            os.fchmod(self._fd, FILE_MODE)
            ensure_private_dir(final.parent)
            os.replace(self.temp_path, final)
            _fsync_dir(final.parent)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, "finish saving the download") from exc
        self._close()
        return sha256, self.hasher.size, self.expected is not None

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.temp_path.unlink()
        self._close()

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            self.discard()


def fetch_lock_key(expected: ExpectedHash | None, artifact_id: str) -> str:
    """The lock a download holds: per expected hash (artifacts with the same bytes share
    one download), else per artifact. Eviction takes the same locks before deleting."""
    return f"{expected.algo}-{expected.hex}" if expected is not None else f"artifact-{artifact_id}"


def _fsync_dir(path: Path) -> None:
    """Make the rename durable (a crash right after must not lose the entry)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class BlobStore:
    """Files under ``root/sha256/ab/cdef...``; temp files and lock files under ``partial_dir``."""

    def __init__(self, root: Path, partial_dir: Path) -> None:
        self.root = root
        self.partial_dir = partial_dir
        self.locks_dir = partial_dir / "locks"
        #: called with the SHA-256 of every blob removed (evicted, purged, failed verification)
        self.on_removed: Callable[[str], None] | None = None
        for folder in (root, partial_dir, self.locks_dir):
            ensure_private_dir(folder)

    def path_for(self, sha256: str) -> Path:
        if not _SHA256_RE.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / "sha256" / sha256[:2] / sha256[2:]

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def writer(self, expected: ExpectedHash | None) -> BlobWriter:
        return BlobWriter(self, expected)

    def remove(self, sha256: str) -> bool:
        try:
            self.path_for(sha256).unlink()
        except FileNotFoundError:
            return False
        if self.on_removed is not None:
            self.on_removed(sha256)
        return True

    def rehash(self, sha256: str, expected: ExpectedHash | None) -> Hasher:
        """Hash a stored blob again (raises FileNotFoundError if it vanished)."""
        return hash_file(self.path_for(sha256), expected)

    def all_blobs(self) -> Iterator[tuple[str, Path]]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for shard in base.iterdir():
            if not shard.is_dir():
                continue
            for item in shard.iterdir():
                digest = shard.name + item.name
                if _SHA256_RE.match(digest) and item.is_file():
                    yield digest, item

    def clean_partials(self) -> int:
        """Delete temp files left by a killed process; files still locked by a live writer stay."""
        removed = 0
        for item in self.partial_dir.glob(f"*{PART_SUFFIX}"):
            try:
                fd = os.open(item, os.O_RDWR)
            except FileNotFoundError:
                continue
            except OSError as exc:
                log.warning("Cannot inspect leftover download %s: %s", item.name, exc.strerror)
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # a live download (maybe another process) owns it
            try:
                item.unlink()
                removed += 1
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)
        if removed:
            log.info("Removed %d unfinished download(s) left from an earlier run", removed)
        return removed

    def _lock_fd(self, key: str) -> int:
        name = _LOCK_KEY_RE.sub("_", key)[:200] + ".lock"
        return os.open(self.locks_dir / name, os.O_RDWR | os.O_CREAT, FILE_MODE)

    @contextlib.contextmanager
    def try_locks(self, keys: Iterable[str]) -> Iterator[bool]:
        """Take every lock in ``keys`` without waiting; yields False (holding none) if any is
        busy, e.g. a download in this or another process. Eviction uses it to skip blobs in use.
        """
        fds: list[int] = []
        try:
            for key in sorted(set(keys)):
                fd = self._lock_fd(key)
                fds.append(fd)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
            yield True
        finally:
            for fd in fds:
                os.close(fd)  # closing releases the lock

    @contextlib.contextmanager
    def lock(self, key: str, cancel: CancelToken | None = None) -> Iterator[None]:
        """An exclusive lock on ``key`` across processes (``flock`` on a lock file).

        Polls rather than blocking so a waiting download can still be cancelled.
        """
        fd = self._lock_fd(key)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    time.sleep(LOCK_POLL_SECONDS)
            yield
        finally:
            os.close(fd)  # closing releases the lock
