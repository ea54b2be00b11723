"""Show a file in the previewers and take the view's text form (``preview --dump``).

One :class:`~artifact_viewer.previews.host.PreviewHost` per file, loaded to the end on the
running event loop; the same path serves the command line and the corpus tests, which run
many files in one process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer

from artifact_viewer.previews.host import PreviewHost


@dataclass(slots=True)
class Shown:
    """How a file ended in the previewers: ``error`` set when it was refused."""

    kind: str | None
    error: str = ""
    problem: str = ""
    chunks: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


class DumpTimeout(Exception):
    """The view did not finish within the time given."""


def wait_until_loaded(host: PreviewHost, timeout_s: float) -> bool:
    """Run the event loop until ``host`` stops loading; False when ``timeout_s`` passed."""
    if not host.is_loading():
        return True
    loop = QEventLoop()
    connection = host.loadingChanged.connect(lambda loading: None if loading else loop.quit())
    timer = QTimer(singleShot=True)
    timer.timeout.connect(loop.quit)
    deadline = QDeadlineTimer(int(timeout_s * 1000))
    timer.start(int(timeout_s * 1000))
    try:
        while host.is_loading() and not deadline.hasExpired():
            loop.exec()
    finally:
        timer.stop()
        host.loadingChanged.disconnect(connection)
    return not host.is_loading()


def chunks_of(host: PreviewHost) -> Iterator[str]:
    """The current view's text form (raises NotImplementedError for a view without one)."""
    previewer = host.previewer()
    if previewer is None:
        raise NotImplementedError("no view is showing")
    if host.covered():
        raise NotImplementedError("the redacted view hides this file")
    return previewer.dump_chunks()


def show_and_dump(
    path: Path,
    mime: str | None = None,
    kind: str | None = None,
    *,
    timeout_s: float = 30.0,
    host: PreviewHost | None = None,
) -> Shown:
    """Load ``path`` into a host (a new hidden one unless given) and take its text form.

    Raises :class:`DumpTimeout` when loading does not end within ``timeout_s``.
    """
    own = host is None
    host = host or PreviewHost()
    try:
        host.show_file(path, mime, kind=kind)
        if not wait_until_loaded(host, timeout_s):
            raise DumpTimeout(f"the preview did not finish within {timeout_s:g} s")
        if host.last_error():
            return Shown(host.current_kind(), error=host.last_error())
        shown = Shown(host.current_kind(), problem=host.problem())
        shown.chunks = list(chunks_of(host))
        return shown
    finally:
        host.cancel_loading()
        if own:
            host.clear()
            host.deleteLater()
