"""Writing a copy of a cached artifact to a place the user chose: never silently over a file."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import threading
from pathlib import Path
from typing import BinaryIO

from artifact_viewer.core.errors import ArtifactViewerError, CacheError

COPY_CHUNK = 1024 * 1024
# copy_file_range moves this much per call: in the kernel, no Python per chunk.
_KERNEL_CHUNK = 64 * 1024 * 1024


def is_special(target: Path) -> bool:
    """True for an existing destination that is not a regular file or a folder: a device
    such as /dev/null, a FIFO or a socket. Such a destination is written into, never
    replaced (replacing /dev/null as root would break the whole system)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def copy_atomically(source: Path, target: Path) -> Path:
    """Copy through a temp file beside ``target``; FileNotFoundError if ``source`` is gone.

    A special ``target`` (device, FIFO, see :func:`is_special`) is written into directly.
    """
    handle = source.open("rb")  # once open, the bytes stay readable even if evicted
    if is_special(target):
        try:
            with handle, open(target, "wb", buffering=0) as out:
                shutil.copyfileobj(handle, out, COPY_CHUNK)
        except OSError as exc:
            raise CacheError(f"Could not write to {target}: {exc.strerror or exc}.") from None
        return target
    temp = target.with_name(f".{target.name}.{threading.get_ident()}.tmp")
    try:
        with handle, temp.open("wb") as out:
            copy_file_data(handle, out)
        temp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise CacheError(f"Could not save {target.name}: {exc.strerror or exc}.") from None
    return target


def copy_file_data(source: BinaryIO, out: BinaryIO) -> None:
    """Copy ``source`` to ``out`` from their current positions, in the kernel where it can
    (``copy_file_range``: shares the blocks on filesystems with reflinks, and never passes
    the bytes through Python); else through a buffer."""
    copy_range = getattr(os, "copy_file_range", None)
    if copy_range is not None:
        out.flush()
        src, dst = source.fileno(), out.fileno()
        try:
            while copy_range(src, dst, _KERNEL_CHUNK):
                pass
            return
        except OSError as exc:
            # Not supported between these two files (old kernel, other filesystems):
            # carry on from where the kernel stopped.
            if exc.errno is None or exc.errno not in _NO_KERNEL_COPY:
                raise
        source.seek(os.lseek(src, 0, os.SEEK_CUR))
        out.seek(os.lseek(dst, 0, os.SEEK_CUR))
    shutil.copyfileobj(source, out, COPY_CHUNK)


_NO_KERNEL_COPY = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.EPERM}
)


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
