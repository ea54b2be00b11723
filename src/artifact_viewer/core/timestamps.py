"""Times found in log lines, file names and EXIF, as epoch seconds (UTC).

Log lines (:func:`find_line_stamps`), searched from the start of each line:

- ISO 8601 / RFC 3339 and its log variants: ``2026-11-28T06:58:12.123Z``,
  ``2026-11-28 06:58:12,123``, ``2026/11/28 06:58:12 +0200`` (zone optional);
- syslog: ``Nov 28 06:58:12`` (optionally after a ``<13>`` priority); the year is the
  reference's, or the one before when that would put the line half a year ahead of it;
- epoch seconds or milliseconds in brackets: ``[1795849092]``, ``[1795849092.5]``,
  ``[1795849092123]``;
- a time of day alone at the start of a line (``06:58:12``, ``[06:58:12.250]``), on the
  reference's date, moving to the next day when the clock runs back by more than 12 hours.

A stamp must be the first number on its line (after an optional level word or bracket),
so numbers inside messages are never taken for times. Times without a zone are read with
``naive_offset`` (seconds east of UTC; 0 reads them as UTC). The clock-skew rule that may
shift them afterwards lives in :mod:`artifact_viewer.core.timeline`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

MONTHS = {
    m.encode(): i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
DAY = 86_400.0
HALF_DAY = DAY / 2

LINE_STAMP = re.compile(
    rb"""^(?:
        (?:<\d{1,3}>)?[^\n\d]{0,32}?
        (?:
            (?P<dt>(?P<date>\d{4}[-/]\d\d[-/]\d\d)[T\x20](?P<hms>\d\d:\d\d:\d\d))
                (?:[.,](?P<frac>\d{1,9}))?(?:\x20?(?P<tz>Z|[+-]\d\d(?::?\d\d)?))?(?![\d:])
          | (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\x20{1,2}(?P<day>\d{1,2})
                \x20(?P<shms>\d\d:\d\d:\d\d)(?:\.(?P<sfrac>\d{1,6}))?(?!\d)
          | \[(?P<epoch>\d{10}(?:\.\d{1,6})?|\d{13})\]
        )
      | \[?(?P<tod>\d\d:\d\d:\d\d)(?:[.,](?P<tfrac>\d{1,6}))?(?![\d:])
    )""",
    re.MULTILINE | re.VERBOSE,
)


def _hms(text: bytes) -> int | None:
    h, m, s = int(text[0:2]), int(text[3:5]), int(text[6:8])
    if h > 23 or m > 59 or s > 60:
        return None
    return h * 3600 + m * 60 + s


def _fraction(text: bytes | None) -> float:
    return int(text) / 10 ** len(text) if text else 0.0


def _zone(text: bytes) -> float:
    if text == b"Z":
        return 0.0
    sign = -1.0 if text[:1] == b"-" else 1.0
    digits = text[1:].replace(b":", b"")
    minutes = int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) >= 4 else 0)
    return sign * minutes * 60


def utc_day(year: int, month: int, day: int) -> float | None:
    """Epoch seconds of midnight UTC on that day; None if there is no such day."""
    try:
        datetime(year, month, day)
    except ValueError:
        return None
    return float(calendar.timegm((year, month, day, 0, 0, 0)))


@dataclass
class LineClock:
    """Turns the stamps of one log into epoch seconds; remembers what it needs between lines
    (the day of a time-of-day-only log, the cache of dates already seen)."""

    reference: float | None = None  # usually the run's start
    naive_offset: float = 0.0
    _tod_day: float | None = None
    _last_tod: float | None = None
    _seconds: dict[bytes, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.reference is not None:
            stamp = datetime.fromtimestamp(self.reference, tz=UTC)
            self._tod_day = utc_day(stamp.year, stamp.month, stamp.day)

    def time_of(self, m: re.Match[bytes]) -> tuple[float, bool] | None:
        """(epoch seconds, had a zone) of a ``LINE_STAMP`` match; None if it is no real time."""
        dt = m.group("dt")
        if dt is not None:
            # Lines written in the same second share the conversion of date and time.
            seconds = self._seconds.get(dt, -1.0)
            if seconds == -1.0:
                if len(self._seconds) > 65_536:
                    self._seconds.clear()
                seconds = self._iso_seconds(m.group("date"), m.group("hms"))
                self._seconds[dt] = seconds
            if seconds is None:
                return None
            frac, tz = m.group("frac", "tz")
            value = seconds + (int(frac) / 10 ** len(frac) if frac else 0.0)
            if tz is None:
                return value - self.naive_offset, False
            return value - _zone(tz), True
        epoch = m.group("epoch")
        if epoch is not None:
            value = int(epoch) / 1000 if len(epoch) == 13 else float(epoch)
            return value, True
        mon = m.group("mon")
        if mon is not None:
            return self._syslog(mon, m)
        return self._time_of_day(m)

    @staticmethod
    def _iso_seconds(date: bytes, hms: bytes) -> float | None:
        day = utc_day(int(date[0:4]), int(date[5:7]), int(date[8:10]))
        seconds = _hms(hms)
        if day is None or seconds is None:
            return None
        return day + seconds

    def _syslog(self, mon: bytes, m: re.Match[bytes]) -> tuple[float, bool] | None:
        seconds = _hms(m.group("shms"))
        if seconds is None:
            return None
        ref = self.reference
        year = datetime.fromtimestamp(ref, tz=UTC).year if ref is not None else _this_year()
        day = utc_day(year, MONTHS[mon], int(m.group("day")))
        if day is None:
            return None
        value = day + seconds + _fraction(m.group("sfrac")) - self.naive_offset
        if ref is not None and value - ref > 180 * DAY:
            previous = utc_day(year - 1, MONTHS[mon], int(m.group("day")))
            if previous is not None:
                value = previous + seconds + _fraction(m.group("sfrac")) - self.naive_offset
        return value, False

    def _time_of_day(self, m: re.Match[bytes]) -> tuple[float, bool] | None:
        if self._tod_day is None:
            return None  # a time of day means nothing without the run's date
        seconds = _hms(m.group("tod"))
        if seconds is None:
            return None
        value = seconds + _fraction(m.group("tfrac"))
        if self._last_tod is not None and value < self._last_tod - HALF_DAY:
            self._tod_day += DAY  # past midnight
        self._last_tod = value
        return self._tod_day + value - self.naive_offset, False


def _this_year() -> int:
    return datetime.now(UTC).year


def find_line_stamps(buf: bytes, clock: LineClock) -> Iterator[tuple[int, float, bool]]:
    """(offset of the line in ``buf``, epoch seconds, had a zone) for each stamped line."""
    time_of = clock.time_of
    for m in LINE_STAMP.finditer(buf):
        found = time_of(m)
        if found is not None:
            yield m.start(), found[0], found[1]


# -- file names and EXIF ---------------------------------------------------------------------

_NAME_STAMP = re.compile(
    r"""(?<!\d)(?P<y>(?:19|20)\d\d)[-_.]?(?P<mo>\d\d)[-_.]?(?P<d>\d\d)
        [T_\-\x20]?(?:at[_\x20])?(?P<h>\d\d)[-_.:h]?(?P<mi>\d\d)[-_.:m]?(?P<s>\d\d)s?
        (?:[.,_-]?(?P<frac>\d{3,6}))?(?P<z>Z)?(?!\d)
      | (?<!\d)(?P<ms>1\d{12})(?!\d)
      | (?<!\d)(?P<sec>1\d{9})(?!\d)""",
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class FoundTime:
    """A time read from a name or EXIF: epoch seconds, whether it carried a zone, and its
    precision (decimal places of the seconds: 0 for whole seconds, 3 for milliseconds)."""

    epoch: float
    zoned: bool
    digits: int


def time_in_name(name: str) -> FoundTime | None:
    """A date and time written in a file name (``shot_20261128T065812123Z.png``,
    ``Screenshot 2026-11-28 at 06.58.12.png``, ``1795849092123.png``); None if none."""
    stem = Path(name).name
    for m in _NAME_STAMP.finditer(stem):
        if m.group("ms"):
            return FoundTime(int(m.group("ms")) / 1000, True, 3)
        if m.group("sec"):
            return FoundTime(float(m.group("sec")), True, 0)
        day = utc_day(int(m.group("y")), int(m.group("mo")), int(m.group("d")))
        seconds = _hms(f"{m.group('h')}:{m.group('mi')}:{m.group('s')}".encode())
        if day is None or seconds is None:
            continue
        frac = m.group("frac") or ""
        value = day + seconds + (int(frac) / 10 ** len(frac) if frac else 0.0)
        return FoundTime(value, m.group("z") is not None, len(frac))
    return None


EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
SUBSEC_ORIGINAL = 0x9291
OFFSET_ORIGINAL = 0x9011


def exif_time(path: Path) -> FoundTime | None:
    """EXIF ``DateTimeOriginal`` (+ ``SubSecTimeOriginal``, ``OffsetTimeOriginal``) of an
    image file; None when it has none or cannot be read. Reads the header only."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            ifd = image.getexif().get_ifd(EXIF_IFD)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError):
        return None
    raw = ifd.get(DATETIME_ORIGINAL)
    if not isinstance(raw, str):
        return None
    try:
        when = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    value = float(calendar.timegm(when.timetuple()))
    sub = str(ifd.get(SUBSEC_ORIGINAL) or "").strip("\x00 ")
    digits = 0
    if sub.isdigit():
        value += int(sub) / 10 ** len(sub)
        digits = len(sub)
    offset = str(ifd.get(OFFSET_ORIGINAL) or "").strip("\x00 ")
    if re.fullmatch(r"[+-]\d\d:\d\d", offset):
        return FoundTime(value - _zone(offset.encode()), True, digits)
    return FoundTime(value, False, digits)
