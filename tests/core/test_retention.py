"""Retention: cached files not opened for a while go; pinned runs and catalog rows stay."""

from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from artifact_viewer.cli import cli
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.retention import (
    DAY,
    apply_retention,
    format_duration,
    parse_duration,
    purge_older_than,
    retention_days,
    set_retention_days,
)
from artifact_viewer.core.store_models import ArtifactQuery, CacheState


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("15m", 900),
        ("12h", 43200),
        ("30d", 30 * DAY),
        ("2w", 14 * DAY),
        ("1.5h", 5400),
    ],
)
def test_durations_read_every_unit(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "30", "d", "30 days", "-1d", "3y"])
def test_unreadable_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_durations_print_in_their_largest_whole_unit() -> None:
    assert [format_duration(s) for s in (90, 3600, 30 * DAY, 14 * DAY)] == [
        "90s",
        "1h",
        "30d",
        "2w",
    ]


def _cache_three(library, fake_cloud, now: float) -> None:
    """old-a (40 days), old-pinned (40 days, pinned run), fresh (1 day), all cached."""
    fake_cloud.add("old-a", b"a" * 100, run_id="run-1")
    fake_cloud.add("old-pinned", b"p" * 200, run_id="run-pinned")
    fake_cloud.add("fresh", b"f" * 300, run_id="run-1")
    library.refresh_artifacts()
    for artifact_id in ("old-a", "old-pinned", "fresh"):
        library.fetch(artifact_id)
    library.catalog.pin("run-pinned")
    library.catalog.touch("old-a", now - 40 * DAY)
    library.catalog.touch("old-pinned", now - 40 * DAY)
    library.catalog.touch("fresh", now - 1 * DAY)


def test_purge_removes_files_not_opened_for_the_age_and_keeps_pinned_runs_and_catalog(
    library, fake_cloud
) -> None:
    now = time.time()
    _cache_three(library, fake_cloud, now)
    old_path = library.cached_path("old-a")
    library.catalog.touch("old-a", now - 40 * DAY)  # cached_path counted as an opening
    report = purge_older_than(library.catalog, library.blobs, 30 * DAY, now=now)
    assert [ids for f in report.removed for ids, _ in f.artifacts] == ["old-a"]
    assert report.removed_bytes == 100 and report.pinned_kept == 1
    assert not old_path.exists()
    assert library.cache_state("old-a") is CacheState.NOT_CACHED
    assert library.cache_state("old-pinned") is CacheState.VERIFIED
    assert library.cache_state("fresh") is CacheState.VERIFIED
    # The catalog still lists all three; the removed one downloads again when opened.
    assert {a.id for a in library.artifacts(ArtifactQuery())} == {"old-a", "old-pinned", "fresh"}
    assert library.fetch("old-a").read_bytes() == b"a" * 100


def test_dry_run_lists_the_same_files_and_removes_nothing(library, fake_cloud) -> None:
    now = time.time()
    _cache_three(library, fake_cloud, now)
    dry = purge_older_than(library.catalog, library.blobs, 1 * DAY - 60, dry_run=True, now=now)
    assert sorted(i for f in dry.removed for i, _ in f.artifacts) == ["fresh", "old-a"]
    assert all(library.cache_state(i) is CacheState.VERIFIED for i in ("old-a", "fresh"))
    real = purge_older_than(library.catalog, library.blobs, 1 * DAY - 60, now=now)
    assert [f.sha256 for f in real.removed] == [f.sha256 for f in dry.removed]


def test_the_retention_setting_is_off_until_set(library, fake_cloud) -> None:
    now = time.time()
    _cache_three(library, fake_cloud, now)
    extra: dict[str, object] = {}
    assert retention_days(extra) is None
    assert apply_retention(library.catalog, library.blobs, extra, now=now) is None
    set_retention_days(extra, 30)
    report = apply_retention(library.catalog, library.blobs, extra, now=now)
    assert report is not None and len(report.removed) == 1
    set_retention_days(extra, None)
    assert extra == {}


def test_cli_purge_older_than_prints_what_it_removes(library, fake_cloud) -> None:
    now = time.time()
    _cache_three(library, fake_cloud, now)
    library.close()
    try:
        dry = CliRunner().invoke(cli, ["cache", "purge", "--older-than", "30d", "--dry-run"])
        real = CliRunner().invoke(cli, ["cache", "purge", "--older-than", "30d"])
        bad = CliRunner().invoke(cli, ["cache", "purge", "--older-than", "30 days"])
    finally:
        teardown_logging()
    assert dry.exit_code == 0, dry.output
    assert "Would remove old-a  old-a.bin  100 B" in dry.stdout
    assert "Would remove 1 cached file(s) not opened for 30d" in dry.stdout
    assert "1 in pinned runs kept" in dry.stdout
    assert real.exit_code == 0, real.output
    assert "Removed old-a  old-a.bin" in real.stdout and "fresh" not in real.stdout
    assert bad.exit_code == 2 and "not a duration" in bad.output
