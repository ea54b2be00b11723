"""A text file of any size, memory-mapped: bounded line reads, a newline index, scans and search.

The previewer runs the scans on the thread pool and the view reads
a screenful of lines at a time, so opening a 1 GB log costs one ``mmap`` call.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import functools
import mmap
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.crypto.memfile import filling_of, wait_ready
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.core.sniff import Encoding, detect_encoding, read_head
from artifact_viewer.previews.text.scan import Needle, NeedleSet, byte_counts

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

# A display line never holds more than this many bytes: a 100 MB single-line file is
# shown as consecutive 64 KiB pieces instead of one string the painter chokes on.
MAX_LINE = 64 * 1024
# Scans work in chunks this big, checking for cancellation between them.
CHUNK = 16 * 1024 * 1024
# Closing a mapping drops its pages this many bytes at a time (see drop_pages).
UNMAP_STEP = 32 * 1024 * 1024
# Searches work in steps this big: each numpy call in a step releases the GIL, and each
# call that holds it (bytes.find over a step) lasts a millisecond or so, so the GUI
# thread gets its turn.
WINDOW = 2 * 1024 * 1024
# UTF-16/32 files are converted to UTF-8 in memory; beyond this they go to the hex view.
MAX_TRANSCODE = 256 * 1024 * 1024

_LEVEL_RE = re.compile(
    r"\b(?:(?P<error>ERROR|ERR|CRITICAL|CRIT|FATAL|SEVERE|EMERG|ALERT|EXCEPTION)"
    r"|(?P<warning>WARN|WARNING)|(?P<info>INFO|NOTICE)|(?P<debug>DEBUG|TRACE|VERBOSE))\b"
    r"|\blevel=\"?(?:(?P<lerror>error|fatal|critical)|(?P<lwarning>warn|warning)"
    r"|(?P<ldebug>debug|trace))\b"
)
_TRACEBACK_RE = re.compile(
    r'^(?:Traceback \(most recent call last\):|\s+File ".*", line \d+|'
    r"[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt): )"
)
# Markers of error lines for the whole-file scan behind "next error". Plain substrings,
# found by their rarest byte (textscan), while one regex alternation over a 1 GB file
# would take tens of seconds.
_ERROR_MARKERS = (
    b"ERROR",
    b"CRITICAL",
    b"FATAL",
    b"SEVERE",
    b"EMERG",
    b"EXCEPTION",
    b"level=error",
    b"level=fatal",
    b"level=critical",
    b'level="error"',
    b"Traceback (most recent call last)",
)


def classify(line: str) -> str | None:
    """The level a log line shows: "error", "warning", "info", "debug", "traceback" or None."""
    match = _LEVEL_RE.search(line, 0, 240)
    if match is not None:
        group = match.lastgroup or ""
        return group[1:] if group.startswith("l") else group
    if _TRACEBACK_RE.match(line):
        return "traceback"
    return None


class LineIndex:
    """Newline offsets, appended chunk by chunk as the background scan proceeds."""

    def __init__(self, start: int, size: int, ends_with_newline: bool) -> None:
        self.start = start
        self.size = size
        self._ends_with_newline = ends_with_newline
        self._chunks: list[np.ndarray] = []
        self._ends: list[int] = []  # byte offset each chunk covers up to (exclusive)
        self._before: list[int] = []  # newlines before each chunk
        self._count = 0

    def release(self) -> None:
        """Free the newline offsets one chunk at a time (for a worker thread).

        Dropping the index in one go frees its ~65 arrays (~100 MB for 1 GB of log)
        inside one deallocation, holding the GIL for ~10 ms; freed one by one, other
        threads get the GIL between chunks. The index reads as empty afterwards.
        """
        chunks = self._chunks
        self._chunks, self._ends, self._before, self._count = [], [], [], 0
        while chunks:
            chunks.pop()

    def add(self, newlines: np.ndarray, covered_to: int) -> None:
        self._chunks.append(newlines)
        self._before.append(self._count)
        self._ends.append(covered_to)
        self._count += int(newlines.size)

    @property
    def covered(self) -> int:
        """Bytes scanned so far (line numbers are known for offsets up to here)."""
        return self._ends[-1] if self._ends else self.start

    @property
    def complete(self) -> bool:
        return self.covered >= self.size

    @property
    def newlines(self) -> int:
        return self._count

    def line_count(self) -> int | None:
        """Total number of lines, once the scan is complete."""
        if not self.complete:
            return None
        if self.size <= self.start:
            return 0
        return self._count + (0 if self._ends_with_newline else 1)

    def estimated_lines(self) -> int:
        exact = self.line_count()
        if exact is not None:
            return exact
        scanned = self.covered - self.start
        if scanned <= 0 or self._count == 0:
            return max(1, (self.size - self.start) // 80)
        return int(self._count * (self.size - self.start) / scanned) + 1

    def line_number(self, offset: int) -> int | None:
        """1-based number of the line holding ``offset``, if the scan got that far."""
        if offset > self.covered or (offset == self.covered and not self.complete):
            return None
        i = bisect.bisect_right(self._ends, offset)
        before = self._before[i] if i < len(self._chunks) else self._count
        if i < len(self._chunks):
            before += int(np.searchsorted(self._chunks[i], offset, side="left"))
        return before + 1

    def offset_of_line(self, number: int) -> int | None:
        """Byte offset where 1-based line ``number`` starts, if known."""
        if number <= 1:
            return self.start
        k = number - 2  # index of the newline ending the previous line
        if k >= self._count:
            return None
        i = bisect.bisect_right(self._before, k) - 1
        offset = int(self._chunks[i][k - self._before[i]]) + 1
        return offset if offset < self.size else None  # past the final newline


@dataclass(frozen=True, slots=True)
class SearchResult:
    query: str
    offsets: np.ndarray  # byte offsets of the first ``limit`` hits
    total: int  # all hits, even past the limit


def drop_pages(buf: mmap.mmap, step: int = UNMAP_STEP) -> None:
    """Drop the pages of a read-only file mapping from this process, ``step`` bytes per call.

    Unmapping 1 GB of read pages in one ``munmap`` takes 40-50 ms, all of it holding the
    process's memory-map lock for writing: any ``mmap``, ``munmap`` or growing ``malloc``
    on the GUI thread (opening the next file maps it) sleeps until it is done. Dropping
    the pages in slices (``MADV_DONTNEED`` keeps the file's data; a later read faults the
    page back in from the page cache) holds that lock a millisecond or two at a time, and
    through ctypes each call runs without the GIL, so the unmap that follows is quick.
    """
    advice = getattr(mmap, "MADV_DONTNEED", None)
    if advice is None or buf.closed or len(buf) == 0:
        return
    size = len(buf)
    madvise = _libc_madvise()
    if madvise is None:
        for start in range(0, size, step):
            with contextlib.suppress(OSError, ValueError):
                buf.madvise(advice, start, min(step, size - start))
        return
    view = np.frombuffer(buf, dtype=np.uint8)  # holds the mapping open meanwhile
    try:
        base = view.ctypes.data
        for start in range(0, size, step):
            madvise(base + start, min(step, size - start), advice)
    finally:
        del view


@functools.cache
def _libc_madvise() -> Callable[[int, int, int], int] | None:
    """The C library's ``madvise`` (a ctypes call releases the GIL), if there is one."""
    try:
        func = ctypes.CDLL(None, use_errno=True).madvise
    except (AttributeError, OSError):
        return None
    func.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    func.restype = ctypes.c_int
    return cast(Callable[[int, int, int], int], func)


class TextDocument:
    """An opened text file: a buffer (mmap, or UTF-8 bytes for UTF-16/32) and its codec."""

    def __init__(self, path: Path, buffer: mmap.mmap | bytes, start: int, codec: str, label: str):
        self.path = path
        self.buf = buffer
        self.size = len(buffer)
        self.start = start
        self.codec = codec
        self.encoding_label = label
        self._counts: np.ndarray | None = None
        # The redacted view: display lines and copied text pass through it (search and
        # scans read the buffer, so their positions stay the file's).
        self.masker: Masker | None = None
        # An encrypted cached file still being decrypted behind its first screen (see
        # core.crypto.memfile): every read waits until its bytes are in.
        self._filling = filling_of(path) if isinstance(buffer, mmap.mmap) else None

    def _wait(self, start: int, end: int) -> None:
        filling = self._filling
        if filling is not None:
            if filling.complete:
                self._filling = None
            else:
                filling.wait(start, end)

    def _wait_line(self, offset: int, limit: int) -> None:
        """Wait until the line at ``offset`` is in: up to its newline when the decrypted
        part holds one, else up to ``limit``."""
        filling = self._filling
        if filling is None:
            return
        filled = filling.filled
        if filled > offset and self.buf.find(b"\n", offset, min(limit, filled)) >= 0:
            return
        self._wait(offset, limit)

    def _wait_back(self, floor: int, offset: int) -> None:
        """Wait until the bytes before ``offset`` back to its line's start are in: only
        what the decrypted tail does not hold (reading up from the end needs no wait)."""
        filling = self._filling
        if filling is None:
            return
        tail = filling.tail_start
        if offset <= filling.filled or (
            tail < offset and self.buf.rfind(b"\n", max(floor, tail), offset) >= 0
        ):
            return
        self._wait(floor, offset)

    @classmethod
    def open(cls, path: Path) -> TextDocument:
        """Open ``path`` (cheap: maps it; only UTF-16/32 files are read and converted)."""
        head = read_head(path)
        enc = detect_encoding(head) or Encoding("latin-1", 0, "binary, shown as Latin-1")
        if enc.name.startswith(("utf-16", "utf-32")):
            size = path.stat().st_size
            if size > MAX_TRANSCODE:
                raise PreviewError(
                    f"This {enc.name.upper()} text is {size // 2**20} MiB, too large to convert.",
                    hint="Use the hex view, or open it externally.",
                )
            wait_ready(path)
            text = path.read_bytes()[enc.bom :].decode(enc.name, errors="replace")
            return cls(path, text.encode("utf-8"), 0, "utf-8", enc.label())
        with path.open("rb") as fh:
            if path.stat().st_size == 0:
                return cls(path, b"", 0, enc.name, enc.label())
            buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return cls(path, buffer, enc.bom, enc.name, enc.label())

    def close(self) -> None:
        """Release the mapping; a no-op while a scan still holds a view of it.

        The pages are dropped from the mapping a slice at a time first (see
        :func:`drop_pages`), so the final unmap has nothing left to tear down.
        """
        if isinstance(self.buf, mmap.mmap):
            drop_pages(self.buf)
            # A background scan may still hold a view; then the GC closes it afterwards.
            with contextlib.suppress(BufferError):
                self.buf.close()

    @property
    def closed(self) -> bool:
        return isinstance(self.buf, mmap.mmap) and self.buf.closed

    def new_index(self) -> LineIndex:
        self._wait(self.size - 1, self.size)
        ends = self.size > self.start and self.buf[self.size - 1 : self.size] == b"\n"
        return LineIndex(self.start, self.size, ends)

    # --- bounded reads, safe on the GUI thread: at most MAX_LINE bytes per line ---------

    def line_at(self, offset: int) -> tuple[str, int]:
        """Text of the display line starting at ``offset`` and where the next one starts."""
        limit = min(self.size, offset + MAX_LINE)
        self._wait_line(offset, limit)
        newline = self.buf.find(b"\n", offset, limit)
        end, following = (limit, limit) if newline < 0 else (newline, newline + 1)
        raw = self.buf[offset:end]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        text = raw.decode(self.codec, errors="replace")
        return (self.masker.mask_text(text) if self.masker is not None else text), following

    def lines_from(self, offset: int, count: int) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        while offset < self.size and len(out) < count:
            text, following = self.line_at(offset)
            out.append((offset, text))
            offset = following
        return out

    def snap(self, offset: int) -> int:
        """Start of the display line holding ``offset``."""
        offset = max(self.start, min(offset, self.size))
        if offset <= self.start:
            return self.start
        floor = max(self.start, offset - MAX_LINE)
        self._wait_back(floor, offset)
        newline = self.buf.rfind(b"\n", floor, offset)
        return newline + 1 if newline >= 0 else floor

    def previous_start(self, offset: int) -> int:
        return self.snap(offset - 1) if offset > self.start else self.start

    def next_start(self, offset: int) -> int | None:
        following = self.line_at(offset)[1]
        return following if following < self.size else None

    def is_continuation(self, offset: int) -> bool:
        """True when ``offset`` starts a piece of an over-long line, not a real line."""
        if offset <= self.start:
            return False
        self._wait(offset - 1, offset)
        return self.buf[offset - 1 : offset] != b"\n"

    def last_screen_start(self, lines: int) -> int:
        """Top offset that shows the last ``lines`` lines: read from the tail, no index needed."""
        if self.size <= self.start:
            return self.start
        top = self.snap(self.size - 1)
        for _ in range(max(0, lines - 1)):
            if top <= self.start:
                break
            top = self.previous_start(top)
        return top

    def text_between(self, first: int, last: int, limit: int = 16 * 2**20) -> str:
        """Lines from ``first`` through the line starting at ``last`` (for copying)."""
        end = min(self.line_at(last)[1], first + limit, self.size)
        self._wait(first, end)
        text = self.buf[first:end].decode(self.codec, errors="replace").replace("\r\n", "\n")
        return self.masker.mask_text(text) if self.masker is not None else text

    # --- whole-file scans, for the thread pool ------------------------------------------

    def scan_newlines(
        self,
        progress: Callable[[int, int], None],
        cancel: CancelToken,
        emit: Callable[[np.ndarray, int], None],
    ) -> None:
        """Find every newline, chunk by chunk, handing ``emit(offsets, covered_to)`` each chunk."""
        if self.size <= self.start:
            emit(np.empty(0, dtype=np.int64), self.size)
            return
        view = np.frombuffer(self.buf, dtype=np.uint8)
        try:
            for pos in range(self.start, self.size, CHUNK):
                cancel.raise_if_cancelled()
                self._wait(pos, pos + CHUNK)
                chunk = view[pos : pos + CHUNK]
                found = np.flatnonzero(chunk == 10)
                found += pos
                emit(found, pos + chunk.size)
                progress(pos + chunk.size - self.start, self.size - self.start)
        finally:
            del view  # drop the exported buffer so the mmap can close

    def byte_counts(self) -> np.ndarray:
        """Byte frequencies from samples of the text (to pick rare anchors for searching)."""
        if self._counts is None:
            self._wait(self.start, self.size)  # samples from all over the file
            self._counts = byte_counts(self.buf, self.start, self.size)
        return self._counts

    def scan_errors(
        self,
        progress: Callable[[int, int], None],
        cancel: CancelToken,
        may_run: threading.Event | None = None,
    ) -> np.ndarray:
        """Offsets of error markers (sorted); the view jumps between their lines.

        While ``may_run`` is cleared (a search the user asked for is running) the scan
        waits between steps, leaving the CPU to that search.
        """
        if self.size <= self.start:
            return np.empty(0, dtype=np.int64)
        markers = NeedleSet(list(_ERROR_MARKERS), self.byte_counts())
        parts: list[np.ndarray] = []
        view = np.frombuffer(self.buf, dtype=np.uint8)
        try:
            for pos in range(self.start, self.size, WINDOW):
                while may_run is not None and not may_run.wait(0.05):
                    cancel.raise_if_cancelled()
                cancel.raise_if_cancelled()
                end = min(self.size, pos + WINDOW)
                found = markers.find(view, self.buf, pos, end)
                if found.size:
                    parts.append(found)
                progress(end - self.start, self.size - self.start)
        finally:
            del view  # drop the exported buffer so the mmap can close
        # Small arrays joined at the end: steps come in order, so the whole is sorted.
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def search(
        self,
        query: str,
        case_sensitive: bool,
        progress: Callable[[int, int], None],
        cancel: CancelToken,
        limit: int = 100_000,
    ) -> SearchResult:
        """Every occurrence of ``query`` (literal), first ``limit`` offsets kept.

        Without ``case_sensitive`` ASCII letters match in either case (like bytes.lower()).
        """
        try:
            needle = query.encode(self.codec)
        except (UnicodeEncodeError, LookupError):
            return SearchResult(query, np.empty(0, dtype=np.int64), 0)
        if not needle or self.size <= self.start:
            return SearchResult(query, np.empty(0, dtype=np.int64), 0)
        finder = Needle(needle, not case_sensitive, self.byte_counts())
        kept: list[np.ndarray] = []
        room = limit
        total = 0
        view = np.frombuffer(self.buf, dtype=np.uint8)
        try:
            for pos in range(self.start, self.size, WINDOW):
                cancel.raise_if_cancelled()
                end = min(self.size, pos + WINDOW)
                hits = finder.find(view, self.buf, pos, end)
                total += int(hits.size)
                if room > 0 and hits.size:
                    kept.append(hits[:room])
                    room -= kept[-1].size
                progress(end - self.start, self.size - self.start)
        finally:
            del view  # drop the exported buffer so the mmap can close
        offsets = np.concatenate(kept) if kept else np.empty(0, dtype=np.int64)
        return SearchResult(query, offsets, total)
