"""Library facade: offline mode, tamper detection, verify, pins, save-as, purge, sync."""

from __future__ import annotations

import os
import time

import pytest

from artifact_viewer.core.errors import (
    ArtifactViewerError,
    CacheError,
    NotAvailableOffline,
    NotFound,
    OfflineError,
)
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import Settings
from artifact_viewer.core.store_models import ArtifactQuery, CacheState

A = b"alpha " * 5000
B = b"bravo " * 5000
C = b"charlie " * 5000


@pytest.fixture
def synced(library, fake_cloud):
    fake_cloud.add("a1", A, name="Alpha.csv", run_id="run-1")
    fake_cloud.add("a2", B, name="Bravo.json", run_id="run-1")
    fake_cloud.add("a3", C, name="Charlie.pdf", run_id="run-2")
    report = library.sync(all=True)
    assert report.ok and report.downloaded == 3
    return library


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    os.chmod(path, 0o600)
    path.write_bytes(bytes(data))
    future = time.time() + 5  # a later mtime, as any edit would leave
    os.utime(path, (future, future))


def test_sync_fills_catalog_and_cache_then_skips_what_it_has(synced, fake_cloud):
    assert {w.id for w in synced.workflows()} == {"wf-1"}
    assert {r.id for r in synced.runs()} == {"run-1", "run-2"}
    assert synced.count_artifacts(ArtifactQuery(cached_only=True)) == 3
    again = synced.sync(all=True)
    assert again.downloaded == 0 and again.already_cached == 3
    assert len(fake_cloud.requests) == 3


def test_offline_lists_come_from_the_catalog_and_cached_files_open(synced, fake_cloud):
    fake_cloud.offline = True
    with pytest.raises(OfflineError):
        synced.refresh_artifacts(run_id="run-1")
    assert synced.online is False
    assert [
        a.display_name
        for a in synced.artifacts(ArtifactQuery(run_id="run-1", order_by="name", descending=False))
    ] == [
        "Alpha.csv",
        "Bravo.json",
    ]
    assert synced.fetch("a1").read_bytes() == A


def test_uncached_artifact_offline_raises_not_available_offline(library, fake_cloud):
    fake_cloud.add("a1", A, name="Payroll.csv")
    library.refresh_artifacts()
    fake_cloud.offline = True
    with pytest.raises(NotAvailableOffline, match="Payroll.csv is not available offline") as info:
        library.fetch("a1")
    assert library.online is False
    text = info.value.user_message()
    assert ".)" not in text and ".." not in text  # nested messages read as one sentence


def test_library_without_client_is_offline_and_reads_the_catalog(synced, store_settings):
    synced.close()
    offline = Library.open(app_paths(), store_settings, None)
    try:
        assert offline.online is False
        assert offline.count_artifacts(ArtifactQuery()) == 3
        assert offline.fetch("a2").read_bytes() == B
        with pytest.raises(OfflineError):
            offline.refresh_workflows()
        assert {r.id for r in offline.offline_runs()} == {"run-1", "run-2"}
    finally:
        offline.close()


def test_flipped_byte_is_found_by_verify_all_and_refetched_on_open(synced, fake_cloud):
    path = synced.cached_path("a1")
    flip_a_byte(path)
    report = synced.verify_all()
    assert report.mismatched == ["a1"] and not report.ok
    assert report.verified == 2
    assert synced.cache_state("a1") is CacheState.MISMATCH
    assert not path.exists()
    assert synced.fetch("a1").read_bytes() == A
    assert synced.verify("a1") is CacheState.VERIFIED


def test_opening_a_file_edited_since_verification_rehashes_it(synced):
    path = synced.cached_path("a2")
    flip_a_byte(path)
    assert synced.cached_path("a2") is None  # not handed out
    assert synced.cache_state("a2") is CacheState.MISMATCH


def test_missing_blob_file_reads_as_not_cached(synced):
    synced.cached_path("a3").unlink()
    assert synced.cached_path("a3") is None
    assert synced.cache_state("a3") is CacheState.NOT_CACHED


def test_pinned_run_survives_quota_eviction_and_unpin_releases_it(
    library, fake_cloud, store_settings
):
    fake_cloud.add("a1", A, run_id="run-1")
    fake_cloud.add("a2", B, run_id="run-2")
    fake_cloud.add("a3", C, run_id="run-3")
    library.refresh_artifacts()
    store_settings.cache_quota_bytes = len(A) + len(B) + 10
    library.pin_run("run-1")
    assert library.is_pinned("run-1") and library.cache_state("a1") is CacheState.VERIFIED
    library.fetch("a2")
    library.fetch("a3")  # over quota: the oldest unpinned (a2) goes, pinned a1 stays
    assert library.cache_state("a1") is CacheState.VERIFIED
    assert library.cache_state("a2") is CacheState.NOT_CACHED
    assert library.cache_state("a3") is CacheState.VERIFIED
    store_settings.cache_quota_bytes = len(C) + 10
    library.unpin_run("run-1")
    assert not library.is_pinned("run-1")
    assert library.cache_state("a1") is CacheState.NOT_CACHED


def test_pin_while_offline_is_remembered_and_reports_what_is_missing(library, fake_cloud):
    fake_cloud.add("a1", A, run_id="run-1")
    library.refresh_artifacts()
    fake_cloud.offline = True
    with pytest.raises(ArtifactViewerError, match="could not be fetched"):
        library.pin_run("run-1")
    assert library.is_pinned("run-1")
    fake_cloud.offline = False
    library.sync()  # no scope: completes pinned runs
    assert library.cache_state("a1") is CacheState.VERIFIED


def test_pinning_a_run_the_api_does_not_know_fails_and_pins_nothing(library, fake_cloud):
    fake_cloud.add("a1", A, run_id="run-1")
    with pytest.raises(NotFound):
        library.pin_run("no-such-run")
    assert library.pinned_runs() == []


def test_pinning_an_unknown_run_offline_fails_and_pins_nothing(library, fake_cloud):
    fake_cloud.add("a1", A, run_id="run-1")
    fake_cloud.offline = True
    with pytest.raises(NotAvailableOffline, match="not in the local catalog"):
        library.pin_run("run-1")
    assert library.pinned_runs() == []


def test_save_as_refuses_to_overwrite_unless_asked(synced, tmp_path):
    target = synced.save_as("a1", tmp_path)
    assert target == tmp_path / "Alpha.csv" and target.read_bytes() == A
    with pytest.raises(ArtifactViewerError, match="already exists"):
        synced.save_as("a2", target)
    assert target.read_bytes() == A
    synced.save_as("a2", target, overwrite=True)
    assert target.read_bytes() == B
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_save_as_into_a_missing_folder_fails_before_downloading(library, fake_cloud, tmp_path):
    fake_cloud.add("a1", A)
    library.refresh_artifacts()
    with pytest.raises(CacheError, match="does not exist"):
        library.save_as("a1", tmp_path / "missing" / "a1.bin")
    assert fake_cloud.requests == []


def test_save_as_fetches_again_when_the_cached_file_vanishes_before_the_copy(
    synced, tmp_path, monkeypatch
):
    real_fetch = synced._fetch
    fetched = []

    def fetch_then_lose_it(artifact_id, *args, **kwargs):
        result = real_fetch(artifact_id, *args, **kwargs)
        fetched.append(result.path)
        if len(fetched) == 1:
            result.path.unlink()  # what another process's eviction does
        return result

    monkeypatch.setattr(synced, "_fetch", fetch_then_lose_it)
    target = synced.save_as("a1", tmp_path / "out.csv")
    assert target.read_bytes() == A
    assert len(fetched) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_purge_keeps_pinned_unless_included(synced):
    synced.pin_run("run-2")
    assert synced.purge() == 2
    assert synced.cache_state("a3") is CacheState.VERIFIED
    assert synced.purge(include_pinned=True) == 1
    stats = synced.stats()
    assert stats.total_bytes == 0 and stats.blob_count == 0 and stats.catalog_artifacts == 3


def test_purge_leaves_a_file_a_download_is_using(synced):
    import hashlib

    with synced.blobs.lock(f"sha256-{hashlib.sha256(A).hexdigest()}"):
        assert synced.purge() == 2
        assert synced.cache_state("a1") is CacheState.VERIFIED
    assert synced.purge() == 1
    assert synced.cache_state("a1") is CacheState.NOT_CACHED


def test_stats_count_bytes_once_per_blob(library, fake_cloud):
    fake_cloud.add("a1", A, run_id="run-1")
    fake_cloud.add("a2", A, run_id="run-2")
    library.sync(all=True)
    library.pin_run("run-2")
    stats = library.stats()
    assert stats.artifact_count == 2 and stats.blob_count == 1
    assert stats.total_bytes == len(A) == stats.pinned_bytes
    assert stats.quota_bytes == Settings().cache_quota_bytes


def test_sync_of_an_unknown_workflow_is_not_found(library, fake_cloud):
    fake_cloud.add("a1", A, workflow_id="wf-1")
    with pytest.raises(NotFound, match="workflow wf-404 was not found"):
        library.sync(workflow_id="wf-404")
    assert fake_cloud.requests == []


def test_sync_since_skips_older_artifacts(library, fake_cloud):
    from datetime import UTC, datetime

    fake_cloud.add("old", A, created="2024-01-01T00:00:00Z")
    fake_cloud.add("new", B, created="2025-06-01T00:00:00Z")
    report = library.sync(all=True, since=datetime(2025, 1, 1, tzinfo=UTC))
    assert report.downloaded == 1
    assert library.cache_state("old") is CacheState.NOT_CACHED


def test_sync_reports_a_bad_artifact_and_keeps_going(library, fake_cloud):
    fake_cloud.add("a1", A)
    fake_cloud.add("a2", B)
    fake_cloud.wrong_bytes.add("a1")
    report = library.sync(run_id="run-1")
    assert not report.ok and list(report.failed) == ["a1"]
    assert "do not match" in report.failed["a1"]
    assert report.downloaded == 1


def test_disk_full_during_fetch_is_a_cache_error_with_nothing_left(
    library, fake_cloud, monkeypatch
):
    import errno

    from artifact_viewer.core import blobstore
    from artifact_viewer.core.errors import CacheError

    fake_cloud.add("a1", A, name="Big.csv")
    library.refresh_artifacts()

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(blobstore, "_write_all", full)
    with pytest.raises(CacheError, match="disk is full"):
        library.fetch("a1")
    assert not list(library.blobs.partial_dir.glob("*.part"))
    assert library.cache_state("a1") is CacheState.NOT_CACHED
    monkeypatch.undo()
    assert library.fetch("a1").read_bytes() == A


def test_catalog_full_after_download_keeps_no_unaccounted_file(library, fake_cloud, monkeypatch):
    from artifact_viewer.core.errors import CacheError

    fake_cloud.add("a1", A, name="Big.csv", file_hash="md5-unknown-format")
    library.refresh_artifacts()

    def full(entry):
        raise CacheError("The disk is full: the local catalog could not be updated.")

    monkeypatch.setattr(library.catalog, "put_cache_entry", full)
    with pytest.raises(CacheError, match="disk is full"):
        library.fetch("a1")
    assert list(library.blobs.all_blobs()) == []  # nothing on disk that nobody accounts for
    assert not list(library.blobs.partial_dir.glob("*.part"))
    monkeypatch.undo()
    assert library.fetch("a1").read_bytes() == A


def test_unusable_app_folder_gives_a_cache_error(tmp_path, store_settings):
    from artifact_viewer.core.errors import CacheError
    from artifact_viewer.core.paths import AppPaths

    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    paths = AppPaths(blocker / "c", blocker / "k", blocker / "d", blocker / "l")
    with pytest.raises(CacheError, match="Cannot use the app folders"):
        Library.open(paths, store_settings, None)


def test_artifacts_synced_at_tracks_run_and_organisation_listings(library, fake_cloud):
    fake_cloud.add("a1", A, name="Alpha.csv", run_id="run-1")
    assert library.artifacts_synced_at(run_id="run-1") is None
    library.refresh_artifacts(run_id="run-1")
    one_run = library.artifacts_synced_at(run_id="run-1")
    assert one_run is not None
    assert library.artifacts_synced_at(run_id="run-2") is None
    library.refresh_artifacts()  # organisation-wide: covers every run
    assert library.artifacts_synced_at(run_id="run-2") is not None
    assert library.artifacts_synced_at(run_id="run-1") >= one_run
