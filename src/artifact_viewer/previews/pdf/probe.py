"""Open and measure PDFs in a helper process that can be ended when PDFium does not answer.

QtPdf's calls hold Python's GIL for as long as they run, so a PDFium call that never
returns (a page tree that holds itself, an unreadable metadata dictionary) would stop every
thread of the app, the GUI thread included; no watchdog thread can even run. Loading, page
count, page sizes and the title are therefore asked in a child process first: when it
answers in time, the same calls in the app return too (the file has been shown to be
answerable); when it does not, the child is killed and the file refused.

Searching runs in the child as well (text extraction can loop too): the app's own search
model only highlights once the child has answered. The child also renders the first page
while measuring, so the view's first render is known to return.

The child reads one request per line on stdin (``OP<TAB>PATH``, or ``search<TAB>{json}``)
and answers one JSON line.
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
from typing import IO, TYPE_CHECKING, Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError

if TYPE_CHECKING:
    from artifact_viewer.previews.pdf.search import PdfHit

#: this many unreadable pages in a row mean the page tree's count is not to be believed
UNREADABLE_RUN = 1000
_POLL_S = 0.05
_MEASURE, _TEXT, _SEARCH = "measure", "text", "search"
#: the width in pixels of the first page's trial render while measuring
_TRIAL_RENDER_PX = 64


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
        if sizes and sizes[0][0] > 0 and sizes[0][1] > 0:
            # The first page is drawn as soon as the view shows the file: draw it here first.
            from PySide6.QtCore import QSize

            width, height = sizes[0]
            high = max(1, min(4 * _TRIAL_RENDER_PX, round(_TRIAL_RENDER_PX * height / width)))
            document.render(0, QSize(_TRIAL_RENDER_PX, high))
        return {
            "pages": pages,
            "sizes": sizes,
            "title": title.strip() if isinstance(title, str) else "",
        }
    finally:
        document.close()


def texts_here(path: str) -> dict[str, Any]:
    """The text of every page of ``path`` with QtPdf in this process (the helper's work)."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    try:
        if document.load(path) != QPdfDocument.Error.None_:
            return {"error": "The PDF could not be opened for its text."}
        return {"texts": [document.getAllText(p).text() for p in range(document.pageCount())]}
    finally:
        document.close()


def search_here(request: str) -> dict[str, Any]:
    """Search a PDF in this process (the helper's work); ``request`` is JSON
    ``{"path": ..., "query": ...}``."""
    from artifact_viewer.previews.pdf.search import search_pdf

    asked = json.loads(request)

    def progress(done: int, total: int = 0) -> None:
        pass

    hits = search_pdf(Path(asked["path"]), str(asked["query"]), progress, CancelToken())
    return {"hits": [[h.page, h.x, h.y, h.before, h.match, h.after] for h in hits]}


def serve(stdin: IO[str], stdout: IO[str]) -> None:
    """The helper's loop: ``OP<TAB>PATH`` per line in, a JSON answer per line out."""
    from PySide6.QtCore import QCoreApplication

    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    for line in stdin:
        op, _, path = line.rstrip("\n").partition("\t")
        if not path:
            continue
        try:
            if op == _SEARCH:
                answer = search_here(path)
            elif op == _TEXT:
                answer = texts_here(path)
            else:
                answer = measure_here(path)
        except PreviewError as exc:
            answer = {"error": exc.user_message()}
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
            # No console window for the helper of a windowed app on Windows.
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
        self._process = process
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
        """Ask the helper to open and measure ``path``; raises :class:`ProbeTimeout` after
        ``timeout_s`` (from when the helper has the request), ``Cancelled`` on cancel."""
        data = self._ask(f"{_MEASURE}\t{path}", path, timeout_s, cancel)
        if data is None:  # the helper ended (crashed inside the library)
            return Measured(error="The PDF is damaged: reading it crashed the reader.")
        return Measured(
            pages=int(data.get("pages", 0)),
            sizes=[(float(w), float(h)) for w, h in data.get("sizes", [])],
            title=str(data.get("title", "")),
            error=str(data.get("error", "")),
            load_error=str(data.get("load_error", "")),
        )

    def page_texts(self, path: Path, timeout_s: float, cancel: CancelToken) -> list[str]:
        """The text of every page, read by the helper (text extraction can hang too);
        raises :class:`ProbeTimeout` or ``PreviewError``."""
        data = self._ask(f"{_TEXT}\t{path}", path, timeout_s, cancel)
        if data is None or "texts" not in data:
            reason = (data or {}).get("error") or "The PDF's text could not be read."
            raise PreviewError(str(reason))
        return [str(text) for text in data["texts"]]

    def search(
        self, path: Path, query: str, timeout_s: float, cancel: CancelToken
    ) -> list[tuple[int, float, float, str, str, str]]:
        """Every case-insensitive match of ``query`` (page, x, y, before, match, after),
        found by the helper; raises :class:`ProbeTimeout` or ``PreviewError``."""
        request = json.dumps({"path": str(path), "query": query})
        data = self._ask(f"{_SEARCH}\t{request}", path, timeout_s, cancel)
        if data is None or "hits" not in data:
            reason = (data or {}).get("error") or "The PDF could not be searched."
            raise PreviewError(str(reason))
        return [
            (int(p), float(x), float(y), str(before), str(match), str(after))
            for p, x, y, before, match, after in data["hits"]
        ]

    def _ask(
        self, request: str, path: Path, timeout_s: float, cancel: CancelToken
    ) -> dict[str, Any] | None:
        """One request line to the helper, its JSON answer back (None: it ended)."""
        with self._lock:
            process = self._start()
            assert process.stdin is not None
            try:
                process.stdin.write(request + "\n")
                process.stdin.flush()
            except OSError:  # the helper died: one more try with a fresh one
                self._kill()
                process = self._start()
                assert process.stdin is not None
                process.stdin.write(request + "\n")
                process.stdin.flush()
            # One reader thread per answer: it ends with the answer, or when the helper is
            # ended (its pipe closes), so no thread outlives a request.
            answers: queue.Queue[str | None] = queue.Queue()
            reader = threading.Thread(
                target=_read_one, args=(process.stdout, answers), name="pdf-probe", daemon=True
            )
            reader.start()
            deadline = time.monotonic() + timeout_s
            try:
                while True:
                    if cancel.cancelled:
                        self._kill()  # its answer would belong to the next request
                        cancel.raise_if_cancelled()
                    try:
                        line = answers.get(timeout=_POLL_S)
                        break
                    except queue.Empty:
                        if time.monotonic() >= deadline:
                            self._kill()
                            raise ProbeTimeout(path) from None
            finally:
                reader.join(timeout=5)
            if line is None:
                self._kill()
                return None
            answer: dict[str, Any] = json.loads(line)
            return answer


def _read_one(stream: IO[str] | None, answers: queue.Queue[str | None]) -> None:
    """One answer line from the helper (None when its output closed)."""
    try:
        line = stream.readline() if stream is not None else ""
    except (OSError, ValueError):
        line = ""
    answers.put(line or None)


_prober: Prober | None = None
_prober_lock = threading.Lock()


def prober() -> Prober:
    """The app's one helper (started on first use)."""
    global _prober
    with _prober_lock:
        if _prober is None:
            _prober = Prober()
        return _prober


def search_in_helper(path: Path, query: str, progress: Any, cancel: CancelToken) -> list[PdfHit]:
    """Worker: :func:`~artifact_viewer.previews.pdf.search.search_pdf` run by the helper
    process (QtPdf holds the GIL inside PDFium: a search that never returns here would stop
    every thread of the app)."""
    from artifact_viewer.previews.pdf import search as pdf_search

    timeout_s = pdf_search.SEARCH_TIMEOUT_S
    try:
        found = prober().search(path, query, timeout_s, cancel)
    except ProbeTimeout:
        raise PreviewError(
            f"The search did not finish within {timeout_s:g} s (the PDF's text cannot be read)."
        ) from None
    return [pdf_search.PdfHit(*hit) for hit in found]


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
