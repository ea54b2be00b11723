"""Logging: private rotating file, console only when verbose, idempotent, nothing secret escapes."""

from __future__ import annotations

import io
import logging
import stat
from pathlib import Path

import pytest

from artifact_viewer.core.logs import (
    PrivateRotatingFileHandler,
    StderrHandler,
    get_logger,
    setup_logging,
    teardown_logging,
)
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.redact import register_secret

KEY = "anon_logs_test_key_777"
SIGNED = (
    "https://bucket.s3.us-east-1.amazonaws.com/org/run/w2.pdf"
    "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T000000Z"
    "&X-Amz-Expires=900&X-Amz-Signature=0123456789abcdef"
)


@pytest.fixture(autouse=True)
def clean_logging():
    yield
    teardown_logging()


def ours() -> list[logging.Handler]:
    return [
        h for h in logging.getLogger().handlers if getattr(h, "_artifact_viewer_handler", False)
    ]


def log_text() -> str:
    for handler in ours():
        handler.flush()
    path = app_paths().log_path
    return path.read_text() if path.exists() else ""


def test_log_file_is_private_under_the_log_dir() -> None:
    path = setup_logging(verbose=False)
    get_logger("api").info("hello file")
    assert path == app_paths().log_path
    assert "hello file" in log_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_setup_is_idempotent() -> None:
    setup_logging(verbose=True)
    setup_logging(verbose=True)
    setup_logging(verbose=False)
    handlers = ours()
    assert len(handlers) == 1
    assert isinstance(handlers[0], PrivateRotatingFileHandler)
    get_logger("store").info("once")
    assert log_text().count("once") == 1


def test_console_only_when_verbose(capsys) -> None:
    setup_logging(verbose=False)
    get_logger("fetch").warning("quiet please")
    assert "quiet please" not in capsys.readouterr().err
    setup_logging(verbose=True)
    assert any(isinstance(h, StderrHandler) for h in ours())
    get_logger("fetch").debug("loud debug")
    assert "loud debug" in capsys.readouterr().err


def test_debug_goes_to_the_file_only_when_verbose() -> None:
    setup_logging(verbose=False)
    get_logger("ui").debug("hidden detail")
    assert "hidden detail" not in log_text()
    setup_logging(verbose=True)
    get_logger("ui").debug("shown detail")
    assert "shown detail" in log_text()


def test_key_and_signed_url_in_messages_and_args_are_redacted(capsys) -> None:
    register_secret(KEY)
    setup_logging(verbose=True)
    log = get_logger("fetch")
    log.info("downloading %s with %s", SIGNED, KEY)
    log.warning(f"Authorization: Bearer {KEY} for {SIGNED}")
    text = log_text() + capsys.readouterr().err
    assert "downloading https://bucket.s3.us-east-1.amazonaws.com/org/run/w2.pdf?[redacted]" in text
    assert KEY not in text
    assert "X-Amz-Signature" not in text
    assert "0123456789abcdef" not in text


def test_tracebacks_are_redacted() -> None:
    setup_logging(verbose=False)
    try:
        raise RuntimeError(f"failed to GET {SIGNED} using {KEY}")
    except RuntimeError:
        get_logger("api").exception("it broke")
    text = log_text()
    assert "it broke" in text
    assert "Traceback" in text
    assert "RuntimeError" in text
    assert KEY not in text
    assert "0123456789abcdef" not in text


@pytest.mark.parametrize("name", ["httpx", "httpcore", "uvicorn.access", "uvicorn.error"])
def test_third_party_http_loggers_are_quiet_and_redacted(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = logging.getLogger(name)
    # An in-process stand-in server started earlier in this session turns its access
    # logger off (propagate=False); start from a fresh process's state.
    monkeypatch.setattr(lib, "propagate", True)
    monkeypatch.setattr(lib, "handlers", [])
    setup_logging(verbose=True)
    lib.info('HTTP Request: GET %s "HTTP/1.1 200 OK"', SIGNED)
    assert "HTTP Request" not in log_text()  # INFO from HTTP libraries is silenced
    lib.warning("odd answer from %s", SIGNED)
    text = log_text()
    assert "odd answer from" in text
    assert "0123456789abcdef" not in text


def test_unwritable_log_dir_costs_the_file_not_the_app(monkeypatch, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(blocker))
    assert setup_logging(verbose=False) is None
    get_logger("ui").info("still fine")
    assert "not logging to a file" in capsys.readouterr().err


def test_log_rotates_into_private_files(monkeypatch) -> None:
    monkeypatch.setattr("artifact_viewer.core.logs.MAX_BYTES", 2000)
    path = setup_logging(verbose=False)
    assert path is not None
    for i in range(100):
        get_logger("store").info("line %d %s", i, "x" * 50)
    rotated = sorted(path.parent.glob("artifact-viewer.log*"))
    assert len(rotated) >= 2
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in rotated)


class _FullDisk(io.StringIO):
    """A log stream on a full disk: every write fails."""

    def write(self, _text: str) -> int:
        raise OSError(28, "No space left on device")


def test_full_disk_under_the_log_costs_one_line_never_a_traceback(capsys) -> None:
    setup_logging(verbose=False)
    get_logger("store").info("opens the file")
    (handler,) = [h for h in ours() if isinstance(h, PrivateRotatingFileHandler)]
    handler.stream = _FullDisk()
    for i in range(3):
        get_logger("store").warning("lost line %d", i)
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "artifact-viewer: could not write the log file (No space left on device)"
    ]
