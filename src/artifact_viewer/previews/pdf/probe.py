"""Open and measure PDFs in a helper process that can be ended when PDFium does not answer.

QtPdf's calls hold Python's GIL for as long as they run, so a PDFium call that never
returns (a page tree that holds itself, an unreadable metadata dictionary) would stop every
thread of the app, the GUI thread included; no watchdog thread can even run. Loading, page
count, page sizes and the title are therefore asked in a child process first: when it
answers in time, the same calls in the app return too (the file has been shown to be
answerable); when it does not, the child is killed and the file refused.

The child reads one request (a path) per line on stdin and answers one JSON line.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from artifact_viewer.core.cancel import CancelToken

#: this many unreadable pages in a row mean the page tree's count is not to be believed
UNREADABLE_RUN = 1000
_POLL_S = 0.05


@dataclass(slots=True)
class Measured:
    """What the helper found: page sizes in points, the title; ``error`` when refused."""

    pages: int = 0
    sizes: list[tuple[float, float]] = field(default_factory=list)
    title: str = ""
    error: str = ""
    #: QtPdf's load error name ("InvalidFileFormat", ...) when loading failed
    load_error: str = ""


def measure_here(path: str) -> dict[str, Any]:
    """Load and measure ``path`` with QtPdf in this process (the helper's work)."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    try:
        error = document.load(path)
        if error != QPdfDocument.Error.None_:
            return {"load_error": error.name}
        pages = document.pageCount()
        sizes: list[tuple[float, float]] = []
        unreadable = 0
        for page in range(pages):
            size = document.pagePointSize(page)
            sizes.append((size.width(), size.height()))
            unreadable = unreadable + 1 if size.width() <= 0 or size.height() <= 0 else 0
            if unreadable >= UNREADABLE_RUN:
                # A view would lay out every claimed page on the GUI thread.
                return {
                    "error": (
                        f"The PDF's page tree is damaged: it claims {pages:,} pages, and "
                        f"pages {page - unreadable + 2:,} to {page + 1:,} cannot be read."
                    )
                }
        title = document.metaData(QPdfDocument.MetaDataField.Title)
        return {
            "pages": pages,
            "sizes": sizes,
            "title": title.strip() if isinstance(title, str) else "",
        }
    finally:
        document.close()


def serve(stdin: IO[str], stdout: IO[str]) -> None:
    """The helper's loop: a path per line in, a JSON answer per line out."""
    from PySide6.QtCore import QCoreApplication

    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    for line in stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        try:
            answer = measure_here(path)
        except Exception as exc:  # reported to the app, which refuses the file
            answer = {"error": f"The PDF could not be read ({type(exc).__name__})."}
        stdout.write(json.dumps(answer) + "\n")
        stdout.flush()
    del _app


class ProbeTimeout(Exception):
    """The helper did not answer in time (and has been ended)."""


class Prober:
    """One helper process, started on first use, restarted after it was ended.

    :meth:`measure` may be called from any thread; requests are answered one at a time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._answers: queue.Queue[str | None] = queue.Queue()

    def _command(self) -> list[str]:
        # Frozen, the bundle's launcher answers ``-m`` for the app's own modules.
        return [sys.executable, "-m", "artifact_viewer.previews.pdf.probe"]

    def _start(self) -> subprocess.Popen[str]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        process = subprocess.Popen(
            self._command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
        )
        answers: queue.Queue[str | None] = queue.Queue()
        threading.Thread(
            target=_read_lines, args=(process.stdout, answers), name="pdf-probe", daemon=True
        ).start()
        self._process, self._answers = process, answers
        return process

    def warm_up(self) -> None:
        """Start the helper now, so the first PDF does not wait for it."""
        with self._lock:
            self._start()

    def stop(self) -> None:
        with self._lock:
            self._kill()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def measure(self, path: Path, timeout_s: float, cancel: CancelToken) -> Measured:
        """Ask the helper about ``path``; raises :class:`ProbeTimeout` after ``timeout_s``
        (measured from when the helper has the request), ``Cancelled`` on cancel."""
        with self._lock:
            process = self._start()
            assert process.stdin is not None
            try:
                process.stdin.write(str(path) + "\n")
                process.stdin.flush()
            except OSError:  # the helper died: one more try with a fresh one
                self._kill()
                process = self._start()
                assert process.stdin is not None
                process.stdin.write(str(path) + "\n")
                process.stdin.flush()
            deadline = time.monotonic() + timeout_s
            while True:
                if cancel.cancelled:
                    self._kill()  # its answer would belong to the next request
                    cancel.raise_if_cancelled()
                try:
                    line = self._answers.get(timeout=_POLL_S)
                    break
                except queue.Empty:
                    if time.monotonic() >= deadline:
                        self._kill()
                        raise ProbeTimeout(path) from None
            if line is None:  # the helper ended (crashed inside the library)
                self._kill()
                return Measured(error="The PDF is damaged: reading it crashed the reader.")
            data = json.loads(line)
            return Measured(
                pages=int(data.get("pages", 0)),
                sizes=[(float(w), float(h)) for w, h in data.get("sizes", [])],
                title=str(data.get("title", "")),
                error=str(data.get("error", "")),
                load_error=str(data.get("load_error", "")),
            )


def _read_lines(stream: IO[str] | None, answers: queue.Queue[str | None]) -> None:
    if stream is not None:
        for line in stream:
            answers.put(line)
    answers.put(None)


_prober: Prober | None = None
_prober_lock = threading.Lock()


def prober() -> Prober:
    """The app's one helper (started on first use)."""
    global _prober
    with _prober_lock:
        if _prober is None:
            _prober = Prober()
        return _prober


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
