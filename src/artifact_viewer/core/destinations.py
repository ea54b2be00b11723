"""Writing a copy of a cached artifact to a place the user chose: never silently over a file."""

from __future__ import annotations

import contextlib
import shutil
import threading
from pathlib import Path

from artifact_viewer.core.errors import ArtifactViewerError, CacheError

COPY_CHUNK = 1024 * 1024


def copy_atomically(source: Path, target: Path) -> Path:
    """Copy through a temp file beside ``target``; FileNotFoundError if ``source`` is gone."""
    handle = source.open("rb")  # once open, the bytes stay readable even if evicted
    temp = target.with_name(f".{target.name}.{threading.get_ident()}.tmp")
    try:
        with handle, temp.open("wb") as out:
            shutil.copyfileobj(handle, out, COPY_CHUNK)
        temp.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise CacheError(f"Could not save {target.name}: {exc.strerror or exc}.") from None
    return target


def check_destination(target: Path, overwrite: bool, *, hint: str | None = None) -> None:
    """Refuse an existing ``target`` (unless ``overwrite``) and a missing parent folder."""
    if target.exists() and not overwrite:
        raise ArtifactViewerError(
            f"{target} already exists.",
            hint=hint or "Choose another name, or allow overwriting.",
        )
    if not target.parent.is_dir():
        raise CacheError(f"The folder {target.parent} does not exist.", hint="Create it first.")
