"""CLI: `preview FILE` opens a local file in the app's previewers, or renders it to a PNG."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import click

from artifact_viewer.core.redact import redact

EXIT_NOT_SHOWN = 1
#: after --timeout, this much longer for the event loop to notice before the process ends
_WATCHDOG_GRACE_S = 3.0
_SETTLE_MS = 300  # let views that paint after a delay (PDF pages, animations) draw once


def _route_qt_messages_to_log() -> None:
    """Qt's own chatter (e.g. the offscreen plugin) goes to the log, keeping stderr to our line."""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.ERROR), "%s", redact(message))

    qInstallMessageHandler(handler)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x", 1))
    except ValueError:
        raise click.BadParameter("use WIDTHxHEIGHT, e.g. 900x600", param_hint="--size") from None
    if not (100 <= width <= 8000 and 100 <= height <= 8000):
        raise click.BadParameter("each side must be between 100 and 8000", param_hint="--size")
    return width, height


def _one_line(file: Path, text: str) -> str:
    return f"artifact-viewer preview: {file.name}: {' '.join(redact(text).split())}"


def _fail(file: Path, reason: str) -> None:
    """One line on stderr, then a non-zero exit."""
    from artifact_viewer.core.errors import PreviewError

    # The window's hint names its buttons; here the same ways on are options.
    reason = reason.replace(PreviewError.default_hint, "Try --kind text or --kind hex.")
    click.echo(_one_line(file, reason), err=True)
    raise SystemExit(EXIT_NOT_SHOWN)


def _unreadable_reason(file: Path) -> str | None:
    """Why ``file`` cannot be previewed at all, before any window is made."""
    try:
        mode = file.stat().st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file (a pipe, socket or device cannot be previewed)"
    try:
        with file.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    return None


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Image and PDF libraries print straight to file descriptor 2 (e.g. "libpng error: ...");
    while rendering headless that noise is dropped, so stderr carries only our one line.
    Python's own stderr keeps the real terminal."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    previous = sys.stderr
    try:
        on_fd2 = previous.fileno() == 2
    except (AttributeError, OSError, ValueError):
        on_fd2 = False  # captured (e.g. by a test runner): it keeps working as it is
    try:
        if on_fd2:
            sys.stderr = open(saved, "w", closefd=False, encoding="utf-8", errors="replace")  # noqa: SIM115
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        if on_fd2:
            sys.stderr.close()
            sys.stderr = previous
        os.close(devnull)
        os.close(saved)


@click.command(
    "preview",
    short_help="Show a local file in the previewers, or render it to PNG.",
    epilog=(
        "Exit status with --screenshot: 0 when the preview rendered, also when it shows "
        "invalid content as text with the parser's message (broken JSON or XML; that "
        "message is then printed as a one-line note on stderr); 1 when the file could not "
        "be shown (missing, unreadable, damaged beyond display), with a one-line reason on "
        "stderr; 2 for a usage error. --dump writes the view's text form (UTF-8) with the "
        "same exit status: a table as TSV (header, then rows); JSON as one "
        "PATH<TAB>VALUE line per leaf ($.a[0].b); text, logs and XML as their lines; a PDF "
        "as its text, a form feed between pages; an image as its metadata lines."
    ),
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--mime", help="MIME label to pretend the file came with (labels can lie).")
@click.option("--kind", help="Force a view: json, table, image, pdf, xml, log, text or hex.")
@click.option(
    "--screenshot",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Render headless to this PNG and exit.",
)
@click.option(
    "--dump",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="Write what the view shows as text to this file (- for stdout) and exit.",
)
@click.option("--size", default="900x600", show_default=True, help="Window size, WIDTHxHEIGHT.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for the preview.")
@click.option(
    "--redact",
    is_flag=True,
    help="Redacted view: mask SSNs, accounts, cards, contacts, dates of birth and sensitive "
    "columns; hide images and PDFs (for screenshots that may be shared).",
)
def preview(
    file: Path,
    mime: str | None,
    kind: str | None,
    screenshot: Path | None,
    dump: Path | None,
    size: str,
    timeout: float,
    redact: bool,
) -> None:
    """Open FILE in the artifact previewers (exit 0 when it rendered, 1 when it could not)."""
    width, height = _parse_size(size)
    if screenshot is not None and dump is not None:
        raise click.UsageError("use --screenshot or --dump, not both")
    if timeout <= 0:
        raise click.BadParameter("must be more than 0", param_hint="--timeout")
    reason = _unreadable_reason(file)
    if reason is not None:
        _fail(file, reason)
    headless = screenshot is not None or dump is not None
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        _fail(file, "no display available; use --screenshot OUT.png to render headless")

    from PySide6.QtWidgets import QApplication

    from artifact_viewer.previews import registry
    from artifact_viewer.qt import binding

    binding.install()  # before any signal is emitted

    if kind is not None and kind not in registry.known_kinds():
        raise click.BadParameter(
            f"choose from {', '.join(registry.known_kinds())}", param_hint="--kind"
        )
    _route_qt_messages_to_log()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from artifact_viewer.previews.host import PreviewHost

    collector = binding.MainThreadGarbageCollector(parent=app)
    collector.start()

    host = PreviewHost()
    host.setWindowTitle(f"{file.name} — artifact-viewer")
    host.resize(width, height)
    host.show()
    if redact:
        host.redaction.set_enabled(True)
    if not headless:
        host.show_file(file, mime, kind=kind)
        code = app.exec()
        host.clear()
        raise SystemExit(code)
    _start_watchdog(file, timeout)
    host.show_file(file, mime, kind=kind)
    with _native_stderr_silenced():
        if screenshot is not None:
            _render(app, host, file, screenshot, timeout)
        elif dump is not None:
            _dump(host, file, dump, timeout)


def _start_watchdog(file: Path, timeout: float) -> None:
    """End the process with the timeout's one line if it is still running well after
    ``timeout``: a view stuck on the GUI thread (e.g. inside a PDF library call) never
    returns to the event loop, so its timers cannot fire."""

    def expire() -> None:
        message = _one_line(file, f"the preview did not finish within {timeout:g} s")
        try:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
        finally:
            os._exit(EXIT_NOT_SHOWN)

    timer = threading.Timer(timeout + _WATCHDOG_GRACE_S, expire)
    timer.daemon = True
    timer.start()


def _dump(host: object, file: Path, out: Path, timeout: float) -> None:
    """Wait until the view has loaded everything, then write its text form."""
    from artifact_viewer.core.errors import PreviewError
    from artifact_viewer.previews.dump import chunks_of, wait_until_loaded
    from artifact_viewer.previews.host import PreviewHost
    from artifact_viewer.qt.worker import wait_for_pool

    assert isinstance(host, PreviewHost)
    try:
        if not wait_until_loaded(host, timeout):
            _fail(file, f"the preview did not finish within {timeout:g} s")
        if host.last_error():
            _fail(file, host.last_error())
        try:
            chunks = chunks_of(host)
            if str(out) == "-":
                _write_chunks(sys.stdout.buffer, chunks)
                sys.stdout.flush()
            else:
                _write_file(out, chunks)
        except NotImplementedError as exc:
            _fail(file, str(exc))
        except PreviewError as exc:
            _fail(file, exc.user_message())
        except OSError as exc:
            _fail(file, f"could not write {out}: {exc.strerror or exc}")
    finally:
        host.cancel_loading()
        wait_for_pool(10_000)
    if str(out) != "-":
        click.echo(f"{out} ({host.current_kind()} view)")
    if host.problem():
        click.echo(_one_line(file, f"shown with a problem: {host.problem()}"), err=True)


def _write_chunks(stream: object, chunks: Iterator[str]) -> None:
    write = stream.write  # type: ignore[attr-defined]
    for chunk in chunks:
        # Lone surrogates (possible in JSON strings) cannot be UTF-8: written escaped.
        write(chunk.encode("utf-8", "backslashreplace"))


def _write_file(out: Path, chunks: Iterator[str]) -> None:
    """Write beside ``out`` and rename: a failed dump leaves no partial file."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        with partial.open("wb") as fh:
            _write_chunks(fh, chunks)
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def _render(app: object, host: object, file: Path, out: Path, timeout: float) -> None:
    from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer

    from artifact_viewer.previews.host import PreviewHost
    from artifact_viewer.qt.worker import wait_for_pool

    assert isinstance(host, PreviewHost)
    loop = QEventLoop()
    host.loadingChanged.connect(lambda loading: None if loading else loop.quit())
    deadline = QDeadlineTimer(int(timeout * 1000))
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    if host.is_loading():
        loop.exec()
    try:
        if host.last_error():
            host.grab().save(str(out), "PNG")  # the error panel, for whoever looks
            _fail(file, host.last_error())
        previewer = host.previewer()
        shown = previewer is not None and host.stack.currentWidget() is previewer
        if not shown and not host.covered():  # --redact: the cover is what is shown
            _fail(file, f"the preview did not render within {timeout:g} s")
        settle = QEventLoop()
        QTimer.singleShot(min(_SETTLE_MS, max(0, deadline.remainingTime())), settle.quit)
        settle.exec()
        if host.last_error():  # a view may fail while it draws (e.g. a later page)
            _fail(file, host.last_error())
        if not host.grab().save(str(out), "PNG"):
            _fail(file, f"could not write {out}")
    finally:
        host.cancel_loading()
        wait_for_pool(10_000)
    click.echo(f"{out} ({host.current_kind()} view)")
    if host.problem():  # shown, as text, with what the parser found wrong
        click.echo(_one_line(file, f"shown with a problem: {host.problem()}"), err=True)


def register(group: click.Group) -> None:
    """Add this module's commands to the top-level group."""
    group.add_command(preview)
