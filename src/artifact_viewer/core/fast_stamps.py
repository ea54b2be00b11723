"""Timestamps at the very start of log lines, read for a whole chunk at once with numpy.

Most logs begin every line with an ISO 8601 time (``2026-11-28T06:58:12.345Z``,
``2026-11-28 06:58:12,345``). For those lines this module gives exactly what the regex
in :mod:`artifact_viewer.core.timestamps` would, a few times faster; every other line
(another format, a stamp after a level word, an odd zone, an impossible date, a stack
trace) is left to the regex. Correctness rests on that split: a line is taken here only
when its form is unambiguous.
"""

from __future__ import annotations

import numpy as np

DIGIT_AT = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
MAX_FRACTION = 9
_TAIL = 21  # bytes looked at past the 19 of date and time: fraction, zone, one more
WIDTH = 19 + _TAIL


def padded(buf: bytes) -> np.ndarray:
    """``buf`` as bytes followed by WIDTH newlines, so every line has WIDTH bytes to read."""
    arr = np.empty(len(buf) + WIDTH, dtype=np.uint8)
    arr[: len(buf)] = np.frombuffer(buf, dtype=np.uint8)
    arr[len(buf) :] = 10
    return arr


def line_starts(arr: np.ndarray) -> np.ndarray:
    """Offsets where each line of ``arr`` begins (it holds whole lines, then any padding)."""
    ends = np.flatnonzero(arr == 10)
    starts = np.empty(len(ends) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = ends + 1
    return starts[starts < len(arr)]


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 (proleptic Gregorian), vectorised (H. Hinnant's algorithm)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: np.ndarray = np.asarray(era * 146097 + doe - 719468, dtype=np.int64)
    return days


def iso_line_stamps(
    arr: np.ndarray, starts: np.ndarray, ends: np.ndarray, naive_offset: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For lines starting with an ISO time: (taken, times, zoned) over the lines
    ``arr[starts[i]:ends[i]]`` (booleans and floats, one per line), plus the indices of
    lines left to the regex."""
    # Every line's first WIDTH bytes (``arr`` ends with WIDTH newlines: see ``padded``).
    width = WIDTH
    head = np.lib.stride_tricks.sliding_window_view(arr, width)[starts]
    # Bytes past the line's end belong to the next one: read them as the line's newline.
    past = np.arange(width)[None, :] >= (ends - starts)[:, None]
    head[past] = 10
    digits = head.astype(np.int32) - 48
    isdigit = (digits >= 0) & (digits <= 9)
    ok = np.all(isdigit[:, DIGIT_AT], axis=1)
    ok &= (head[:, 4] == 45) & (head[:, 7] == 45)  # 2026-11-28
    ok &= (head[:, 10] == 84) | (head[:, 10] == 32)  # T or space
    ok &= (head[:, 13] == 58) & (head[:, 16] == 58)  # 06:58:12

    def num(*cols: int) -> np.ndarray:
        value = np.zeros(len(starts), dtype=np.int64)
        for c in cols:
            value = value * 10 + np.where(isdigit[:, c], digits[:, c], 0)
        return value

    year, month, day = num(0, 1, 2, 3), num(5, 6), num(8, 9)
    hour, minute, second = num(11, 12), num(14, 15), num(17, 18)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = _DAYS[np.clip(month - 1, 0, 11)] + ((month == 2) & leap)
    ok &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    ok &= (hour <= 23) & (minute <= 59) & (second <= 60)
    # Fraction: [.,] then 1-9 digits.
    pos = np.full(len(starts), 19, dtype=np.int64)
    rows = np.arange(len(starts))
    has_frac = np.isin(head[:, 19], (46, 44)) & isdigit[:, 20]
    frac = np.zeros(len(starts), dtype=np.float64)
    count = np.zeros(len(starts), dtype=np.int64)
    value = np.zeros(len(starts), dtype=np.int64)
    running = has_frac.copy()
    for k in range(MAX_FRACTION):
        col = 20 + k
        running &= isdigit[:, col]
        value = np.where(running, value * 10 + digits[:, col], value)
        count += running
    too_long = has_frac & isdigit[:, 20 + MAX_FRACTION]
    ok &= ~too_long  # ten or more fraction digits: the regex would refuse; so do we
    frac = np.where(count > 0, value / (10.0**count), 0.0)
    pos = np.where(has_frac, 20 + count, pos)
    # Zone: Z, or +hh, +hhmm, +hh:mm directly after.
    at = head[rows, pos]
    zone = np.zeros(len(starts), dtype=np.float64)
    zoned = at == 90  # Z
    end = np.where(zoned, pos + 1, pos)
    signed = (at == 43) | (at == 45)
    d1, d2 = (
        isdigit[rows, np.minimum(pos + 1, width - 1)],
        isdigit[rows, np.minimum(pos + 2, width - 1)],
    )
    hh = signed & d1 & d2
    colon = head[rows, np.minimum(pos + 3, width - 1)] == 58
    m1 = isdigit[rows, np.minimum(pos + 3 + colon, width - 1)]
    m2 = isdigit[rows, np.minimum(pos + 4 + colon, width - 1)]
    with_minutes = hh & m1 & m2
    zh = (
        digits[rows, np.minimum(pos + 1, width - 1)].astype(np.int64) * 10
        + digits[rows, np.minimum(pos + 2, width - 1)]
    )
    zm = np.where(
        with_minutes,
        digits[rows, np.minimum(pos + 3 + colon, width - 1)].astype(np.int64) * 10
        + digits[rows, np.minimum(pos + 4 + colon, width - 1)],
        0,
    )
    sign = np.where(at == 45, -1.0, 1.0)
    zone = np.where(hh, sign * (zh * 3600 + zm * 60), zone)
    zoned |= hh
    end = np.where(hh, pos + np.where(with_minutes, 5 + colon, 3), end)
    # A sign not followed by two digits, a colon left over, or a zone after a space: odd
    # forms the regex resolves by backtracking; leave them to it.
    ok &= ~(signed & ~hh) & ~(hh & colon & ~with_minutes)
    after = head[rows, np.minimum(end, width - 1)]
    ok &= ~((after >= 48) & (after <= 57)) & (after != 58)
    spaced_zone = (after == 32) & np.isin(head[rows, np.minimum(end + 1, width - 1)], (43, 45))
    ok &= ~(spaced_zone & ~zoned)
    days = _days_from_civil(year, month, day)
    seconds = days * 86400 + hour * 3600 + minute * 60 + second
    times = seconds.astype(np.float64) + frac - np.where(zoned, zone, naive_offset)
    rest = np.flatnonzero(~ok)
    return ok, times, zoned, rest
