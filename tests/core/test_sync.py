"""Bulk downloads: bounded parallelism, one progress total, failures collected, cancel stops all."""

from __future__ import annotations

import threading

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.core.store_models import ArtifactQuery, CacheState


def add_many(fake_cloud, count: int, size: int = 64 * 1024):
    return [fake_cloud.add(f"a{i}", bytes([i]) * size, run_id="run-1") for i in range(count)]


def test_downloads_run_in_parallel_but_never_past_the_setting(library, fake_cloud):
    add_many(fake_cloud, 6)
    fake_cloud.gate = threading.Event()
    done = threading.Event()
    result = {}

    def run():
        result["report"] = library.sync(run_id="run-1")
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    for _ in range(500):  # wait until the pool is saturated, then let the bodies flow
        if fake_cloud.max_active_bodies >= 2:
            break
        threading.Event().wait(0.01)
    fake_cloud.gate.set()
    worker.join(20)
    assert done.is_set()
    assert fake_cloud.max_active_bodies == library.settings.max_parallel_downloads == 2
    assert result["report"].downloaded == 6


def test_progress_sums_all_downloads_to_the_scope_total(library, fake_cloud):
    arts = add_many(fake_cloud, 4)
    seen: list[tuple[int, int | None]] = []
    library.sync(run_id="run-1", progress=lambda d, t: seen.append((d, t)))
    total = sum(a.file_size for a in arts)
    assert seen[0] == (0, total)
    assert max(d for d, _ in seen) == total
    assert all(t == total for _, t in seen)


def test_one_bad_artifact_is_reported_and_the_rest_arrive(library, fake_cloud):
    add_many(fake_cloud, 3)
    fake_cloud.wrong_bytes.add("a1")
    report = library.sync(run_id="run-1")
    assert set(report.failed) == {"a1"} and report.downloaded == 2
    states = library.cache_states(["a0", "a1", "a2"])
    assert states == {
        "a0": CacheState.VERIFIED,
        "a1": CacheState.MISMATCH,
        "a2": CacheState.VERIFIED,
    }


def test_cancel_stops_every_download_and_the_next_sync_finishes_them(library, fake_cloud):
    add_many(fake_cloud, 6, size=256 * 1024)
    token = CancelToken()

    def progress(done, total):
        if done > 300 * 1024:
            token.cancel()

    with pytest.raises(Cancelled):
        library.sync(run_id="run-1", progress=progress, cancel=token)
    # Only the downloads under way were stopped; their bytes wait (outside the cache) for
    # the next attempt to resume them.
    kept = list(library.blobs.partial_dir.glob("*.part"))
    assert len(kept) <= library.settings.max_parallel_downloads
    cached = library.count_artifacts(ArtifactQuery(run_id="run-1", cached_only=True))
    assert cached < 6
    assert library.sync(run_id="run-1").downloaded == 6 - cached
    assert not list(library.blobs.partial_dir.glob("*.part"))
