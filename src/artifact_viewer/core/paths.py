"""Where the app keeps config, cache, data and logs; ARTIFACT_VIEWER_HOME redirects all of it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import platformdirs

from artifact_viewer import APP_NAME

HOME_ENV = "ARTIFACT_VIEWER_HOME"
DIR_MODE = 0o700
FILE_MODE = 0o600


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The app's folders. Nothing is created until :meth:`ensure` (or a helper) needs it."""

    config_dir: Path
    cache_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def blobs_dir(self) -> Path:
        """Content-addressed artifact bytes."""
        return self.cache_dir / "blobs"

    @property
    def partial_dir(self) -> Path:
        """In-flight downloads; same filesystem as blobs so ``os.replace`` is atomic."""
        return self.cache_dir / "partial"

    @property
    def catalog_path(self) -> Path:
        """SQLite catalog of workflows, runs and artifacts seen."""
        return self.data_dir / "catalog.sqlite3"

    @property
    def settings_path(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def log_path(self) -> Path:
        return self.log_dir / "artifact-viewer.log"

    def all_dirs(self) -> tuple[Path, ...]:
        return (
            self.config_dir,
            self.cache_dir,
            self.data_dir,
            self.log_dir,
            self.blobs_dir,
            self.partial_dir,
        )

    def ensure(self) -> AppPaths:
        """Create every folder (0700) and return self."""
        for folder in self.all_dirs():
            ensure_private_dir(folder)
        return self


def app_paths() -> AppPaths:
    """The app's paths, honouring ARTIFACT_VIEWER_HOME (read on every call, so tests can set it)."""
    home = os.environ.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(
            config_dir=root / "config",
            cache_dir=root / "cache",
            data_dir=root / "data",
            log_dir=root / "logs",
        )
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return AppPaths(
        config_dir=Path(dirs.user_config_dir),
        cache_dir=Path(dirs.user_cache_dir),
        data_dir=Path(dirs.user_data_dir),
        log_dir=Path(dirs.user_log_dir),
    )


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only; tighten it if it exists."""
    # Path.mkdir(parents=True) gives parents the umask mode; create each missing one private.
    missing: list[Path] = []
    probe = path
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    with contextlib.suppress(OSError):  # e.g. a folder owned by someone else: leave it
        if (path.stat().st_mode & 0o777) != DIR_MODE:
            path.chmod(DIR_MODE)
    return path


def open_private(path: Path, mode: str = "w", *, encoding: str | None = "utf-8") -> IO[str]:
    """Open a text file for writing/appending, created 0600 from the first byte (no umask race)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    with contextlib.suppress(OSError):
        os.fchmod(fd, FILE_MODE)
    return os.fdopen(fd, mode, encoding=encoding)


@contextlib.contextmanager
def atomic_private_file(path: Path) -> Iterator[IO[bytes]]:
    """Write to a 0600 temp file beside ``path``; ``os.replace`` it in only on success."""
    ensure_private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # mkstemp already creates 0600; chmod anyway in case a platform differs.
    with contextlib.suppress(OSError):
        os.fchmod(fd, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_private_bytes(path: Path, data: bytes) -> None:
    """Atomically replace ``path`` with ``data``, mode 0600."""
    with atomic_private_file(path) as handle:
        handle.write(data)


def write_private_text(path: Path, text: str) -> None:
    """Atomically replace ``path`` with UTF-8 ``text``, mode 0600."""
    write_private_bytes(path, text.encode("utf-8"))
