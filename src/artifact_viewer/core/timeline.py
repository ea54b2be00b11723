"""A run as one story on one time axis: its start and end, its failing step, its log lines
by their own timestamps and its screenshots at the moments they were taken.

Three parts:

- :func:`index_log` reads a log once (in chunks, cancellable, with progress) and keeps, for
  every line that carries a timestamp, its line number and time, plus the line numbers of
  errors and warnings. Lines without a timestamp take the last one before them (lines
  before the first take the first). Lookups bisect those arrays, so a 1 GB log costs a few
  arrays of numbers, not its lines.
- :func:`screenshot_time` decides when a screenshot was taken: a time in its file name or
  its EXIF ``DateTimeOriginal`` when that is plausible and at least as precise, else the
  artifact's ``createdAt``.
- :class:`Timeline` puts them together with the run and answers the two questions of the
  run page: which screenshot was on screen at time t (:meth:`~Timeline.nearest_screenshot_before`)
  and which log line was being written then (:meth:`~Timeline.log_line_at`).

Clock skew. The API's clock (the run's ``createdAt``/``completedAt``, artifacts'
``createdAt``) is the reference; times written by the worker are moved onto it:

- A log is shifted by one constant per file. If its first timestamp falls within the run
  (no earlier than ``createdAt`` minus ``SKEW_TOLERANCE``, no later than ``completedAt`` plus
  it) it is left alone. Otherwise, when the first stamp had no zone and a whole number of
  quarter hours brings it within the run, that is a local time written without its zone
  and is shifted by those quarter hours; failing that the worker's clock was off and the
  log is shifted so that its first line falls at the run's start. The shift and its reason
  are kept (:attr:`LogIndex.shift`, :attr:`LogIndex.shift_reason`) for the page to show.
- A screenshot's name or EXIF time is used only if it lies between ``createdAt`` minus
  ``UPLOAD_LAG`` (a file is uploaded after it is taken) and ``createdAt`` plus
  ``SKEW_TOLERANCE``; a time without a zone may be moved by whole quarter hours to get
  there. Otherwise ``createdAt`` is used.
- Lookups order a log whose clock runs backwards by each line's running maximum: the line
  shown for time t is where the log had first reached t.
"""

from __future__ import annotations

import heapq
import io
import os
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.fast_stamps import iso_line_stamps, line_starts, padded
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.timestamps import (
    LINE_STAMP,
    FoundTime,
    LineClock,
    exif_time,
    time_in_name,
)

CHUNK = 16 * 1024 * 1024
SKEW_TOLERANCE = 5.0  # seconds two clocks may disagree without a correction
UPLOAD_LAG = 600.0  # a screenshot's own time may precede its createdAt by this much
QUARTER_HOUR = 900.0
MAX_ZONE = 14 * 3600.0

# Error and warning lines: upper-case level words (as loggers write them), Python exception
# lines ("ValueError: ..."), and `level=error` / "level": "warn" fields of structured logs.
# Each word is found with bytes.find (memchr speed) and checked for word boundaries, which
# is many times faster than one regex tried at every byte.
# A word and its longer forms are found in one pass (ERR finds ERROR too).
ERROR_WORDS: tuple[tuple[bytes, ...], ...] = (
    (b"ERR", b"ERROR"), (b"CRIT", b"CRITICAL"), (b"FATAL",), (b"SEVERE",), (b"EMERG",),
    (b"PANIC",), (b"Traceback",),
)  # fmt: skip
WARNING_WORDS: tuple[tuple[bytes, ...], ...] = ((b"WARN", b"WARNING"),)
_EXCEPTION_ENDS = (b"Error:", b"Exception:")
_LEVEL_FIELD = re.compile(rb'level"?\s*[=:]\s*"?(?:(error|fatal|critical|crit)|(warn|warning))\b')
_WORD = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")

ShiftReason = Literal["none", "zone", "clock", "given"]
ShotSource = Literal["createdAt", "filename", "exif"]


def _epoch(value: datetime | float | None) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


# -- the log index --------------------------------------------------------------------------


@dataclass
class LogIndex:
    """Where the timestamps and errors of one log are, by line number (0-based).

    Times are epoch seconds on the log's own clock; ``shift`` (seconds) moves them onto the
    API's and is added by every lookup.
    """

    line_count: int = 0
    size: int = 0
    stamped: array[int] = field(default_factory=lambda: array("q"))  # line numbers
    times: array[float] = field(default_factory=lambda: array("d"))  # their times
    errors: array[int] = field(default_factory=lambda: array("q"))
    warnings: array[int] = field(default_factory=lambda: array("q"))
    first_zoned: bool = True
    monotonic: bool = True
    shift: float = 0.0
    shift_reason: ShiftReason = "none"
    _reach: array[float] | None = field(default=None, repr=False)

    @property
    def first_time(self) -> float | None:
        return self.times[0] + self.shift if self.times else None

    @property
    def last_time(self) -> float | None:
        return max(self._reached()[-1], self.times[-1]) + self.shift if self.times else None

    def _reached(self) -> array[float]:
        """Running maximum of ``times`` (``times`` itself when it never goes back)."""
        if self.monotonic:
            return self.times
        if self._reach is None:
            reach, top = array("d"), float("-inf")
            for t in self.times:
                top = t if t > top else top
                reach.append(top)
            self._reach = reach
        return self._reach

    def line_time(self, line: int) -> float | None:
        """When ``line`` was written: its own stamp, the last one before it, or the first."""
        if not self.times or line < 0:
            return None
        i = bisect_right(self.stamped, line) - 1
        return self.times[max(i, 0)] + self.shift

    def has_own_time(self, line: int) -> bool:
        i = bisect_left(self.stamped, line)
        return i < len(self.stamped) and self.stamped[i] == line

    def line_at(self, t: float) -> int | None:
        """The last stamped line written at or before ``t``; None before the log begins."""
        if not self.times:
            return None
        i = bisect_right(self._reached(), t - self.shift) - 1
        return self.stamped[i] if i >= 0 else None

    def lines_between(self, start: float, end: float) -> tuple[int, int] | None:
        """First and last line (inclusive) written within ``[start, end]``; None if none."""
        reach = self._reached()
        lo = bisect_left(reach, start - self.shift)
        hi = bisect_right(reach, end - self.shift) - 1
        if lo > hi:
            return None
        last = self.stamped[hi + 1] - 1 if hi + 1 < len(self.stamped) else self.line_count - 1
        return self.stamped[lo], last

    def next_error(self, after: int, *, warnings: bool = False) -> int | None:
        """The first error (or warning) line after ``after``; None when there is none."""
        lines = self.warnings if warnings else self.errors
        i = bisect_right(lines, after)
        return lines[i] if i < len(lines) else None

    def previous_error(self, before: int, *, warnings: bool = False) -> int | None:
        lines = self.warnings if warnings else self.errors
        i = bisect_left(lines, before) - 1
        return lines[i] if i >= 0 else None

    def level_of(self, line: int) -> Literal["error", "warning"] | None:
        for level, lines in (("error", self.errors), ("warning", self.warnings)):
            i = bisect_left(lines, line)
            if i < len(lines) and lines[i] == line:
                return level  # type: ignore[return-value]
        return None


def index_log(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    reference: datetime | float | None = None,
    naive_offset: float = 0.0,
    cancel: CancelToken | None = None,
    progress: Callable[[int, int], None] | None = None,
    chunk_size: int = CHUNK,
) -> LogIndex:
    """Read a log once and index its timestamps and error/warning lines.

    ``reference`` (the run's start) dates logs that write only a time of day and gives
    syslog lines their year; ``naive_offset`` is the zone (seconds east of UTC) assumed for
    times written without one. ``progress(done_bytes, total_bytes)`` is called per chunk;
    ``cancel`` is checked between chunks (raising :class:`Cancelled`).
    """
    if isinstance(source, bytes):
        return _index_stream(io.BytesIO(source), len(source), reference, naive_offset, cancel,
                             progress, chunk_size)  # fmt: skip
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        with path.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            return _index_stream(fh, size, reference, naive_offset, cancel, progress, chunk_size)
    return _index_stream(source, 0, reference, naive_offset, cancel, progress, chunk_size)


def _index_stream(
    fh: BinaryIO,
    size: int,
    reference: datetime | float | None,
    naive_offset: float,
    cancel: CancelToken | None,
    progress: Callable[[int, int], None] | None,
    chunk_size: int,
) -> LogIndex:
    index = LogIndex()
    clock = LineClock(_epoch(reference), naive_offset)
    stamped, times = index.stamped, index.times
    errors, warnings = index.errors, index.warnings
    base_line = 0  # line number of the chunk's first line
    done = 0
    carry = b""
    last_time = float("-inf")
    first = True
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        piece = fh.read(chunk_size)
        at_end = not piece
        buf = carry + piece
        if not at_end:
            cut = buf.rfind(b"\n") + 1
            if cut == 0:  # one very long line: keep reading until it ends
                carry = buf
                continue
            buf, carry = buf[:cut], buf[cut:]
        else:
            carry = b""
        if buf:
            lines, stamps, zones = _chunk_stamps(buf, clock, naive_offset)
            if len(lines):
                if first:
                    index.first_zoned, first = bool(zones[0]), False
                if stamps[0] < last_time or bool(np.any(np.diff(stamps) < 0)):
                    index.monotonic = False
                last_time = max(last_time, float(stamps.max()))
                stamped.frombytes((lines + base_line).astype(np.int64).tobytes())
                times.frombytes(stamps.astype(np.float64).tobytes())
            _index_levels(buf, base_line, errors, warnings)
            newlines = buf.count(b"\n")
            base_line += newlines
            if not buf.endswith(b"\n"):
                base_line += 1  # a last line without its newline
            done += len(buf)
            index.size = done
            if progress is not None:
                progress(done, max(size, done))
        if at_end:
            break
    index.line_count = base_line
    return index


FAST_BATCH = 32_768  # lines per vectorised batch (bounds the temporary arrays)


def _chunk_stamps(
    buf: bytes, clock: LineClock, naive_offset: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line numbers within ``buf``, times, had a zone) of its stamped lines, in order.

    Lines that begin with an ISO time are read vectorised (:mod:`fast_stamps`); the rest
    go through the regex one by one, so a log in any other format costs what it did.
    """
    arr = padded(buf)
    starts = line_starts(arr[: len(buf)])
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1:] = len(buf)
    found_lines: list[np.ndarray] = []
    found_times: list[np.ndarray] = []
    found_zones: list[np.ndarray] = []
    slow_lines: list[int] = []
    slow_times: list[float] = []
    slow_zones: list[bool] = []
    time_of, match = clock.time_of, LINE_STAMP.match
    for lo in range(0, len(starts), FAST_BATCH):
        batch = starts[lo : lo + FAST_BATCH]
        ok, stamps, zoned, rest = iso_line_stamps(
            arr, batch, ends[lo : lo + FAST_BATCH], naive_offset
        )
        taken = np.flatnonzero(ok)
        found_lines.append(taken + lo)
        found_times.append(stamps[taken])
        found_zones.append(zoned[taken])
        for i in rest.tolist():
            m = match(buf, int(batch[i]))
            if m is None:
                continue
            value = time_of(m)
            if value is not None:
                slow_lines.append(lo + i)
                slow_times.append(value[0])
                slow_zones.append(value[1])
    found_lines.append(np.array(slow_lines, dtype=np.int64))
    found_times.append(np.array(slow_times, dtype=np.float64))
    found_zones.append(np.array(slow_zones, dtype=bool))
    lines = np.concatenate(found_lines)
    order = np.argsort(lines, kind="stable")
    return lines[order], np.concatenate(found_times)[order], np.concatenate(found_zones)[order]


def _word_hits(buf: bytes, forms: tuple[bytes, ...]) -> Iterator[int]:
    """Offsets where one of ``forms`` (a word, then longer words it begins) stands alone."""
    find, word = buf.find, forms[0]
    size = len(buf)
    at = find(word)
    while at >= 0:
        if at == 0 or buf[at - 1] not in _WORD:
            for form in forms:
                end = at + len(form)
                if buf.startswith(form, at) and (end >= size or buf[end] not in _WORD):
                    yield at
                    break
        at = find(word, at + len(word))


def _exception_hits(buf: bytes, end: bytes) -> Iterator[int]:
    """Offsets of ``SomethingError:`` words (a capitalised name ending in ``end``)."""
    find = buf.find
    at = find(end)
    while at >= 0:
        start = at
        while start > 0 and buf[start - 1] in _WORD:
            start -= 1
        if 65 <= buf[start] <= 90:  # A-Z
            yield start
        at = find(end, at + len(end))


def _level_hits(buf: bytes) -> tuple[list[int], list[int]]:
    errors: list[int] = []
    warnings: list[int] = []
    for forms in ERROR_WORDS:
        errors.extend(_word_hits(buf, forms))
    for end in _EXCEPTION_ENDS:
        errors.extend(_exception_hits(buf, end))
    for forms in WARNING_WORDS:
        warnings.extend(_word_hits(buf, forms))
    at = buf.find(b"level")
    while at >= 0:
        m = _LEVEL_FIELD.match(buf, at)
        if m is not None:
            (errors if m.group(1) else warnings).append(at)
        at = buf.find(b"level", at + 5)
    return errors, warnings


def _lines_of(buf: bytes, base_line: int, offsets: list[int]) -> list[int]:
    """Sorted, distinct line numbers of sorted ``offsets``."""
    lines: list[int] = []
    line, pos = base_line, 0
    for at in offsets:
        line += buf.count(b"\n", pos, at)
        pos = at
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


def _index_levels(buf: bytes, base_line: int, errors: array[int], warnings: array[int]) -> None:
    """Append the error and warning lines of ``buf`` (whole lines; the first is ``base_line``).
    A line that says both is an error line only."""
    error_hits, warning_hits = _level_hits(buf)
    found_errors = _lines_of(buf, base_line, sorted(error_hits))
    found_warnings = _lines_of(buf, base_line, sorted(warning_hits))
    errors.extend(found_errors)
    if found_errors and found_warnings:
        error_lines = set(found_errors)
        found_warnings = [w for w in found_warnings if w not in error_lines]
    warnings.extend(found_warnings)


def align_log(
    index: LogIndex, start: datetime | float | None, end: datetime | float | None = None
) -> LogIndex:
    """Set ``index.shift`` by the clock-skew rule in the module docstring; returns ``index``."""
    first = index.times[0] if index.times else None
    begin, finish = _epoch(start), _epoch(end)
    index.shift, index.shift_reason = 0.0, "none"
    if first is None or begin is None:
        return index
    hi = (finish if finish is not None else float("inf")) + SKEW_TOLERANCE

    def inside(t: float) -> bool:
        return begin - SKEW_TOLERANCE <= t <= hi

    if inside(first):
        return index
    gap = begin - first
    if not index.first_zoned:
        quarters = round(gap / QUARTER_HOUR) * QUARTER_HOUR
        if quarters and abs(quarters) <= MAX_ZONE and inside(first + quarters):
            index.shift, index.shift_reason = quarters, "zone"
            return index
    index.shift, index.shift_reason = gap, "clock"
    return index


# -- screenshots ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Screenshot:
    """A screenshot on the timeline: when it was taken (epoch seconds, API clock), and how
    that was decided."""

    artifact_id: str
    name: str
    time: float
    source: ShotSource
    created_at: float | None = None


def _plausible(found: FoundTime, created: float) -> float | None:
    """``found`` moved onto the API clock if it fits before ``created`` (see the rule)."""

    def fits(t: float) -> bool:
        return created - UPLOAD_LAG <= t <= created + SKEW_TOLERANCE

    if fits(found.epoch):
        return found.epoch
    if found.zoned:
        return None
    # A local time written without its zone: the quarter-hour shift that lands it in range.
    quarters = round((created - found.epoch) / QUARTER_HOUR) * QUARTER_HOUR
    for shift in (quarters, quarters - QUARTER_HOUR):
        if abs(shift) <= MAX_ZONE and fits(found.epoch + shift):
            return found.epoch + shift
    return None


def screenshot_time(
    name: str,
    created_at: datetime | float | None,
    *,
    exif: FoundTime | None = None,
) -> tuple[float, ShotSource] | None:
    """When a screenshot was taken, and from what: the most precise plausible of its EXIF
    time and a time in its name (EXIF wins a tie), else ``created_at``; None if nothing."""
    created = _epoch(created_at)
    candidates: list[tuple[FoundTime, ShotSource]] = []
    if exif is not None:
        candidates.append((exif, "exif"))
    named = time_in_name(name)
    if named is not None:
        candidates.append((named, "filename"))
    # Most precise first; stable, so EXIF stays ahead of the name on a tie.
    candidates.sort(key=lambda c: -c[0].digits)
    for found, source in candidates:
        if created is None:
            return found.epoch, source
        fitted = _plausible(found, created)
        if fitted is not None:
            return fitted, source
    return (created, "createdAt") if created is not None else None


def screenshot_from_file(
    artifact_id: str, name: str, created_at: datetime | float | None, path: Path | None
) -> Screenshot | None:
    """A :class:`Screenshot` for a (cached) file: EXIF read from ``path`` when there is one."""
    exif = exif_time(path) if path is not None else None
    found = screenshot_time(name, created_at, exif=exif)
    if found is None:
        return None
    return Screenshot(artifact_id, name, found[0], found[1], _epoch(created_at))


# -- the timeline ---------------------------------------------------------------------------

EventKind = Literal[
    "run_start", "run_end", "failing_step", "current_step", "screenshot", "error", "warning"
]


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """A mark on the time axis. ``line`` for log lines, ``artifact_id`` for screenshots."""

    time: float
    kind: EventKind
    label: str
    line: int | None = None
    artifact_id: str | None = None


class Timeline:
    """One run's time axis: screenshots sorted by time, one log, and the run's own marks.

    ``screenshots`` may be thousands: they are kept sorted with their times in an array,
    and every lookup bisects. ``log`` is aligned to the run (:func:`align_log`) unless
    ``log_shift`` gives the shift to use.
    """

    def __init__(
        self,
        run: WorkflowRun,
        screenshots: Iterable[Screenshot] = (),
        log: LogIndex | None = None,
        *,
        log_artifact_id: str | None = None,
        log_shift: float | None = None,
        step_line: int | None = None,
    ) -> None:
        self.run = run
        self.start = _epoch(run.created_at)
        self.end = _epoch(run.completed_at)
        self.screenshots: list[Screenshot] = sorted(screenshots, key=lambda s: (s.time, s.name))
        self._shot_times = array("d", (s.time for s in self.screenshots))
        self.log = log
        self.log_artifact_id = log_artifact_id
        if log is not None:
            if log_shift is not None:
                log.shift, log.shift_reason = log_shift, "given"
            else:
                align_log(log, self.start, self.end)
        # Where the current (or failing) step began in the log, when the caller found it
        # (see find_step_line); else the step is drawn at the first error, or the end.
        self.step_line = step_line

    # -- screenshots -----------------------------------------------------------------------
    def screenshot_index_before(self, t: float) -> int:
        """Index of the last screenshot taken at or before ``t``; -1 if none was."""
        return bisect_right(self._shot_times, t) - 1

    def nearest_screenshot_before(self, t: float) -> Screenshot | None:
        """The screenshot on screen at ``t``: the last one taken at or before it."""
        i = self.screenshot_index_before(t)
        return self.screenshots[i] if i >= 0 else None

    def screenshot_index(self, artifact_id: str) -> int:
        for i, shot in enumerate(self.screenshots):
            if shot.artifact_id == artifact_id:
                return i
        return -1

    def screenshots_between(self, start: float, end: float) -> Sequence[Screenshot]:
        lo = bisect_left(self._shot_times, start)
        hi = bisect_right(self._shot_times, end)
        return self.screenshots[lo:hi]

    # -- log -------------------------------------------------------------------------------
    def log_line_at(self, t: float) -> int | None:
        """The log line being written at ``t`` (the last stamped one at or before it)."""
        return self.log.line_at(t) if self.log is not None else None

    def line_time(self, line: int) -> float | None:
        return self.log.line_time(line) if self.log is not None else None

    def screenshot_for_line(self, line: int) -> Screenshot | None:
        """Clicking a log line: the screenshot taken nearest before it was written."""
        t = self.line_time(line)
        return self.nearest_screenshot_before(t) if t is not None else None

    def line_for_screenshot(self, shot: Screenshot) -> int | None:
        """Clicking a screenshot: the log line at the moment it was taken."""
        return self.log_line_at(shot.time)

    # -- the axis --------------------------------------------------------------------------
    @property
    def bounds(self) -> tuple[float, float] | None:
        """Earliest and latest time anything on the axis has."""
        points = [p for p in (self.start, self.end) if p is not None]
        if self._shot_times:
            points += [self._shot_times[0], self._shot_times[-1]]
        if self.log is not None and self.log.first_time is not None:
            points.append(self.log.first_time)
            last = self.log.last_time
            if last is not None:
                points.append(last)
        return (min(points), max(points)) if points else None

    def step_mark(self) -> TimelineEvent | None:
        """The failing step of a failed run, or the current step of a running one."""
        state = self.run.current_state_name
        if not state:
            return None
        failed = self.run.status == "FAILED"
        kind: EventKind = "failing_step" if failed else "current_step"
        t: float | None = None
        line = self.step_line
        if line is not None:
            t = self.line_time(line)
        elif failed and self.log is not None and self.log.errors:
            line = self.log.errors[0]
            t = self.line_time(line)
        if t is None:
            t = self.end if failed else None
        if t is None:
            return None
        label = f"failed at {state}" if failed else state
        return TimelineEvent(t, kind, label, line=line)

    def events(self) -> Iterator[TimelineEvent]:
        """Every mark in time order: start, end, step, screenshots, error and warning lines."""
        marks: list[TimelineEvent] = []
        if self.start is not None:
            marks.append(TimelineEvent(self.start, "run_start", "run started"))
        if self.end is not None:
            status = (self.run.status or "").lower().replace("_", " ")
            marks.append(TimelineEvent(self.end, "run_end", f"run ended: {status}"))
        step = self.step_mark()
        if step is not None:
            marks.append(step)
        marks.sort(key=lambda e: e.time)
        shots = (
            TimelineEvent(s.time, "screenshot", s.name, artifact_id=s.artifact_id)
            for s in self.screenshots
        )
        streams: list[Iterator[TimelineEvent]] = [iter(marks), shots]
        log = self.log
        if log is not None and log.times:
            streams += [
                _line_events(log, log.errors, "error"),
                _line_events(log, log.warnings, "warning"),
            ]
        yield from heapq.merge(*streams, key=lambda e: e.time)


def _line_events(
    log: LogIndex, lines: array[int], kind: Literal["error", "warning"]
) -> Iterator[TimelineEvent]:
    # Sorted by time only if the log's clock never runs back; merge needs sorted input.
    items = ((log.line_time(n) or 0.0, n) for n in lines)
    ordered = items if log.monotonic else iter(sorted(items))
    for t, n in ordered:
        yield TimelineEvent(t, kind, f"line {n + 1}", line=n)


def find_step_line(source: bytes | str | os.PathLike[str], state: str) -> int | None:
    """The first line mentioning ``state`` (where that step began in the log); None if none."""
    needle = state.encode()
    if not needle:
        return None
    if isinstance(source, bytes):
        at = source.find(needle)
        return source.count(b"\n", 0, at) if at >= 0 else None
    lines = 0
    tail = b""
    with Path(source).open("rb") as fh:
        while piece := fh.read(CHUNK):
            buf = tail + piece
            at = buf.find(needle)
            if at >= 0:
                return lines + buf.count(b"\n", 0, at)
            keep = max(0, len(buf) - len(needle) + 1)
            lines += buf.count(b"\n", 0, keep)
            tail = buf[keep:]
    return None
