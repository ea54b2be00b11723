"""Open and measure PDFs in a helper process that can be ended when PDFium does not answer.

QtPdf's calls hold Python's GIL for as long as they run, so a PDFium call that never
returns (a page tree that holds itself, an unreadable metadata dictionary) would stop every
thread of the app, the GUI thread included; no watchdog thread can even run. Loading, page
count, page sizes and the title are therefore asked in a child process first: when it
answers in time, the same calls in the app return too (the file has been shown to be
answerable); when it does not, the child is killed and the file refused.

Searching runs in the child as well (text extraction can loop too): the app's own search
model only highlights once the child has answered.

The child is started ahead of need (after the window's first paint) and kept for every
PDF; one that was ended (timed out, killed, crashed) is started again on the next request.
Asked to open a PDF, it first renders the part of page 1 the view shows and sends that
image back, so the page can be shown before the rest of the document has been checked;
then it measures every page (the view's first render of page 1 in this process is known
to return once that image came back).

The child reads one request per line on stdin (``OP<TAB>ARGUMENT``: a path, or JSON for
``open`` and ``search``) and answers JSON lines; a line with an ``image`` entry is
followed by that many raw pixel bytes, and a line with ``"partial": true`` by another
answer to the same request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from artifact_viewer.previews.pdf.search import PdfHit

#: this many unreadable pages in a row mean the page tree's count is not to be believed
UNREADABLE_RUN = 1000
_POLL_S = 0.05
_MEASURE, _OPEN, _TEXT, _SEARCH, _PING = "measure", "open", "text", "search", "ping"
#: the line that gives up the request the helper is working on (a line of its own)
_CANCEL_LINE = b"cancel\n"
#: the helper looks for a cancel line between this many page size queries
_CANCEL_EVERY = 16
#: a request given up (cancelled) may still finish this long before the helper is ended:
#: a fresh helper takes longer to start than most requests take to finish
_CANCEL_GRACE_S = 1.0
#: the longest :meth:`Prober.warm_up` waits for a fresh helper to answer
WARM_UP_TIMEOUT_S = 30.0
#: the width in pixels of the first page's trial render while measuring (without an image)
_TRIAL_RENDER_PX = 64
#: pixels of a first page go through memory both processes map (Linux: an anonymous
#: memory file, no name anywhere), not the pipe; only the pages written take memory
_SHARED_BYTES = 48 << 20
_SHARED_FD_ENV = "ARTIFACT_VIEWER_PDF_SHARED_FD"
#: the largest first-page image the helper sends (pixels; bigger requests are refused)
_MAX_IMAGE_PIXELS = 64_000_000

#: the first page the helper draws while it starts (logical pixels: a wide view's width
#: and height), so the shared memory a real first page is written to is already mapped
_WARM_FIRST_PAGE = (1280, 1024)
#: a one-page PDF the helper opens and draws when it starts, so PDFium's own start-up
#: (fonts, the renderer) is paid before the first file is asked for
_WARM_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 33>>stream\nBT /F1 12 Tf 10 50 Td (Warm) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass(slots=True)
class Measured:
    """What the helper found: page sizes in points, the title; ``error`` when refused."""

    pages: int = 0
    sizes: list[tuple[float, float]] = field(default_factory=list)
    title: str = ""
    error: str = ""
    #: QtPdf's load error name ("InvalidFileFormat", ...) when loading failed
    load_error: str = ""


@dataclass(frozen=True, slots=True)
class FirstPageRequest:
    """How the view will show page 1: ``width`` pixels wide (logical), of which the top
    ``height`` pixels are visible, on a screen of ``dpr`` device pixels per pixel."""

    width: int
    height: int
    dpr: float = 1.0


#: page pixels as read from the helper: its bytes, or a view of the shared memory
Pixels = bytes | memoryview


@dataclass(slots=True)
class FirstPage:
    """The visible top of page 1 drawn by the helper: opaque 32-bit RGB pixels on white
    paper (device pixels, ``stride`` bytes a row) of a page ``page_width`` x
    ``page_height`` pixels (logical) in all; ``pages`` and ``size`` (points) as the
    document claims them. ``pixels`` may be a view of the memory shared with the helper:
    valid until the helper's next request (take a copy)."""

    pages: int
    size: tuple[float, float]
    width: int
    height: int
    stride: int
    pixels: Pixels
    dpr: float
    page_width: int
    page_height: int


def first_page_here(
    document: Any, want: FirstPageRequest, canvas: mmap.mmap | None = None
) -> tuple[dict[str, Any], bytes]:
    """Draw the visible top of page 1 of the loaded ``document`` (the helper's work): the
    answer's header and the raw pixels (none when page 1 cannot be drawn).

    The pixels are the page on white paper (opaque 32-bit RGB). With ``canvas`` (the
    memory shared with the app) large enough, they are composed straight into it (the
    header says ``shared``) and no bytes are returned: no copy of the image is made."""
    from PySide6.QtCore import QRect, QSize, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtPdf import QPdfDocumentRenderOptions

    pages = document.pageCount()
    size = document.pagePointSize(0) if pages > 0 else None
    header: dict[str, Any] = {"partial": True, "pages": pages}
    if size is None or size.width() <= 0 or size.height() <= 0 or want.width <= 0:
        return header, b""
    header["size"] = [size.width(), size.height()]
    dpr = max(0.5, min(want.dpr, 8.0))
    page_h = max(1, round(size.height() * want.width / size.width()))
    full_w, full_h = round(want.width * dpr), round(page_h * dpr)
    shown_h = max(1, min(full_h, round(max(want.height, 1) * dpr)))
    if full_w * shown_h > _MAX_IMAGE_PIXELS:
        return header, b""
    options = QPdfDocumentRenderOptions()
    options.setScaledSize(QSize(full_w, full_h))
    options.setScaledClipRect(QRect(0, 0, full_w, shown_h))
    drawn = document.render(0, QSize(full_w, shown_h), options)
    if drawn.isNull():
        return header, b""
    # PDFium draws a page's content on a transparent background, which QPdfView paints
    # white first: composed on white once here, the app copies the image as it is and
    # painting it blends nothing.
    width, height = drawn.width(), drawn.height()
    stride = width * 4
    shared = canvas is not None and stride * height <= len(canvas)
    if shared:
        assert canvas is not None
        image = QImage(memoryview(canvas), width, height, stride, QImage.Format.Format_RGB32)
    else:
        image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.drawImage(0, 0, drawn)
    painter.end()
    pixels = b"" if shared else bytes(image.constBits())
    header["image"] = {
        "width": width,
        "height": height,
        "stride": image.bytesPerLine(),
        "bytes": image.bytesPerLine() * height,
        "dpr": dpr,
        "page": [want.width, page_h],
        "shared": shared,
    }
    return header, pixels


class _Cancelled(Exception):
    """The app gave up the request being worked on."""


class LineReader:
    """Request lines from the app, read straight from a pipe, with a look between pages
    for a cancel line that came while a request was worked on (POSIX pipes only)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buffer = b""
        self._lines: list[bytes] = []

    def _fill(self) -> bool:
        chunk = os.read(self._fd, 65536)
        if not chunk:
            return False
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        self._lines.extend(line + b"\n" for line in lines)
        return True

    def readline(self) -> bytes:
        """The next line (b"" once the app closed the pipe)."""
        while not self._lines:
            if not self._fill():
                return b""
        return self._lines.pop(0)

    def cancelled(self) -> bool:
        """True (the cancel line taken) when the app gave up the current request."""
        if not self._lines and os.name == "posix":
            import select

            readable, _, _ = select.select([self._fd], [], [], 0)
            if readable:
                self._fill()
        if self._lines and self._lines[0] == _CANCEL_LINE:
            self._lines.pop(0)
            return True
        return False


def measure_here(
    path: str,
    first: FirstPageRequest | None = None,
    send: Any = None,
    cancelled: Any = None,
    canvas: mmap.mmap | None = None,
) -> dict[str, Any]:
    """Load and measure ``path`` with QtPdf in this process (the helper's work). With
    ``first``, the top of page 1 is drawn (into ``canvas`` when given, see
    :func:`first_page_here`) and handed to ``send(header, pixels)`` first; ``cancelled()``
    is asked now and then (True: stop, the answer is not wanted)."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument()
    try:
        error = document.load(path)
        if error != QPdfDocument.Error.None_:
            return {"load_error": error.name}
        if first is not None and send is not None:
            send(*first_page_here(document, first, canvas))
        pages = document.pageCount()
        sizes: list[tuple[float, float]] = []
        unreadable = 0
        for page in range(pages):
            if cancelled is not None and page % _CANCEL_EVERY == 0 and cancelled():
                raise _Cancelled
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
        if first is None and sizes and sizes[0][0] > 0 and sizes[0][1] > 0:
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


def _warm_pdfium(canvas: mmap.mmap | None = None) -> None:
    """Open a tiny PDF and draw its page as a first page is drawn (composed on white,
    into ``canvas`` when given), so PDFium, the painter and the pages of the shared
    memory are all set up before the first request."""
    from PySide6.QtCore import QBuffer, QByteArray, QSize
    from PySide6.QtPdf import QPdfDocument

    buffer = QBuffer()
    buffer.setData(QByteArray(_WARM_PDF))
    buffer.open(QBuffer.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    try:
        document.load(buffer)
        if document.pageCount() > 0:
            document.render(0, QSize(64, 64))
            first_page_here(document, FirstPageRequest(*_WARM_FIRST_PAGE), canvas)
    finally:
        document.close()


def _shared_memory(fd: str) -> mmap.mmap | None:
    """The helper's view of the memory the app shares for page images (None: none)."""
    try:
        return mmap.mmap(int(fd), _SHARED_BYTES) if fd else None
    except (OSError, ValueError):
        return None


def serve(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The helper's loop: ``OP<TAB>ARGUMENT`` per line in, JSON answers out."""
    from PySide6.QtCore import QCoreApplication

    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    shared = _shared_memory(os.environ.get(_SHARED_FD_ENV, ""))
    with contextlib.suppress(Exception):  # the first real request reports what is wrong
        _warm_pdfium(shared)

    def send(answer: dict[str, Any], pixels: bytes = b"") -> None:
        image = answer.get("image")
        shareable = shared is not None and len(pixels) <= len(shared)
        if pixels and isinstance(image, dict) and shared is not None and shareable:
            shared[: len(pixels)] = pixels
            image["shared"] = True
            pixels = b""
        stdout.write(json.dumps(answer).encode("utf-8") + b"\n")
        if pixels:
            stdout.write(pixels)
        stdout.flush()

    reader = LineReader(stdin)
    while raw := reader.readline():
        op, _, argument = raw.decode("utf-8", "surrogateescape").rstrip("\n").partition("\t")
        if not argument:
            continue  # a cancel line for a request already answered, or nothing
        try:
            if op == _SEARCH:
                answer = search_here(argument)
            elif op == _TEXT:
                answer = texts_here(argument)
            elif op == _PING:
                answer = {"pong": True}
            elif op == _OPEN:
                asked = json.loads(argument)
                want = FirstPageRequest(
                    int(asked["width"]), int(asked["height"]), float(asked.get("dpr", 1.0))
                )
                answer = measure_here(str(asked["path"]), want, send, reader.cancelled, shared)
            else:
                answer = measure_here(argument, cancelled=reader.cancelled)
        except _Cancelled:
            answer = {"cancelled": True}
        except PreviewError as exc:
            answer = {"error": exc.user_message()}
        except Exception as exc:  # reported to the app, which refuses the file
            answer = {"error": f"The PDF could not be read ({type(exc).__name__})."}
        send(answer)
    del _app


class ProbeTimeout(Exception):
    """The helper did not answer in time (and has been ended)."""


class Prober:
    """One helper process, started ahead of need or on first use, reused for every
    request, and started again after it was ended (timed out, killed, crashed).

    :meth:`measure` may be called from any thread; requests are answered one at a time.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._shared: mmap.mmap | None = None

    def _command(self) -> list[str]:
        # Frozen, the bundle's launcher answers ``-m`` for the app's own modules.
        return [sys.executable, "-m", "artifact_viewer.previews.pdf.probe"]

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._process = None
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env.pop(_SHARED_FD_ENV, None)
        fd, self._shared = _new_shared_memory()
        if fd >= 0:
            env[_SHARED_FD_ENV] = str(fd)
        try:
            process = subprocess.Popen(
                self._command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
                pass_fds=(fd,) if fd >= 0 else (),
                # No console window for the helper of a windowed app on Windows.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        finally:
            if fd >= 0:
                os.close(fd)  # each side's mapping keeps the memory
        self._process = process
        return process

    def warm_up(self, wait: bool = False) -> bool:
        """Start the helper now (unless it runs), so the next PDF does not wait for it;
        with ``wait``, until it answers (its libraries loaded): False if it did not."""
        if not wait:
            with self._lock:
                self._start()
            return True
        try:
            answer = self._ask(f"{_PING}\t-", Path(), WARM_UP_TIMEOUT_S, CancelToken())
        except ProbeTimeout:
            return False
        return bool(answer and answer.get("pong"))

    @property
    def pid(self) -> int | None:
        """The running helper's process id (None: none runs now)."""
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def stop(self) -> None:
        with self._lock:
            self._kill()

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()

    def measure(
        self,
        path: Path,
        timeout_s: float,
        cancel: CancelToken,
        first_page: FirstPageRequest | None = None,
        on_first_page: Callable[[FirstPage], None] | None = None,
    ) -> Measured:
        """Ask the helper to open and measure ``path``; raises :class:`ProbeTimeout` after
        ``timeout_s`` (from when the helper has the request), ``Cancelled`` on cancel.

        With ``first_page``, the helper first draws the visible top of page 1 at that size
        and ``on_first_page`` gets it (on the calling thread) while the rest is measured.
        """
        if first_page is None:
            request = f"{_MEASURE}\t{path}"
        else:
            asked = {
                "path": str(path),
                "width": first_page.width,
                "height": first_page.height,
                "dpr": first_page.dpr,
            }
            request = f"{_OPEN}\t{json.dumps(asked)}"

        def partial(data: dict[str, Any], pixels: Pixels) -> None:
            image = data.get("image")
            if on_first_page is None or not isinstance(image, dict) or not pixels:
                return
            width, height = image["page"]
            size = data.get("size") or (0.0, 0.0)
            on_first_page(
                FirstPage(
                    pages=int(data.get("pages", 0)),
                    size=(float(size[0]), float(size[1])),
                    width=int(image["width"]),
                    height=int(image["height"]),
                    stride=int(image["stride"]),
                    pixels=pixels,
                    dpr=float(image["dpr"]),
                    page_width=int(width),
                    page_height=int(height),
                )
            )

        data = self._ask(request, path, timeout_s, cancel, partial)
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

    def _send(self, request: str) -> subprocess.Popen[bytes]:
        line = request.encode("utf-8", "surrogateescape") + b"\n"
        for attempt in (1, 2):
            process = self._start()
            assert process.stdin is not None
            try:
                process.stdin.write(line)
                process.stdin.flush()
                return process
            except OSError:  # the helper died: one more try with a fresh one
                if attempt == 2:
                    raise
                self._kill()
        raise AssertionError("unreachable")

    def _ask(
        self,
        request: str,
        path: Path,
        timeout_s: float,
        cancel: CancelToken,
        on_partial: Callable[[dict[str, Any], Pixels], None] | None = None,
    ) -> dict[str, Any] | None:
        """One request line to the helper, its JSON answer back (None: it ended); answers
        marked partial go to ``on_partial`` as they come, on the thread reading the
        helper's answers (one wake-up less before a first page is shown)."""
        with self._lock:
            process = self._send(request)
            # One reader thread per request: it ends with the last answer, or when the
            # helper is ended (its pipe closes), so no thread outlives a request.
            answers: queue.Queue[tuple[dict[str, Any], Pixels] | None] = queue.Queue()
            reader = threading.Thread(
                target=_read_answers,
                args=(process.stdout, answers, self._shared, on_partial),
                name="pdf-probe",
                daemon=True,
            )
            reader.start()
            deadline = time.monotonic() + timeout_s
            try:
                while True:
                    if cancel.cancelled:
                        # Its answer would belong to the next request: it is told to stop
                        # and given a moment to say so (a helper is slower to start
                        # again), else it is ended.
                        with contextlib.suppress(OSError, ValueError):
                            assert process.stdin is not None
                            process.stdin.write(_CANCEL_LINE)
                            process.stdin.flush()
                        self._drain(answers, min(deadline, time.monotonic() + _CANCEL_GRACE_S))
                        cancel.raise_if_cancelled()
                    try:
                        answer = answers.get(timeout=_POLL_S)
                    except queue.Empty:
                        if time.monotonic() >= deadline:
                            self._kill()
                            raise ProbeTimeout(path) from None
                        continue
                    if answer is None:
                        self._kill()
                        return None
                    data, pixels = answer
                    if not data.get("partial"):
                        cancel.raise_if_cancelled()  # given up as it answered
                        return data
                    # Partial answers went to on_partial on the reader's thread.
            finally:
                reader.join(timeout=5)

    def _drain(
        self, answers: queue.Queue[tuple[dict[str, Any], Pixels] | None], until: float
    ) -> None:
        """Drop the answers of a request given up until its last; the helper is ended if
        that does not come by ``until``."""
        while True:
            try:
                answer = answers.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                self._kill()
                return
            if answer is None:
                self._kill()
                return
            if not answer[0].get("partial"):
                return


def _new_shared_memory() -> tuple[int, mmap.mmap | None]:
    """An anonymous memory file for page images and this side's mapping of it ((-1, None)
    where there is none: the pixels then come through the pipe)."""
    create = getattr(os, "memfd_create", None)
    if create is None:
        return -1, None
    fd = -1
    try:
        fd = create("artifact-viewer-pdf-page", getattr(os, "MFD_CLOEXEC", 1))
        os.ftruncate(fd, _SHARED_BYTES)
        return fd, mmap.mmap(fd, _SHARED_BYTES)
    except OSError:
        if fd >= 0:
            os.close(fd)
        return -1, None


def _read_answers(
    stream: IO[bytes] | None,
    answers: queue.Queue[tuple[dict[str, Any], Pixels] | None],
    shared: mmap.mmap | None = None,
    on_partial: Callable[[dict[str, Any], Pixels], None] | None = None,
) -> None:
    """The helper's answers to one request, up to the last (None when its output closed
    or made no sense)."""
    try:
        while stream is not None:
            line = stream.readline()
            if not line:
                break
            data = json.loads(line)
            image = data.get("image")
            pixels: Pixels = b""
            if isinstance(image, dict):
                size = int(image.get("bytes", 0))
                if image.get("shared"):
                    if shared is None or not 0 < size <= len(shared):
                        break
                    # A view, no copy: taken (copied) by on_partial before the helper
                    # can draw into the shared memory again.
                    pixels = memoryview(shared)[:size]
                else:
                    pixels = stream.read(size) if size > 0 else b""
                if len(pixels) != size:
                    break
            if not data.get("partial"):
                answers.put((data, pixels))
                return
            if on_partial is not None:
                try:
                    on_partial(data, pixels)
                except Exception:  # the final answer still decides
                    log.exception("A PDF helper's first page could not be taken")
    except (OSError, ValueError):
        pass
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
    serve(sys.stdin.buffer, sys.stdout.buffer)
