"""Writing a copy of a cached artifact to a place the user chose: never silently over a file.

The copy is private (0600, or stricter if the user's umask says so) and appears whole or
not at all: on Linux it is written to an unnamed file (``O_TMPFILE``) that a kill simply
discards, then linked into place; elsewhere a hidden temp file beside the target is used,
and leftovers of a killed copy are removed by the next save to the same place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from artifact_viewer.core.errors import ArtifactViewerError, CacheError

COPY_CHUNK = 1024 * 1024
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


def _copy_into(source_fd: int, fd: int) -> None:
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
    source_fd = os.open(source, os.O_RDONLY)  # once open, the bytes stay even if evicted
    try:
        _remove_leftovers(target)
        try:
            _copy_unnamed(source_fd, target, overwrite)
        except _NoUnnamedFiles:
            os.lseek(source_fd, 0, os.SEEK_SET)
            _copy_named(source_fd, target, overwrite)
    except FileExistsError:
        raise ArtifactViewerError(
            f"{target} already exists.", hint="Choose another name, or allow overwriting."
        ) from None
    except OSError as exc:
        raise CacheError(f"Could not save {target.name}: {exc.strerror or exc}.") from None
    finally:
        os.close(source_fd)
    return target


class _NoUnnamedFiles(Exception):
    """The platform or file system has no ``O_TMPFILE`` (or no /proc to link it through)."""


def _copy_unnamed(source_fd: int, target: Path, overwrite: bool) -> None:
    if not _O_TMPFILE:
        raise _NoUnnamedFiles
    try:
        fd = os.open(target.parent, _O_TMPFILE | os.O_WRONLY, COPY_MODE)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT):
            raise _NoUnnamedFiles from None
        raise
    try:
        _copy_into(source_fd, fd)
        os.fsync(fd)
        if not Path(f"/proc/self/fd/{fd}").exists():
            raise _NoUnnamedFiles
        _link_unnamed(fd, target, overwrite)
    finally:
        os.close(fd)


def _copy_named(source_fd: int, target: Path, overwrite: bool) -> None:
    temp = _temp_name(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, COPY_MODE)
    try:
        try:
            _copy_into(source_fd, fd)
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(temp, target)
        else:
            os.link(temp, target)  # fails if the target appeared meanwhile
            temp.unlink()
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def check_destination(target: Path, overwrite: bool, *, hint: str | None = None) -> None:
    """Refuse an existing ``target`` (unless ``overwrite``) and a missing parent folder."""
    if target.exists() and not overwrite:
        raise ArtifactViewerError(
            f"{target} already exists.",
            hint=hint or "Choose another name, or allow overwriting.",
        )
    if not target.parent.is_dir():
        raise CacheError(f"The folder {target.parent} does not exist.", hint="Create it first.")
