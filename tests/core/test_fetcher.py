"""Fetcher: signed-URL refresh, Range resume, retries, shared downloads, cancel, integrity."""

from __future__ import annotations

import hashlib
import logging
import threading

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled, IntegrityError, NetworkError, SignedUrlExpired
from artifact_viewer.core.store_models import CacheState

DATA = bytes(range(256)) * 1024  # 256 KiB, served in 16 KiB chunks


def partials(library):
    return list(library.blobs.partial_dir.glob("*.part"))


def test_artifact_without_url_gets_one_from_the_api(library, fake_cloud):
    artifact = fake_cloud.add("a1", DATA)
    library.catalog.upsert_artifacts([artifact])
    path = library.fetch("a1")
    assert path.read_bytes() == DATA
    assert fake_cloud.get_artifact_calls == ["a1"]
    assert library.cache_state("a1") is CacheState.VERIFIED


def test_listed_url_is_used_without_asking_again(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    library.fetch("a1")
    assert fake_cloud.get_artifact_calls == []


def test_expired_url_mid_download_resumes_by_range_with_one_refresh(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.cut_after, fake_cloud.cuts, fake_cloud.expire_on_cut = 100 * 1024, 1, True
    assert library.fetch("a1").read_bytes() == DATA
    statuses = [r.status for r in fake_cloud.requests]
    assert statuses == [200, 403, 206]  # cut, old URL refused as expired, resumed
    assert fake_cloud.requests[-1].range == f"bytes={100 * 1024}-"
    assert fake_cloud.get_artifact_calls == ["a1"]  # exactly one refresh for one expiry
    assert library.cache_state("a1") is CacheState.VERIFIED


def test_dropped_connections_resume_from_the_last_byte(library, fake_cloud, monkeypatch):
    monkeypatch.setattr("artifact_viewer.core.fetcher.RETRY_BACKOFF", (0.0,))
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.cut_after, fake_cloud.cuts = 48 * 1024, 3
    assert library.fetch("a1").read_bytes() == DATA
    assert fake_cloud.ranges() == [f"bytes={n * 48 * 1024}-" for n in (1, 2, 3)]
    assert fake_cloud.get_artifact_calls == []  # the URL was still good


def test_server_ignoring_range_restarts_cleanly(library, fake_cloud, monkeypatch):
    monkeypatch.setattr("artifact_viewer.core.fetcher.RETRY_BACKOFF", (0.0,))
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.cut_after, fake_cloud.cuts, fake_cloud.ignore_range = 64 * 1024, 1, True
    assert library.fetch("a1").read_bytes() == DATA
    assert [r.status for r in fake_cloud.requests] == [200, 200]
    assert library.cache_state("a1") is CacheState.VERIFIED


def test_endless_drops_give_up_with_a_network_error_and_no_temp(library, fake_cloud, monkeypatch):
    monkeypatch.setattr("artifact_viewer.core.fetcher.RETRY_BACKOFF", (0.0,))
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.cut_after, fake_cloud.cuts = 0, 1000  # no byte ever arrives
    with pytest.raises(NetworkError, match="kept failing"):
        library.fetch("a1")
    assert partials(library) == []
    assert library.cache_state("a1") is CacheState.NOT_CACHED


def test_fresh_urls_refused_again_and_again_stop_with_a_clear_error(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.catalog.upsert_artifacts([fake_cloud.records["a1"]])
    fake_cloud.ttl = -100  # every URL is already expired when issued
    with pytest.raises(SignedUrlExpired, match="keeps refusing"):
        library.fetch("a1")
    assert len(fake_cloud.get_artifact_calls) <= 4
    assert partials(library) == []


def test_wrong_bytes_are_rejected_nothing_kept_state_mismatch(library, fake_cloud):
    fake_cloud.add("a1", DATA, name="W-2 2024.pdf")
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.wrong_bytes.add("a1")
    with pytest.raises(IntegrityError) as info:
        library.fetch("a1")
    message = info.value.user_message()
    assert "W-2 2024.pdf" in message and "do not match" in message and "not kept" in message
    assert info.value.expected == f"sha256:{hashlib.sha256(DATA).hexdigest()}"
    assert library.cache_state("a1") is CacheState.MISMATCH
    assert library.cached_path("a1") is None
    assert not any(p.is_file() for p in library.blobs.root.rglob("*"))
    assert partials(library) == []
    fake_cloud.wrong_bytes.clear()  # the next try downloads again and succeeds
    assert library.fetch("a1").read_bytes() == DATA
    assert library.cache_state("a1") is CacheState.VERIFIED


def test_unverifiable_hash_is_kept_as_not_verifiable(library, fake_cloud):
    fake_cloud.add("a1", DATA, file_hash="etag-1234")
    library.refresh_artifacts(run_id="run-1")
    assert library.fetch("a1").read_bytes() == DATA
    assert library.cache_state("a1") is CacheState.NOT_VERIFIABLE


def test_concurrent_requests_for_one_artifact_share_one_download(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.gate = threading.Event()
    results, seen = [], []

    def worker():
        results.append(library.fetch("a1", progress=lambda d, t: seen.append(d)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    # Release the body only once the leader is streaming: the others must be waiting on it.
    for _ in range(200):
        if fake_cloud.requests:
            break
        threading.Event().wait(0.01)
    fake_cloud.gate.set()
    for t in threads:
        t.join(10)
    assert len(results) == 4 and len(set(results)) == 1
    assert len(fake_cloud.requests) == 1
    assert seen and max(seen) == len(DATA)


def test_two_artifacts_with_the_same_bytes_share_one_blob(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    fake_cloud.add("a2", DATA, run_id="run-2")
    library.refresh_artifacts()
    assert library.fetch("a1") == library.fetch("a2")
    assert len(fake_cloud.requests) == 1
    assert library.cache_state("a2") is CacheState.VERIFIED


def test_cancel_mid_download_caches_nothing_and_the_next_fetch_resumes(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    token = CancelToken()
    seen: list[int] = []

    def progress(done, total):
        seen.append(done)
        token.cancel()  # at the first chunk: the rest is still to come

    with pytest.raises(Cancelled):
        library.fetch("a1", progress=progress, cancel=token)
    assert library.cache_state("a1") is CacheState.NOT_CACHED
    assert len(partials(library)) == 1  # the bytes so far, kept for the next attempt
    before = len(fake_cloud.requests)
    assert library.fetch("a1").read_bytes() == DATA  # verified whole
    resumed = [r.range for r in fake_cloud.requests[before:]]
    assert resumed and resumed[0] == f"bytes={seen[0]}-"  # from where it stopped
    assert 0 < seen[0] < len(DATA)
    assert partials(library) == []


def test_progress_reports_bytes_and_total(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    seen = []
    library.fetch("a1", progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (len(DATA), len(DATA))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_logs_name_artifact_ids_never_urls(library, fake_cloud, caplog):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    fake_cloud.cut_after, fake_cloud.cuts, fake_cloud.expire_on_cut = 100 * 1024, 1, True
    with caplog.at_level(logging.DEBUG, logger="artifact_viewer"):
        library.fetch("a1")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "a1" in text
    assert "X-Amz" not in text and "sig0" not in text and "storage.test" not in text


def test_artifact_moved_to_another_run_on_the_server_is_not_downloaded(library, fake_cloud):
    artifact = fake_cloud.add("a1", DATA, run_id="run-1")
    library.catalog.upsert_artifacts([artifact])
    fake_cloud.records["a1"] = artifact.replace(workflow_run_id="run-9")
    with pytest.raises(IntegrityError, match="changed on the server"):
        library.fetch("a1")
    assert fake_cloud.requests == []
    assert library.cache_state("a1") is CacheState.NOT_CACHED
