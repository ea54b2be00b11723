"""Writing a copy of a cached artifact to a place the user chose: never silently over a file.

The copy is private (0600, or stricter if the user's umask says so) and appears whole or
not at all: on Linux it is written to an unnamed file (``O_TMPFILE``) that a kill simply
discards, then linked into place; elsewhere a hidden temp file beside the target is used,
and leftovers of a killed copy are removed by the next save to the same place. A download
writes the copy in the same pass as its cache file (:class:`PendingCopy`); a finished file
is reflinked (``FICLONE``: shared blocks until either file is written, never a hard link)
or copied in the kernel (``copy_file_range``: no pass through Python). A device or FIFO given as the target (``-o /dev/null``) is
written into, never replaced: replacing /dev/null as root would break the system.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
import sys
from pathlib import Path

from artifact_viewer.core.errors import ArtifactViewerError, CacheError

COPY_CHUNK = 1024 * 1024
# ioctl(dest, FICLONE, source): the copy shares the source's blocks (btrfs, XFS, bcachefs):
# no bytes move, and either file's later writes go to new blocks of its own (not a link).
FICLONE = 0x40049409
COPY_MODE = 0o600  # the umask may only make it stricter
TEMP_SUFFIX = ".avpart"
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def _remove_leftovers(target: Path) -> None:
    """Hidden temp files of an earlier copy to ``target`` that was killed."""
    for item in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            item.unlink()


# copy_file_range moves this much per call: in the kernel, no Python per chunk.
_KERNEL_CHUNK = 64 * 1024 * 1024
_NO_KERNEL_COPY = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM}
)


def is_special(target: Path) -> bool:
    """True for an existing destination that is not a regular file or a folder: a device
    such as /dev/null, a FIFO or a socket. Such a destination is written into, never
    replaced."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _clone(source_fd: int, fd: int) -> bool:
    """Make ``fd`` a reflink of the whole of ``source_fd`` where the file system can."""
    if sys.platform != "linux":
        return False
    import fcntl

    try:
        fcntl.ioctl(fd, FICLONE, source_fd)
    except OSError:
        return False  # no reflinks here (ext4, tmpfs), or another file system
    return True


def _copy_into(source_fd: int, fd: int) -> None:
    """Copy from the current offsets: in the kernel where it can, else through a buffer."""
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        try:
            while copy_range(source_fd, fd, _KERNEL_CHUNK):
                pass
            return
        except OSError as exc:
            # Not between these two files (old kernel, a pipe, some filesystems): carry on
            # from where the kernel stopped.
            if exc.errno not in _NO_KERNEL_COPY:
                raise
    while chunk := os.read(source_fd, COPY_CHUNK):
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]


def _link_unnamed(fd: int, target: Path, overwrite: bool) -> None:
    """Give an ``O_TMPFILE`` file its name: directly when ``target`` is new (so it cannot
    replace a file that appeared meanwhile), via a hidden name and a rename otherwise."""
    # linkat(AT_SYMLINK_FOLLOW) through /proc (Python calls plain link() unless a dir fd is
    # given, and link() would try to link the /proc symlink itself).
    proc = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            os.link(str(fd), target, src_dir_fd=proc, follow_symlinks=True)
            return
        except FileExistsError:
            if not overwrite:
                raise
        temp = _temp_name(target)
        os.link(str(fd), temp, src_dir_fd=proc, follow_symlinks=True)
        try:
            os.replace(temp, target)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
    finally:
        os.close(proc)


def copy_atomically(source: Path, target: Path, *, overwrite: bool = True) -> Path:
    """Copy ``source`` to ``target`` whole or not at all, mode 0600 (minus the umask).

    FileNotFoundError if ``source`` is gone; CacheError for any other failure (and for an
    existing ``target`` when not ``overwrite``).
    """
    if is_special(target):
        source_fd = os.open(source, os.O_RDONLY)
        try:
            fd = os.open(target, os.O_WRONLY)
            try:
                _copy_into(source_fd, fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise CacheError(f"Could not write to {target}: {exc.strerror or exc}.") from None
        finally:
            os.close(source_fd)
        return target
    with PendingCopy.open(target, overwrite=overwrite) as pending:
        pending.fill_from(source)
        return pending.publish()


class _NoUnnamedFiles(Exception):
    """The platform or file system has no ``O_TMPFILE`` (or no /proc to link it through)."""


class PendingCopy:
    """A private copy of a file being made at ``target``: bytes go into :attr:`fd` (an
    unnamed ``O_TMPFILE`` beside the target, else a hidden temp file), and only
    :meth:`publish` gives it the target's name. Leaving the ``with`` block without
    publishing removes it.

    The writer may fill :attr:`fd` as the bytes arrive (a download writes its cache file
    and this copy in one pass) or with :meth:`fill_from` (an in-kernel copy).
    """

    def __init__(self, target: Path, overwrite: bool, fd: int, temp: Path | None) -> None:
        self.target = target
        self.overwrite = overwrite
        self.fd = fd
        self._temp = temp  # None: unnamed
        self._open = True

    @classmethod
    def open(cls, target: Path, *, overwrite: bool) -> PendingCopy:
        """A new, empty pending copy for ``target`` (a regular file path, not a device).

        CacheError if its folder cannot take it; ArtifactViewerError if ``target`` exists
        and not ``overwrite``.
        """
        if not overwrite and os.path.lexists(target):
            raise ArtifactViewerError(
                f"{target} already exists.", hint="Choose another name, or allow overwriting."
            )
        try:
            _remove_leftovers(target)
            try:
                return cls(target, overwrite, _open_unnamed(target.parent), None)
            except _NoUnnamedFiles:
                temp = _temp_name(target)
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, COPY_MODE)
                return cls(target, overwrite, fd, temp)
        except OSError as exc:
            raise CacheError(f"Could not save {target.name}: {exc.strerror or exc}.") from None

    def clones_from(self, folder: Path) -> bool:
        """True if a file in ``folder`` can be reflinked into this copy (FICLONE): then
        copying a finished file costs no bytes, and writing the copy as a download arrives
        would cost more than it saves."""
        if not _O_TMPFILE:
            return False
        try:
            probe = os.open(folder, _O_TMPFILE | os.O_RDWR, COPY_MODE)
        except OSError:
            return False
        try:
            os.write(probe, b"\0")
            cloned = _clone(probe, self.fd)
            if cloned:
                os.ftruncate(self.fd, 0)
            return cloned
        except OSError:
            return False
        finally:
            os.close(probe)

    def fill_from(self, source: Path) -> None:
        """Make the copy's bytes those of ``source``, replacing anything written so far:
        a reflink where the file system has them, else a copy in the kernel.
        FileNotFoundError if ``source`` is gone."""
        source_fd = os.open(source, os.O_RDONLY)  # once open, the bytes stay even if evicted
        try:
            os.ftruncate(self.fd, 0)
            os.lseek(self.fd, 0, os.SEEK_SET)
            if not _clone(source_fd, self.fd):
                _copy_into(source_fd, self.fd)
        except OSError as exc:
            self.discard()
            raise CacheError(f"Could not save {self.target.name}: {exc.strerror or exc}.") from None
        finally:
            os.close(source_fd)

    def publish(self) -> Path:
        """Flush the copy to disk and give it the target's name (atomically)."""
        try:
            os.fsync(self.fd)
            if self._temp is None:
                _link_unnamed(self.fd, self.target, self.overwrite)
            elif self.overwrite:
                os.replace(self._temp, self.target)
            else:
                os.link(self._temp, self.target)  # fails if the target appeared meanwhile
        except FileExistsError:
            self.discard()
            raise ArtifactViewerError(
                f"{self.target} already exists.",
                hint="Choose another name, or allow overwriting.",
            ) from None
        except OSError as exc:
            self.discard()
            raise CacheError(f"Could not save {self.target.name}: {exc.strerror or exc}.") from None
        self.discard()  # closes the file; a named temp's extra link goes
        return self.target

    def discard(self) -> None:
        """Close the copy; an unpublished one is gone (unnamed) or deleted (a temp name)."""
        if self._open:
            self._open = False
            with contextlib.suppress(OSError):
                os.close(self.fd)
        if self._temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self._temp.unlink()

    def __enter__(self) -> PendingCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()


def _open_unnamed(folder: Path) -> int:
    """An unnamed private file in ``folder`` that can later be linked into it."""
    if not _O_TMPFILE:
        raise _NoUnnamedFiles
    try:
        fd = os.open(folder, _O_TMPFILE | os.O_WRONLY, COPY_MODE)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            raise _NoUnnamedFiles from None
        raise
    if not Path(f"/proc/self/fd/{fd}").exists():
        os.close(fd)
        raise _NoUnnamedFiles
    return fd


def check_destination(
    target: Path, overwrite: bool, *, hint: str | None = None, into_special: bool = False
) -> None:
    """Refuse an existing ``target`` (unless ``overwrite``) and a missing parent folder.

    With ``into_special`` a device or FIFO (see :func:`is_special`) is accepted as it is:
    the caller writes into it (``-o /dev/null``), which replaces no file.
    """
    if into_special and is_special(target):
        return
    if target.exists() and not overwrite:
        raise ArtifactViewerError(
            f"{target} already exists.",
            hint=hint or "Choose another name, or allow overwriting.",
        )
    if not target.parent.is_dir():
        raise CacheError(f"The folder {target.parent} does not exist.", hint="Create it first.")
