"""Logging: per-subsystem loggers, a private rotating file, console only when verbose, all redacted."""

from __future__ import annotations

import contextlib
import io
import logging
import logging.handlers
import sys
import time
from pathlib import Path
from typing import IO, cast

from artifact_viewer.core.paths import AppPaths, app_paths, ensure_private_dir, open_private
from artifact_viewer.core.redact import RedactingFilter

ROOT = "artifact_viewer"
SUBSYSTEMS = ("api", "store", "fetch", "sync", "ui", "previews", "demo", "settings", "secrets")
FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5

_MARK = "_artifact_viewer_handler"

# httpx/httpcore log full request URLs (signed URLs included) at INFO/DEBUG. Kept here, not
# beside the HTTP client, so setting up logging does not import httpx (start-up time).
NOISY_LOGGERS = ("httpx", "httpcore", "hpack", "uvicorn", "uvicorn.access", "uvicorn.error")


def quiet_http_loggers() -> None:
    """Keep third-party HTTP loggers at WARNING and redact whatever they still emit. Idempotent."""
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def get_logger(subsystem: str) -> logging.Logger:
    """``artifact_viewer.<subsystem>``, e.g. ``get_logger("fetch")``."""
    return logging.getLogger(f"{ROOT}.{subsystem}")


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 (the log may name runs and artifacts)."""

    _warned = False

    def _open(self) -> io.TextIOWrapper:
        handle = open_private(Path(self.baseFilename), "a", encoding=self.encoding or "utf-8")
        return cast(io.TextIOWrapper, handle)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """A log file that cannot be written (disk full) costs the log, never a traceback."""
        if self._warned:
            return
        self._warned = True
        reason = sys.exc_info()[1]
        detail = getattr(reason, "strerror", None) or type(reason).__name__
        with contextlib.suppress(Exception):
            print(f"artifact-viewer: could not write the log file ({detail})", file=sys.stderr)


class StderrHandler(logging.StreamHandler[IO[str]]):
    """Writes to whatever ``sys.stderr`` is at emit time (click's test runner swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def _utc_formatter(fmt: str) -> logging.Formatter:
    formatter = logging.Formatter(fmt)
    formatter.converter = time.gmtime
    return formatter


def teardown_logging() -> None:
    """Remove and close the handlers :func:`setup_logging` installed."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
            handler.close()


def setup_logging(paths: AppPaths | None = None, verbose: bool = False) -> Path | None:
    """Install our handlers on the root logger (replacing earlier ones) and return the log file.

    Handlers sit on the root so third-party records (httpx, uvicorn, Qt message bridges)
    reach the same file, and each handler carries a :class:`RedactingFilter`: a handler
    filter sees every record, propagated ones included, so no key or signed URL escapes.
    A log folder that cannot be created costs the file, never the app.
    """
    teardown_logging()
    quiet_http_loggers()
    app_logger = logging.getLogger(ROOT)
    app_logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in SUBSYSTEMS:
        get_logger(name)
    logging.captureWarnings(True)
    root = logging.getLogger()
    installed: list[logging.Handler] = []

    log_path: Path | None = None
    paths = paths or app_paths()
    try:
        ensure_private_dir(paths.log_dir)
        file_handler = PrivateRotatingFileHandler(
            paths.log_path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
        )
    except OSError as exc:
        print(f"artifact-viewer: not logging to a file ({exc.strerror})", file=sys.stderr)
    else:
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        file_handler.setFormatter(_utc_formatter(FORMAT))
        installed.append(file_handler)
        log_path = paths.log_path

    if verbose:
        console = StderrHandler()
        console.setLevel(logging.DEBUG)
        console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        installed.append(console)

    for handler in installed:
        handler.addFilter(RedactingFilter())
        setattr(handler, _MARK, True)
        root.addHandler(handler)
    return log_path
