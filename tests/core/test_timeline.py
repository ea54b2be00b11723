"""The run timeline: log timestamps in every supported format, odd and missing ones, error
lines, clock skew, screenshot times, and the lookups that sync log and screenshots."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.core.models import WorkflowRun
from artifact_viewer.core.timeline import (
    LogIndex,
    Screenshot,
    Timeline,
    align_log,
    find_step_line,
    index_log,
    screenshot_from_file,
    screenshot_time,
)
from artifact_viewer.core.timestamps import exif_time, time_in_name
from artifact_viewer.demo.content import run_log

START = datetime(2026, 11, 28, 6, 58, 0, tzinfo=UTC)
T0 = START.timestamp()


def at(text: str) -> float:
    """Epoch seconds of an ISO time (UTC unless it says otherwise)."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def times_of(text: str, **kwargs) -> list[float | None]:
    """The time of every line of ``text`` as the index sees it."""
    index = index_log(text.encode(), **kwargs)
    return [index.line_time(n) for n in range(index.line_count)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-11-28T06:58:12Z INFO started", "2026-11-28T06:58:12+00:00"),
        ("2026-11-28T06:58:12.345Z INFO started", "2026-11-28T06:58:12.345+00:00"),
        ("2026-11-28T06:58:12.123456789Z x", "2026-11-28T06:58:12.123457+00:00"),
        ("2026-11-28T08:58:12+02:00 INFO started", "2026-11-28T06:58:12+00:00"),
        ("2026-11-28T01:58:12-0500 INFO started", "2026-11-28T06:58:12+00:00"),
        ("2026-11-28 06:58:12 INFO no zone is UTC", "2026-11-28T06:58:12+00:00"),
        ("2026-11-28 06:58:12,250 ERROR python logging", "2026-11-28T06:58:12.250+00:00"),
        ("2026-11-28 06:58:12.250 WARN java style", "2026-11-28T06:58:12.250+00:00"),
        ("2026/11/28 06:58:12 slashes", "2026-11-28T06:58:12+00:00"),
        ("[2026-11-28 06:58:12] bracketed", "2026-11-28T06:58:12+00:00"),
        ("INFO  2026-11-28T06:58:12Z level first", "2026-11-28T06:58:12+00:00"),
        ("Nov 28 06:58:12 worker anon[42]: syslog", "2026-11-28T06:58:12+00:00"),
        ("<13>Nov  8 06:58:12 worker anon: with priority", "2026-11-08T06:58:12+00:00"),
        ("[1795849092] epoch seconds", "2026-11-28T06:58:12+00:00"),
        ("[1795849092.5] epoch seconds with a fraction", "2026-11-28T06:58:12.5+00:00"),
        ("[1795849092250] epoch millis", "2026-11-28T06:58:12.25+00:00"),
        ("06:58:12 time of day takes the run's date", "2026-11-28T06:58:12+00:00"),
        ("[06:58:12.750] bracketed time of day", "2026-11-28T06:58:12.75+00:00"),
    ],
)
def test_each_timestamp_format(line: str, expected: str) -> None:
    assert times_of(line + "\n", reference=START) == [pytest.approx(at(expected), abs=1e-6)]


@pytest.mark.parametrize(
    "line",
    [
        "step 3 took 06:58:12 to finish",  # a time inside the message, not at its start
        "2026-13-45T06:58:12Z not a date",
        "2026-11-28T25:61:00Z not a time",
        "[12345] too short for an epoch",
        "no digits at all",
        "",
        "\x00\xff binary junk 2026-11-28",
    ],
)
def test_lines_without_a_real_timestamp_have_none(line: str) -> None:
    assert times_of(line + "\n", reference=START) == [None]


def test_time_of_day_without_a_run_date_is_not_guessed() -> None:
    assert times_of("06:58:12 hello\n") == [None]


def test_lines_without_a_stamp_inherit_the_last_one_and_leading_ones_the_first() -> None:
    text = (
        "preamble without a time\n"
        "2026-11-28T06:58:10Z INFO one\n"
        "  continuation\n"
        "\n"
        "2026-11-28T06:58:20Z ERROR two\n"
        "Traceback (most recent call last):\n"
        "ValueError: bad\n"
    )
    index = index_log(text.encode())
    assert [index.line_time(n) for n in range(index.line_count)] == [
        at("2026-11-28T06:58:10"),
        at("2026-11-28T06:58:10"),
        at("2026-11-28T06:58:10"),
        at("2026-11-28T06:58:10"),
        at("2026-11-28T06:58:20"),
        at("2026-11-28T06:58:20"),
        at("2026-11-28T06:58:20"),
    ]
    assert [index.has_own_time(n) for n in range(7)] == [
        False,
        True,
        False,
        False,
        True,
        False,
        False,
    ]
    assert index.line_count == 7


def test_time_of_day_logs_roll_over_midnight() -> None:
    text = "23:59:58 a\n23:59:59 b\n00:00:01 c\n"
    run_day = datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert times_of(text, reference=run_day) == [
        at("2026-11-28T23:59:58"),
        at("2026-11-28T23:59:59"),
        at("2026-11-29T00:00:01"),
    ]


def test_syslog_in_december_for_a_january_run_is_last_year() -> None:
    january = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)
    assert times_of("Dec 31 23:59:59 host app: bye\n", reference=january) == [
        at("2026-12-31T23:59:59")
    ]


def test_naive_offset_reads_zoneless_times_as_local() -> None:
    # 08:58 in a UTC+2 zone is 06:58 UTC; times with a zone are left alone.
    text = "2026-11-28 08:58:12 local\n2026-11-28T06:58:13Z utc\n"
    assert times_of(text, naive_offset=7200) == [
        at("2026-11-28T06:58:12"),
        at("2026-11-28T06:58:13"),
    ]


def test_errors_and_warnings_are_found_by_line() -> None:
    text = (
        "2026-11-28T06:58:00Z INFO fine\n"
        "2026-11-28T06:58:01Z WARN slow\n"
        "2026-11-28T06:58:02Z WARNING slower\n"
        "2026-11-28T06:58:03Z ERROR broke\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1\n'
        "playwright.TimeoutError: waited\n"
        '{"level": "error", "msg": "json log"}\n'
        "level=warn msg=logfmt\n"
        "an ERRORS word and a WARNINGS word and an error in prose are not levels\n"
        "2026-11-28T06:58:04Z ERROR and WARN on one line\n"
        "FATAL end\n"
    )
    index = index_log(text.encode())
    assert list(index.errors) == [3, 4, 6, 7, 10, 11]
    assert list(index.warnings) == [1, 2, 8]
    assert index.level_of(3) == "error" and index.level_of(1) == "warning"
    assert index.level_of(0) is None
    assert index.next_error(3) == 4 and index.next_error(11) is None
    assert index.previous_error(6) == 4 and index.previous_error(3) is None
    assert index.next_error(0, warnings=True) == 1


def test_small_chunks_index_exactly_like_one_big_read() -> None:
    data = run_log(3, START, ["a_state", "b_state", "c_state"], "FAILED") * 8
    whole = index_log(data)
    for size in (1, 7, 100, 4096):
        piece = index_log(data, chunk_size=size)
        assert piece.line_count == whole.line_count
        assert piece.stamped == whole.stamped and piece.times == whole.times
        assert piece.errors == whole.errors and piece.warnings == whole.warnings


def test_a_last_line_without_a_newline_and_a_file_path(tmp_path) -> None:
    path = tmp_path / "run.log"
    path.write_bytes(b"2026-11-28T06:58:00Z a\n2026-11-28T06:58:05Z ERROR b")
    progress: list[tuple[int, int]] = []
    index = index_log(path, progress=lambda done, total: progress.append((done, total)))
    assert index.line_count == 2 and list(index.errors) == [1]
    assert progress[-1] == (path.stat().st_size, path.stat().st_size)


def test_indexing_can_be_cancelled() -> None:
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        index_log(b"2026-11-28T06:58:00Z a\n", cancel=cancel)


def test_empty_log() -> None:
    index = index_log(b"")
    assert index.line_count == 0 and index.line_at(T0) is None and index.line_time(0) is None


# -- lookups ---------------------------------------------------------------------------------


def test_line_at_is_the_last_line_written_at_or_before_t() -> None:
    text = "".join(f"2026-11-28T06:58:{s:02d}Z line\n  detail\n" for s in range(0, 60, 10))
    index = index_log(text.encode())
    assert index.line_at(T0 - 1) is None
    assert index.line_at(T0) == 0
    assert index.line_at(T0 + 9.99) == 0
    assert index.line_at(T0 + 10) == 2
    assert index.line_at(T0 + 3600) == 10
    assert index.lines_between(T0 + 10, T0 + 25) == (2, 5)
    assert index.lines_between(T0 + 11, T0 + 12) is None


def test_a_clock_that_runs_back_is_looked_up_by_its_running_maximum() -> None:
    text = (
        "2026-11-28T06:58:10Z a\n"
        "2026-11-28T06:58:30Z b\n"
        "2026-11-28T06:58:20Z c (another thread, late)\n"
        "2026-11-28T06:58:40Z d\n"
    )
    index = index_log(text.encode())
    assert not index.monotonic
    assert index.line_at(T0 + 25) == 0  # line 2 says 06:58:20, but the log had passed 06:58:30
    assert index.line_at(T0 + 35) == 2
    assert index.line_time(2) == T0 + 20  # its own time is still its own


# -- clock skew ------------------------------------------------------------------------------


def run(status: str = "FAILED", state: str | None = "b_state", minutes: int = 5) -> WorkflowRun:
    return WorkflowRun.from_json(
        {
            "id": "r1",
            "status": status,
            "currentStateName": state,
            "createdAt": "2026-11-28T06:58:00Z",
            "completedAt": (START + timedelta(minutes=minutes)).isoformat() if minutes else None,
        }
    )


def test_a_log_within_the_run_is_not_shifted() -> None:
    index = align_log(index_log(b"2026-11-28T06:58:02Z a\n"), T0, T0 + 300)
    assert (index.shift, index.shift_reason) == (0.0, "none")
    assert index.first_time == T0 + 2


def test_a_zoneless_local_time_log_is_moved_by_whole_quarter_hours() -> None:
    # Written at UTC+05:45 without a zone: 12:43:02 local is 06:58:02 UTC.
    index = align_log(index_log(b"2026-11-28 12:43:02 a\n"), T0, T0 + 300)
    assert index.shift_reason == "zone"
    assert index.shift == -(5 * 3600 + 45 * 60)
    assert index.first_time == T0 + 2


def test_a_skewed_worker_clock_puts_the_first_line_at_the_run_start() -> None:
    # A zone is given, so starting 197 s before the run means the worker's clock was slow.
    index = align_log(index_log(b"2026-11-28T06:54:43Z a\n2026-11-28T06:55:00Z b\n"), T0, T0 + 60)
    assert index.shift_reason == "clock"
    assert index.first_time == T0
    assert index.line_time(1) == T0 + 17


def test_skew_within_the_tolerance_is_left_alone() -> None:
    index = align_log(index_log(b"2026-11-28T06:57:57Z a\n"), T0, T0 + 60)
    assert index.shift_reason == "none"


def test_timeline_uses_a_given_shift_as_is() -> None:
    timeline = Timeline(run(), [], index_log(b"2026-11-28T06:00:00Z a\n"), log_shift=30.0)
    assert timeline.log is not None and timeline.log.shift_reason == "given"
    assert timeline.line_time(0) == at("2026-11-28T06:00:30")


# -- screenshots -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected", "digits"),
    [
        ("shot_20261128T065812.png", "2026-11-28T06:58:12", 0),
        ("shot_20261128T065812123Z.png", "2026-11-28T06:58:12.123", 3),
        ("Screenshot 2026-11-28 at 06.58.12.png", "2026-11-28T06:58:12", 0),
        ("2026-11-28_06-58-12-250.png", "2026-11-28T06:58:12.250", 3),
        ("capture-1795849092250.png", "2026-11-28T06:58:12.250", 3),
        ("capture-1795849092.png", "2026-11-28T06:58:12", 0),
    ],
)
def test_times_in_file_names(name: str, expected: str, digits: int) -> None:
    found = time_in_name(name)
    assert found is not None
    assert found.epoch == pytest.approx(at(expected))
    assert found.digits == digits


@pytest.mark.parametrize("name", ["login.png", "entering_credentials.png", "v2_step_12.png",
                                  "20261399T999999.png"])  # fmt: skip
def test_names_without_a_time(name: str) -> None:
    assert time_in_name(name) is None


def test_screenshot_time_prefers_a_plausible_name_over_created_at() -> None:
    created = at("2026-11-28T06:58:40")  # uploaded 28 s after it was taken
    assert screenshot_time("shot_20261128T065812.png", created) == (
        at("2026-11-28T06:58:12"),
        "filename",
    )
    assert screenshot_time("login.png", created) == (created, "createdAt")


def test_a_name_time_after_the_upload_or_long_before_it_is_ignored() -> None:
    created = at("2026-11-28T06:58:40")
    assert screenshot_time("shot_20261128T070000Z.png", created) == (created, "createdAt")
    assert screenshot_time("shot_20261127T065812Z.png", created) == (created, "createdAt")


def test_a_zoneless_name_in_local_time_is_moved_onto_the_api_clock() -> None:
    created = at("2026-11-28T06:58:40")
    # Taken at 07:58:12 local (UTC+1), written without a zone.
    assert screenshot_time("shot_20261128T075812.png", created) == (
        at("2026-11-28T06:58:12"),
        "filename",
    )


def exif_png(path, when: str, subsec: str | None = None, offset: str | None = None) -> None:
    exif = Image.Exif()
    ifd = exif.get_ifd(0x8769)
    ifd[0x9003] = when
    if subsec:
        ifd[0x9291] = subsec
    if offset:
        ifd[0x9011] = offset
    Image.new("RGB", (4, 4), "white").save(path, exif=exif)


def test_exif_time_with_subseconds_and_offset(tmp_path) -> None:
    path = tmp_path / "a.jpg"
    exif_png(path, "2026:11:28 07:58:12", subsec="25", offset="+01:00")
    found = exif_time(path)
    assert found is not None
    assert found.epoch == pytest.approx(at("2026-11-28T06:58:12.25")) and found.digits == 2
    assert found.zoned


def test_exif_wins_when_more_precise_and_the_name_when_exif_is_coarser(tmp_path) -> None:
    created = at("2026-11-28T06:58:40")
    precise, coarse = tmp_path / "p.jpg", tmp_path / "c.jpg"
    exif_png(precise, "2026:11:28 06:58:12", subsec="500")
    exif_png(coarse, "2026:11:28 06:58:12")
    shot = screenshot_from_file("a", "shot_20261128T065812.png", created, precise)
    assert shot is not None and (shot.time, shot.source) == (at("2026-11-28T06:58:12.5"), "exif")
    shot = screenshot_from_file("a", "shot_20261128T065812100.png", created, coarse)
    assert shot is not None and (shot.time, shot.source) == (
        at("2026-11-28T06:58:12.1"),
        "filename",
    )


def test_files_without_exif_or_not_images_fall_back(tmp_path) -> None:
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    assert exif_time(junk) is None
    plain = tmp_path / "plain.png"
    Image.new("RGB", (2, 2)).save(plain)
    assert exif_time(plain) is None
    shot = screenshot_from_file("a", "plain.png", T0 + 5, plain)
    assert shot is not None and shot.source == "createdAt"
    assert screenshot_from_file("a", "plain.png", None, None) is None


# -- the whole timeline ----------------------------------------------------------------------


def shots(*seconds: float) -> list[Screenshot]:
    return [Screenshot(f"s{i}", f"{i}.png", T0 + s, "createdAt") for i, s in enumerate(seconds)]


def test_nearest_screenshot_before_and_its_edges() -> None:
    timeline = Timeline(run(), shots(30, 10, 20))  # given out of order
    assert [s.artifact_id for s in timeline.screenshots] == ["s1", "s2", "s0"]
    assert timeline.nearest_screenshot_before(T0 + 5) is None
    assert timeline.nearest_screenshot_before(T0 + 10).artifact_id == "s1"
    assert timeline.nearest_screenshot_before(T0 + 19.9).artifact_id == "s1"
    assert timeline.nearest_screenshot_before(T0 + 99).artifact_id == "s0"
    assert [s.artifact_id for s in timeline.screenshots_between(T0 + 10, T0 + 20)] == ["s1", "s2"]


def test_thousands_of_screenshots_answer_like_a_linear_scan() -> None:
    rng = random.Random(5)
    many = shots(*(rng.uniform(0, 3600) for _ in range(5000)))
    timeline = Timeline(run(minutes=60), many)
    for _ in range(300):
        t = T0 + rng.uniform(-10, 3700)
        earlier = [s for s in many if s.time <= t]
        expected = max(earlier, key=lambda s: (s.time, s.name)) if earlier else None
        assert timeline.nearest_screenshot_before(t) == expected


def test_log_and_screenshots_sync_both_ways() -> None:
    log = index_log(
        b"2026-11-28T06:58:05Z INFO entering state a_state\n"
        b"2026-11-28T06:58:15Z INFO entering state b_state\n"
        b"2026-11-28T06:58:25Z ERROR step b_state failed\n"
        b"Traceback (most recent call last):\n"
    )
    timeline = Timeline(run(), shots(10, 20), log)
    # Clicking a log line: the screenshot taken nearest before it.
    assert timeline.screenshot_for_line(0) is None
    assert timeline.screenshot_for_line(1).artifact_id == "s0"
    assert timeline.screenshot_for_line(3).artifact_id == "s1"  # inherits 06:58:25
    # Clicking a screenshot: the log line at that moment.
    assert timeline.line_for_screenshot(timeline.screenshots[0]) == 0
    assert timeline.line_for_screenshot(timeline.screenshots[1]) == 1


def test_events_put_start_end_failing_step_shots_and_errors_in_time_order() -> None:
    data = (
        b"2026-11-28T06:58:05Z INFO entering state a_state\n"
        b"2026-11-28T06:58:15Z INFO entering state b_state\n"
        b"2026-11-28T06:58:16Z WARN slow\n"
        b"2026-11-28T06:58:25Z ERROR step b_state failed\n"
    )
    timeline = Timeline(
        run(), shots(10, 20), index_log(data), step_line=find_step_line(data, "b_state")
    )
    events = list(timeline.events())
    assert [e.kind for e in events] == [
        "run_start", "screenshot", "failing_step", "warning", "screenshot", "error", "run_end",
    ]  # fmt: skip
    assert [e.time for e in events] == sorted(e.time for e in events)
    step = events[2]
    assert step.label == "failed at b_state" and step.line == 1 and step.time == T0 + 15
    assert timeline.bounds == (T0, T0 + 300)


def test_failing_step_without_a_mention_in_the_log_falls_back_to_the_first_error() -> None:
    timeline = Timeline(
        run(), [], index_log(b"2026-11-28T06:58:01Z a\n2026-11-28T06:58:09Z ERROR x\n")
    )
    step = timeline.step_mark()
    assert step is not None and step.time == T0 + 9 and step.line == 1
    no_log = Timeline(run(), [])
    assert no_log.step_mark().time == T0 + 300  # the run's end
    running = Timeline(run("IN_PROGRESS", "a_state", minutes=0), [])
    assert running.step_mark() is None  # nothing says when it began
    assert running.log_line_at(T0) is None and running.line_time(0) is None


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
def test_find_step_line_in_a_file_across_chunk_edges(tmp_path, monkeypatch, chunk: int) -> None:
    from artifact_viewer.core import timeline

    monkeypatch.setattr(timeline, "CHUNK", chunk)
    path = tmp_path / "run.log"
    path.write_bytes(b"x\n" * 500 + b"2026-11-28T06:58:15Z entering state b_state\n")
    assert find_step_line(path, "b_state") == 500
    assert find_step_line(path, "c_state") is None
    assert find_step_line(b"a\nb_state\n", "b_state") == 1


def test_the_demo_run_log_round_trips() -> None:
    data = run_log(11, START, ["opening", "extracting"], "FAILED")
    index = index_log(io.BytesIO(data), reference=START)
    text = data.decode().splitlines()
    assert index.errors and text[index.errors[0]].split()[1] == "ERROR"
    assert index.first_time is not None and 0 < index.first_time - T0 < 5
    assert isinstance(index, LogIndex)


def test_the_vectorised_reading_agrees_with_the_line_by_line_one() -> None:
    from artifact_viewer.core.timeline import _chunk_stamps
    from artifact_viewer.core.timestamps import LineClock, find_line_stamps

    rng = random.Random(7)
    heads = [
        "2026-11-28T06:58:12", "2026-11-28 23:59:60", "2024-02-29T00:00:00", "2026-02-29T10:00:00",
        "2026-13-01T00:00:00", "1999-12-31 24:00:00", "2026-11-28T06:58",
    ]  # fmt: skip
    tails = [
        "", "Z", ".5", ",250", ".123456789", ".1234567890", "Z", "+02:00", "-0530", "+14",
        " +0200", "+02:0x", "+2", "-", ":", "5", ".Z", ".12Z", ",999-03:00",
    ]  # fmt: skip
    rests = [" INFO ok", "", "\tx", "x", "  ", "]"]
    lines = []
    for _ in range(3000):
        kind = rng.random()
        if kind < 0.7:
            lines.append(rng.choice(heads) + rng.choice(tails) + rng.choice(rests))
        elif kind < 0.8:
            lines.append("Nov 28 06:58:12 host app: syslog")
        elif kind < 0.9:
            lines.append(f"[{1795849092 + rng.randint(0, 999)}] epoch")
        else:
            lines.append(
                rng.choice(["  File x", "", "INFO 2026-11-28T06:58:12Z late", "06:58:12 tod"])
            )
    buf = ("\n".join(lines) + "\n").encode()
    reference = T0
    got_lines, got_times, got_zones = _chunk_stamps(buf, LineClock(reference, 3600.0), 3600.0)
    expected = [
        (buf.count(b"\n", 0, offset), t, zoned)
        for offset, t, zoned in find_line_stamps(buf, LineClock(reference, 3600.0))
    ]
    assert list(got_lines) == [e[0] for e in expected]
    assert list(got_times) == pytest.approx([e[1] for e in expected], abs=1e-6)
    assert list(got_zones) == [e[2] for e in expected]
