"""Content-addressed artifact bytes: verified-while-streaming atomic writes, cross-process locks."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import CacheError, IntegrityError
from artifact_viewer.core.hashes import ExpectedHash, HashAlgo, Hasher, hash_file
from artifact_viewer.core.paths import FILE_MODE, ensure_private_dir

if TYPE_CHECKING:
    from artifact_viewer.core.crypto.chunks import ChunkEncryptor

log = logging.getLogger("artifact_viewer.store")

PART_SUFFIX = ".part"
ENCRYPTED_SUFFIX = ".enc"  # an encrypted blob (core/crypto/chunks.py); plain ones have none
RESUME_SUFFIX = ".resume"  # beside a resumable .part: {"offset", "expected", "declared"}
# The resumable offset is recorded after each twentieth of the file (at least 64 KiB, at
# most 64 MiB), and at least every 2 s once 64 KiB more arrived. Each record is a small
# file renamed into place: recorded every MiB, a 1 GB download spent more time in those
# renames (each waits on the journal behind the download's own write-back) than on hashing.
RESUME_MARK_EVERY = 64 * 1024 * 1024
RESUME_MARK_MIN = 64 * 1024
RESUME_MARK_SECONDS = 2.0
STALE_PARTIAL_SECONDS = 24 * 3600  # an unfinished download older than this is dropped
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


class BoundHash:
    """What :meth:`BlobStore.rehash` gives for an encrypted file bound to its address: its
    tags all passed, so its plaintext's SHA-256 is the address (the :class:`Hasher`
    interface that verification reads)."""

    def __init__(self, sha256: str, size: int, expected: ExpectedHash | None) -> None:
        self.sha256 = sha256
        self.size = size
        self.expected = expected

    def actual(self) -> str | None:
        return None if self.expected is None else self.sha256

    def matches(self) -> bool:
        return self.expected is not None and self.sha256 == self.expected.hex


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


def _copy_range(source_fd: int, fd: int, size: int) -> None:
    """Copy the first ``size`` bytes of ``source_fd`` to ``fd``'s current offset, leaving
    ``source_fd``'s offset alone (in the kernel where it can)."""
    offset = 0
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        with contextlib.suppress(OSError):
            while offset < size and (done := copy_range(source_fd, fd, size - offset, offset)):
                offset += done
    while offset < size:
        chunk = os.pread(source_fd, min(size - offset, 1024 * 1024), offset)
        if not chunk:
            raise OSError(errno.EIO, "the partial download is shorter than recorded")
        _write_all(fd, chunk)
        offset += len(chunk)


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

    def __init__(
        self,
        store: BlobStore,
        expected: ExpectedHash | None,
        *,
        encrypt: bool | None = None,
        resume_key: str | None = None,
        declared: int | None = None,
    ) -> None:
        self._store = store
        self.expected = expected
        self.hasher = Hasher(expected)
        # Encrypted: the hasher still sees the plaintext (the content address), the file
        # only ciphertext (see core/crypto/chunks.py).
        self.encrypted = store.encrypt if encrypt is None else encrypt
        self._master = store.master_key() if self.encrypted else None
        self._sink: ChunkEncryptor | None = None
        self.declared = declared
        self.resumed_from = 0
        self._written_back = 0
        self._marked = 0
        self._marked_at = time.monotonic()
        self._mark_every = RESUME_MARK_EVERY
        if declared is not None:
            self._mark_every = max(RESUME_MARK_MIN, min(RESUME_MARK_EVERY, declared // 20))
        self._resume_path: Path | None = None
        self._copy_fd: int | None = None  # a destination written in the same pass
        self._copy_written_back = 0
        ensure_private_dir(store.partial_dir)
        # Resumable across processes only with a hash to check the joined bytes against,
        # and only in plain form (ciphertext cannot be re-hashed without its stream state).
        if resume_key is not None and expected is not None and not self.encrypted:
            self.temp_path = (
                store.partial_dir / f"{_LOCK_KEY_RE.sub('_', resume_key)[:200]}{PART_SUFFIX}"
            )
            self._resume_path = self.temp_path.with_suffix(RESUME_SUFFIX)
            try:
                fd = os.open(self.temp_path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            except OSError as exc:
                raise _disk_error(exc, "start a download in the cache folder") from exc
            self._fd: int | None = fd
            fcntl.flock(fd, fcntl.LOCK_EX)  # the caller holds the download lock: no wait
            self._pick_up()
        else:
            try:
                fd, name = tempfile.mkstemp(
                    prefix="blob-", suffix=PART_SUFFIX, dir=store.partial_dir
                )
            except OSError as exc:
                raise _disk_error(exc, "start a download in the cache folder") from exc
            self._fd = fd
            self.temp_path = Path(name)
            # Held until the file is gone, so a cleanup in another process leaves it alone.
            fcntl.flock(fd, fcntl.LOCK_EX)
        if self._master is not None:
            self._sink = self._new_sink(self._master)

    def _new_sink(self, master: bytes) -> ChunkEncryptor:
        from artifact_viewer.core.crypto.chunks import ChunkEncryptor

        return ChunkEncryptor(master, self._write_raw, bound=True)

    def _write_raw(self, data: bytes) -> None:
        assert self._fd is not None
        _write_all(self._fd, data)

    def _pick_up(self) -> None:
        """Continue an earlier process's download: keep the bytes its record vouches for."""
        assert self._fd is not None and self._resume_path is not None
        offset = 0
        try:
            record = json.loads(self._resume_path.read_text(encoding="utf-8"))
            if (
                isinstance(record, dict)
                and record.get("expected") == str(self.expected)
                and record.get("declared") == self.declared
                and isinstance(record.get("offset"), int)
            ):
                offset = max(0, min(record["offset"], os.fstat(self._fd).st_size))
                if self.declared is not None and offset > self.declared:
                    offset = 0
        except (OSError, ValueError):
            offset = 0
        try:
            os.ftruncate(self._fd, offset)
            if offset:
                os.lseek(self._fd, 0, os.SEEK_SET)
                left = offset
                while left:
                    chunk = os.read(self._fd, min(left, 1024 * 1024))
                    if not chunk:
                        break
                    self.hasher.update(chunk)
                    left -= len(chunk)
            os.ftruncate(self._fd, self.hasher.size)
            os.lseek(self._fd, self.hasher.size, os.SEEK_SET)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, "continue an unfinished download") from exc
        self.resumed_from = self._marked = self._written_back = self.hasher.size
        if self.resumed_from:
            log.info("Continuing an unfinished download from byte %d", self.resumed_from)

    @property
    def resumable(self) -> bool:
        """True if this download's bytes survive the process (kept by :meth:`keep`)."""
        return self._resume_path is not None

    def _mark(self) -> None:
        """Record how far the file is good, for a later process (a small atomic write)."""
        if self._resume_path is None:
            return
        record = {
            "offset": self.hasher.size,
            "expected": str(self.expected),
            "declared": self.declared,
        }
        temp = self._resume_path.with_name(self._resume_path.name + ".tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            try:
                _write_all(fd, json.dumps(record).encode())
            finally:
                os.close(fd)
            os.replace(temp, self._resume_path)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()
            return
        self._marked = self.hasher.size
        self._marked_at = time.monotonic()

    def _unmark(self) -> None:
        if self._resume_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._resume_path.unlink()

    def forbid_resume(self) -> None:
        """These bytes must not be continued by Range later (a gzip-coded body)."""
        self._unmark()
        self._resume_path = None

    def keep(self) -> None:
        """Leave a resumable file for a later attempt (or process) instead of deleting it."""
        if self._resume_path is None or not self.hasher.size:
            self.discard()
            return
        self._mark()
        self._close()

    @property
    def size(self) -> int:
        return self.hasher.size

    def copy_to(self, fd: int) -> None:
        """Also write every (plaintext) byte to ``fd``, an empty file at offset 0: a copy the
        user asked for is made in the same pass as the cache file, instead of read back
        from the cache afterwards. Bytes this writer already holds (a resumed download)
        are copied first. The copy is the caller's to publish only if :attr:`copied` is
        still true after :meth:`commit`; a failure writing it stops the copy, never the
        download."""
        if self._fd is None:
            raise CacheError("This download was already finished.")
        self._copy_fd = fd
        self._copy_written_back = 0
        if self.hasher.size and self._sink is None:
            try:
                _copy_range(self._fd, fd, self.hasher.size)
            except OSError:
                self._copy_fd = None
        elif self.hasher.size:
            self._copy_fd = None  # ciphertext on disk: the caller copies the plaintext later

    @property
    def copied(self) -> bool:
        """True while the file given to :meth:`copy_to` holds every byte written."""
        return self._copy_fd is not None

    def write(self, data: bytes | memoryview) -> None:
        if self._fd is None:
            raise CacheError("This download was already finished.")
        try:
            if self._sink is None:
                _write_all(self._fd, data)
            else:
                self._sink.write(data)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, "save the download") from exc
        if self._copy_fd is not None:
            try:
                _write_all(self._copy_fd, data)
            except OSError:
                self._copy_fd = None  # the caller copies from the cache, and reports why
        self.hasher.update(data)
        if self.hasher.size - self._written_back >= WRITEBACK_EVERY:
            self._start_writeback()
        if self._resume_path is not None:
            unmarked = self.hasher.size - self._marked
            if unmarked >= self._mark_every or (
                unmarked >= RESUME_MARK_MIN
                and time.monotonic() - self._marked_at >= RESUME_MARK_SECONDS
            ):
                self._mark()

    def _start_writeback(self) -> None:
        """Ask the kernel to start writing what we have so far to disk, without waiting.

        Why: the final ``fsync`` must wait for every dirty page; begun early, most of that
        disk work overlaps the download instead of following it. On Linux,
        ``POSIX_FADV_DONTNEED`` starts write-back of the range's dirty pages and drops only
        pages already clean, so bytes just written mostly stay cached for a preview.
        """
        end = self.hasher.size
        if self._sink is not None and self._fd is not None:
            end = os.lseek(self._fd, 0, os.SEEK_CUR)  # ciphertext offsets differ
        if _FADVISE is not None and self._fd is not None:
            with contextlib.suppress(OSError):
                _FADVISE(self._fd, self._written_back, end - self._written_back, _DONTNEED)
        self._written_back = end
        if _FADVISE is not None and self._copy_fd is not None:
            # The copy is flushed when it is published: begun now, that flush overlaps too.
            copy_end = self.hasher.size
            with contextlib.suppress(OSError):
                _FADVISE(
                    self._copy_fd,
                    self._copy_written_back,
                    copy_end - self._copy_written_back,
                    _DONTNEED,
                )
            self._copy_written_back = copy_end

    def restart(self) -> None:
        """Drop what was written (the server ignored our Range and sent the whole file)."""
        if self._fd is None:
            raise CacheError("This download was already finished.")
        self._unmark()
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        if self._copy_fd is not None:
            try:
                os.ftruncate(self._copy_fd, 0)
                os.lseek(self._copy_fd, 0, os.SEEK_SET)
            except OSError:
                self._copy_fd = None
        self.hasher = Hasher(self.expected)
        self._written_back = self._marked = self._copy_written_back = 0
        if self._master is not None:
            self._sink = self._new_sink(self._master)  # a fresh salt and header

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
        plain = self._store.path_for(sha256)
        final = plain.with_name(plain.name + ENCRYPTED_SUFFIX) if self.encrypted else plain
        try:
            if self._sink is not None:
                self._sink.finish(bytes.fromhex(sha256))  # binds the file to its address
            os.fsync(self._fd)
            os.fchmod(self._fd, FILE_MODE)
            ensure_private_dir(final.parent)
            os.replace(self.temp_path, final)
            # The same bytes in the other form (a conversion): gone once this one is in place.
            other = plain if self.encrypted else plain.with_name(plain.name + ENCRYPTED_SUFFIX)
            other.unlink(missing_ok=True)
            _fsync_dir(final.parent)
        except OSError as exc:
            self.discard()
            raise _disk_error(exc, "finish saving the download") from exc
        self._unmark()
        self._close()
        return sha256, self.hasher.size, self.expected is not None

    def discard(self) -> None:
        self._unmark()
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


def is_encrypted(path: Path) -> bool:
    return path.name.endswith(ENCRYPTED_SUFFIX)


def _missing_key() -> bytes:
    from artifact_viewer.core.crypto.keys import KEY_MISSING, load_master_key

    key = load_master_key()
    if key is None:
        raise CacheError(
            KEY_MISSING,
            hint="Restore the keyring, or run `artifact-viewer cache purge --include-pinned`"
            " and `artifact-viewer cache encrypt off` to download the files again.",
        )
    return key


class BlobStore:
    """Files under ``root/sha256/ab/cdef...`` (``...cdef.enc`` when encrypted); temp files
    and lock files under ``partial_dir``.

    ``encrypt`` says how new files are stored; files of either form are read, so a cache
    half-way through a conversion stays usable. ``master_key`` gives the cache key (from
    the keyring), asked for only when an encrypted file is written or read.
    """

    def __init__(
        self,
        root: Path,
        partial_dir: Path,
        *,
        encrypt: bool | Callable[[], bool] = False,
        master_key: Callable[[], bytes] | None = None,
    ) -> None:
        self.root = root
        self.partial_dir = partial_dir
        self.locks_dir = partial_dir / "locks"
        self._encrypt = encrypt
        self._master_key = master_key or _missing_key
        #: called with the SHA-256 of every blob removed (evicted, purged, failed verification)
        self.on_removed: Callable[[str], None] | None = None
        for folder in (root, partial_dir, self.locks_dir):
            ensure_private_dir(folder)

    @property
    def encrypt(self) -> bool:
        """Whether new files are stored encrypted. Given as a callable (the cache's marker
        file), it is asked again for every file, so another process turning encryption on
        is followed at once."""
        return self._encrypt() if callable(self._encrypt) else self._encrypt

    @encrypt.setter
    def encrypt(self, value: bool | Callable[[], bool]) -> None:
        self._encrypt = value

    def master_key(self) -> bytes:
        return self._master_key()

    def path_for(self, sha256: str) -> Path:
        """Where the plain form of a blob lives (see :meth:`locate` for the one on disk)."""
        if not _SHA256_RE.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / "sha256" / sha256[:2] / sha256[2:]

    def encrypted_path_for(self, sha256: str) -> Path:
        plain = self.path_for(sha256)
        return plain.with_name(plain.name + ENCRYPTED_SUFFIX)

    def locate(self, sha256: str) -> Path | None:
        """The blob's file, encrypted or plain, or None if neither exists."""
        plain = self.path_for(sha256)
        for candidate in (plain, plain.with_name(plain.name + ENCRYPTED_SUFFIX)):
            if candidate.is_file():
                return candidate
        return None

    def exists(self, sha256: str) -> bool:
        return self.locate(sha256) is not None

    def writer(
        self,
        expected: ExpectedHash | None,
        *,
        encrypt: bool | None = None,
        resume_key: str | None = None,
        declared: int | None = None,
    ) -> BlobWriter:
        return BlobWriter(self, expected, encrypt=encrypt, resume_key=resume_key, declared=declared)

    def remove(self, sha256: str) -> bool:
        removed = False
        for path in (self.path_for(sha256), self.encrypted_path_for(sha256)):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed = True
        if removed and self.on_removed is not None:
            self.on_removed(sha256)
        return removed

    def open_blob(self, sha256: str) -> BinaryIO:
        """The blob's plaintext as a seekable binary file (decrypting an encrypted one as it
        is read); FileNotFoundError if it vanished."""
        path = self.locate(sha256)
        if path is None:
            raise FileNotFoundError(str(self.path_for(sha256)))
        return self.open_path(path)

    def open_path(self, path: Path) -> BinaryIO:
        if not is_encrypted(path):
            return path.open("rb")
        from artifact_viewer.core.crypto.chunks import open_checked

        return open_checked(path, self.master_key())  # type: ignore[return-value]

    def plain_size(self, path: Path) -> int:
        """The plaintext size of a blob file of either form."""
        size = path.stat().st_size
        if not is_encrypted(path):
            return size
        from artifact_viewer.core.crypto.chunks import HEADER, Header, plaintext_size

        with path.open("rb") as handle:
            header = Header.unpack(handle.read(HEADER))
        return plaintext_size(size, header.chunk_size)

    def rehash(self, sha256: str, expected: ExpectedHash | None) -> Hasher | BoundHash:
        """Hash a stored blob's plaintext again (FileNotFoundError if it vanished;
        IntegrityError if an encrypted one fails authentication).

        An encrypted file bound to its address (format version 2) is checked by its chunk
        tags instead, when the API's hash is SHA-256 (or there is none): the tags prove its
        plaintext is the bytes that hashed to ``sha256`` when it was written (see
        ``core.crypto.chunks.authenticate_all``), about three times faster than hashing."""
        path = self.locate(sha256)
        if path is None:
            raise FileNotFoundError(str(self.path_for(sha256)))
        if not is_encrypted(path):
            return hash_file(path, expected)
        from artifact_viewer.core.crypto.chunks import (
            authenticate_all,
            hash_plaintext,
            open_checked,
        )

        with open_checked(path, self.master_key()) as reader:
            if reader.header.bound and (expected is None or expected.algo is HashAlgo.SHA256):
                return BoundHash(sha256, authenticate_all(reader), expected)
            hasher = Hasher(expected)
            hash_plaintext(reader, hasher.update)
        return hasher

    def all_blobs(self) -> Iterator[tuple[str, Path]]:
        """(sha256, file) per stored blob file; a blob found in both forms (a conversion
        was cut short) is listed once per form."""
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for shard in base.iterdir():
            if not shard.is_dir():
                continue
            for item in shard.iterdir():
                digest = shard.name + item.name.removesuffix(ENCRYPTED_SUFFIX)
                if _SHA256_RE.match(digest) and item.is_file():
                    yield digest, item

    def clean_partials(self, *, max_age: float = STALE_PARTIAL_SECONDS) -> int:
        """Delete what killed processes left: one-off temp files, resumable downloads older
        than ``max_age`` seconds (or without their record), and lock files nobody holds.

        Files locked by a live download (any process) stay; a resumable download younger
        than ``max_age`` stays for the next attempt to continue by Range.
        """
        removed = 0
        now = time.time()
        for item in self.partial_dir.glob(f"*{PART_SUFFIX}"):
            record = item.with_suffix(RESUME_SUFFIX)
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
                fresh = now - os.fstat(fd).st_mtime < max_age
                if fresh and record.is_file():
                    continue  # resumable: the next download of these bytes continues it
                with contextlib.suppress(FileNotFoundError):
                    record.unlink()
                item.unlink()
                removed += 1
            except FileNotFoundError:
                pass
            finally:
                os.close(fd)
        for record in self.partial_dir.glob(f"*{RESUME_SUFFIX}*"):
            orphan = record.name.endswith(".tmp") or not record.with_suffix(PART_SUFFIX).exists()
            if orphan:
                with contextlib.suppress(OSError):
                    record.unlink()
        if removed:
            log.info("Removed %d unfinished download(s) left from an earlier run", removed)
        self.clean_locks()
        return removed

    def clean_locks(self) -> int:
        """Remove lock files nobody holds (taking each lock first, so none is pulled from
        under a holder; a waiter that loses its file this way takes the lock again)."""
        removed = 0
        for item in self.locks_dir.glob("*.lock"):
            try:
                fd = os.open(item, os.O_RDWR)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                if _same_file(fd, item):
                    item.unlink()
                    removed += 1
            except (BlockingIOError, FileNotFoundError):
                pass
            finally:
                os.close(fd)
        return removed

    def _lock_path(self, key: str) -> Path:
        return self.locks_dir / (_LOCK_KEY_RE.sub("_", key)[:200] + ".lock")

    def _try_lock(self, key: str) -> int | None:
        """The fd of ``key``'s lock if taken now, else None. The file may be removed by its
        last holder (see :meth:`_unlock`), so the lock counts only if it is still the file
        at that path."""
        path = self._lock_path(key)
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            if _same_file(fd, path):
                return fd
            os.close(fd)  # removed meanwhile: take the new file's lock instead

    def _unlock(self, key: str, fd: int) -> None:
        """Release a lock, removing its file first (no lock file outlives its use)."""
        with contextlib.suppress(OSError):
            self._lock_path(key).unlink()
        os.close(fd)

    @contextlib.contextmanager
    def try_locks(self, keys: Iterable[str]) -> Iterator[bool]:
        """Take every lock in ``keys`` without waiting; yields False (holding none) if any is
        busy, e.g. a download in this or another process. Eviction uses it to skip blobs in use.
        """
        held: list[tuple[str, int]] = []
        try:
            for key in sorted(set(keys)):
                fd = self._try_lock(key)
                if fd is None:
                    yield False
                    return
                held.append((key, fd))
            yield True
        finally:
            for key, fd in held:
                self._unlock(key, fd)

    @contextlib.contextmanager
    def lock(self, key: str, cancel: CancelToken | None = None) -> Iterator[None]:
        """An exclusive lock on ``key`` across processes (``flock`` on a lock file).

        Polls rather than blocking so a waiting download can still be cancelled.
        """
        while True:
            fd = self._try_lock(key)
            if fd is not None:
                break
            if cancel is not None:
                cancel.raise_if_cancelled()
            time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            self._unlock(key, fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
