"""A private (0600) output file that appears under its name only once it is complete."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import tempfile
from glob import escape as glob_escape
from pathlib import Path
from typing import BinaryIO

from artifact_viewer.core.errors import ArtifactViewerError, CacheError
from artifact_viewer.core.paths import FILE_MODE

WRITE_BUFFER = 1024 * 1024
_PROC_FD = Path("/proc/self/fd")
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}


class PrivateTarget:
    """Write ``target`` atomically.

    On Linux the bytes go to an unnamed file (``O_TMPFILE``) in the target's folder, linked
    in by :meth:`commit`: a killed process leaves nothing behind. Where that is refused
    (other systems, some mounts) a hidden, locked ``.name.*.part`` file beside the target
    is used: removed on any failure, and, if a killed process left one, by the next
    export to that name.
    Without ``overwrite`` an existing file is never replaced (the link refuses it).
    """

    def __init__(self, target: Path, *, overwrite: bool = False) -> None:
        self.target = target
        self.overwrite = overwrite
        self._named: Path | None = None
        fd = self._open_unnamed()
        if fd is None:
            _remove_leftovers(target)
            try:
                fd, name = tempfile.mkstemp(
                    prefix=f".{target.name}.", suffix=".part", dir=target.parent
                )
            except OSError as exc:
                raise _write_error(exc, target) from None
            self._named = Path(name)
            # Held while we write, so a later export to the same name sees it is live.
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.fchmod(fd, FILE_MODE)
        self.handle: BinaryIO = open(fd, "wb", buffering=WRITE_BUFFER)  # noqa: SIM115
        self._done = False

    def _open_unnamed(self) -> int | None:
        flag = getattr(os, "O_TMPFILE", None)
        if flag is None or not _PROC_FD.is_dir() or not _can_link_unnamed(self.target.parent):
            return None
        try:
            return os.open(self.target.parent, flag | os.O_WRONLY, FILE_MODE)
        except OSError:
            return None

    def commit(self) -> Path:
        """Flush to disk, then give the file its name (atomically)."""
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            source = self._named or _PROC_FD / str(self.handle.fileno())
            if self.overwrite:
                temp = self.target.with_name(f".{self.target.name}.{secrets.token_hex(4)}.part")
                if self._named is None:
                    os.link(source, temp)
                else:
                    temp = self._named
                os.replace(temp, self.target)
            elif self._named is None:
                os.link(source, self.target)  # fails if the name was taken meanwhile
            else:
                self._link_named(self._named)
            self._named = None
            self.handle.close()
        except FileExistsError:
            self.discard()
            raise ArtifactViewerError(
                f"{self.target} already exists.", hint="Choose another file name."
            ) from None
        except OSError as exc:
            self.discard()
            raise _write_error(exc, self.target) from None
        self._done = True
        _fsync_dir(self.target.parent)
        return self.target

    def _link_named(self, named: Path) -> None:
        """Give the hidden temp file the target's name without replacing a file there.

        A link refuses an existing name atomically; file systems without hard links (FAT
        and exFAT, common on USB sticks) get a check, then a rename.
        """
        try:
            os.link(named, self.target)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if self.target.exists():
                raise FileExistsError(errno.EEXIST, "exists", str(self.target)) from None
            os.replace(named, self.target)
        else:
            named.unlink()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()
        if self._named is not None:
            with contextlib.suppress(OSError):
                self._named.unlink()
            self._named = None

    def __enter__(self) -> PrivateTarget:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self.discard()


def _remove_leftovers(target: Path) -> None:
    """Delete hidden temp files of earlier exports to ``target`` that no live process holds."""
    for item in target.parent.glob(f".{glob_escape(target.name)}.*.part"):
        try:
            fd = os.open(item, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            item.unlink()
        except OSError:
            pass  # live (locked) or already gone
        finally:
            os.close(fd)


_LINKABLE: dict[int, bool] = {}  # by device: whether an unnamed file can be linked in


def _can_link_unnamed(folder: Path) -> bool:
    """Some file systems (overlay, network) refuse to link an ``O_TMPFILE`` file: try once."""
    try:
        device = folder.stat().st_dev
    except OSError:
        return False
    if device not in _LINKABLE:
        probe = folder / f".probe-{secrets.token_hex(6)}"
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, FILE_MODE)
        except OSError:
            _LINKABLE[device] = False
            return False
        try:
            os.link(_PROC_FD / str(fd), probe)
            probe.unlink()
            _LINKABLE[device] = True
        except OSError:
            _LINKABLE[device] = False
        finally:
            os.close(fd)
    return _LINKABLE[device]


def _write_error(exc: OSError, target: Path) -> CacheError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return CacheError(f"The disk is full: {target.name} was not written.", hint="")
    return CacheError(
        f"Could not write {target}: {exc.strerror or exc}.",
        hint="Check the folder exists and that you may write there.",
    )


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
