"""Core behaviour behind "a server that lies": records, URLs, bounded bodies, quota, resume."""

from __future__ import annotations

import os
import stat
import time
from datetime import UTC, datetime

import httpx
import pytest

from artifact_viewer.core.blobstore import BlobStore
from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.destinations import copy_atomically
from artifact_viewer.core.errors import ArtifactViewerError, IntegrityError, ListingStopped
from artifact_viewer.core.hashes import parse_file_hash
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.paging import ListingBudget, ListingMeter
from artifact_viewer.core.signed_url import MAX_LIFETIME, SignedUrl
from artifact_viewer.core.store_models import ArtifactQuery, CacheState

DATA = bytes(range(256)) * 1024


# -- records --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [1e20, -1e20, float("nan"), 10**400, "not a date", "9999-12-31T23:59:59-23:00"]
)
def test_an_impossible_timestamp_is_kept_as_text_and_called_an_invalid_date(value):
    artifact = Artifact.from_json({"id": "a1", "createdAt": value})
    assert artifact.created_at is None
    assert artifact.invalid_date("created_at")
    assert artifact.to_json()["createdAt"] == value or value != value  # NaN != NaN
    assert Artifact.from_json(artifact.to_json()).invalid_date("created_at")


def test_a_missing_timestamp_is_not_an_invalid_date():
    run = WorkflowRun.from_json({"id": "r1", "createdAt": None})
    assert not run.invalid_date("created_at")


@pytest.mark.parametrize("size", [-5, 10**30, "many", True])
def test_a_file_size_that_is_no_size_is_unknown(size):
    assert Artifact.from_json({"id": "a1", "fileSize": size}).file_size is None


def test_an_overflowing_url_lifetime_is_capped_not_a_crash():
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    signed = SignedUrl.from_url(
        f"https://s.example/o?X-Amz-Date={stamp}&X-Amz-Expires=99999999999999"
    )
    assert signed.expires_at - datetime.now(UTC) <= MAX_LIFETIME
    assert SignedUrl.from_url("http://[::1/x").usable()  # malformed: the download reports it


# -- listing budget ---------------------------------------------------------------------------


def test_listing_meter_stops_on_items_bytes_and_time_and_reports_progress():
    clock = [0.0]
    told: list[str] = []
    meter = ListingMeter(
        "artifacts",
        ListingBudget(max_items=3, max_bytes=100, max_seconds=10, progress_after=2),
        told.append,
        clock=lambda: clock[0],
    )
    meter.add_bytes(50)
    assert told == []
    clock[0] = 3.0
    meter.add_bytes(10)
    assert told and told[0].startswith("Listing artifacts: 0 page(s), 0 item(s), 60 B")
    with pytest.raises(ListingStopped, match="more than 100 B"):
        meter.add_bytes(41)
    for _ in range(3):
        meter.add_item()
    with pytest.raises(ListingStopped, match="more than 3 items"):
        meter.add_item()
    clock[0] = 11.0
    with pytest.raises(ListingStopped, match="longer than 10 s"):
        meter.tick()


def page_client(body: bytes, monkeypatch, spill: int = 1024) -> AnonClient:
    monkeypatch.setattr("artifact_viewer.core.client.SPILL_PAGE_BYTES", spill)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return AnonClient(http, api_key="anon_k", base_url="https://api.test/v2")


@pytest.mark.parametrize("envelope", ["artifacts", "data", "bare", "nested"])
def test_a_large_page_is_streamed_and_gives_the_same_records(envelope, monkeypatch):
    import orjson

    items = [{"id": f"a{i}", "fileSize": i, "displayName": f"file {i}"} for i in range(500)]
    if envelope == "bare":
        body: object = items
    elif envelope == "nested":
        body = {"data": {"items": items}, "meta": {"hasMore": False, "total": 500}}
    else:
        body = {envelope: items, "hasMore": False}
    client = page_client(orjson.dumps(body), monkeypatch)
    got = list(client.list_artifacts())
    assert [a.id for a in got] == [i["id"] for i in items]
    assert got[499].file_size == 499


def test_a_large_page_past_the_byte_budget_stops_with_a_clear_error(monkeypatch):
    import orjson

    body = orjson.dumps({"data": [{"id": f"a{i}"} for i in range(5000)]})
    client = page_client(body, monkeypatch)
    client.budget = ListingBudget(max_bytes=20_000)
    with pytest.raises(
        ListingStopped, match="Stopped listing artifacts: the server sent more than"
    ):
        list(client.list_artifacts())


# -- bounded downloads ---------------------------------------------------------------------------


def test_a_body_longer_than_declared_is_cut_at_the_declared_size_and_is_a_mismatch(
    library, fake_cloud
):
    artifact = fake_cloud.add("a1", DATA)
    fake_cloud.records["a1"] = artifact.replace(file_size=1000)
    library.catalog.upsert_artifacts([fake_cloud.records["a1"]])
    written: list[int] = []
    real_write = library.blobs.writer

    def spy(*args, **kwargs):
        writer = real_write(*args, **kwargs)
        original = writer.write

        def write(data):
            original(data)
            written.append(writer.size)

        writer.write = write
        return writer

    library.blobs.writer = spy
    with pytest.raises(IntegrityError, match="more than the 1000 bytes the API declared"):
        library.fetch("a1")
    assert max(written, default=0) <= 1000
    assert library.cache_state("a1") is CacheState.MISMATCH
    assert list(library.blobs.partial_dir.glob("*.part")) == []


def test_an_error_body_is_read_only_to_a_small_bound(library, fake_cloud, monkeypatch):
    fake_cloud.add("a1", DATA)
    library.catalog.upsert_artifacts([fake_cloud.records["a1"]])
    pulled = []

    def endless():
        while True:
            pulled.append(1)
            yield b"z" * 1024

    def handler(request):
        return httpx.Response(403, content=endless())

    library.fetcher.http = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(ArtifactViewerError, match="HTTP 403"):
        library.fetch("a1")
    assert len(pulled) < 16


# -- resume across processes ------------------------------------------------------------------


def test_a_kept_partial_download_is_continued_by_the_next_writer(tmp_path):
    import hashlib

    expected = parse_file_hash(hashlib.sha256(DATA).hexdigest())
    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    first = store.writer(expected, resume_key="k", declared=len(DATA))
    first.write(DATA[: 200 * 1024])
    first.keep()
    assert store.clean_partials() == 0  # young and resumable: stays
    second = store.writer(expected, resume_key="k", declared=len(DATA))
    assert second.resumed_from == 200 * 1024
    second.write(DATA[second.size :])
    sha, size, verified = second.commit()
    assert verified and size == len(DATA)
    assert list(store.partial_dir.iterdir()) == [store.locks_dir]


def test_a_partial_download_for_other_bytes_is_not_continued(tmp_path):
    import hashlib

    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    expected = parse_file_hash(hashlib.sha256(DATA).hexdigest())
    first = store.writer(expected, resume_key="k", declared=len(DATA))
    first.write(DATA[: 4096 * 300])
    first.keep()
    other = store.writer(expected, resume_key="k", declared=len(DATA) + 1)
    assert other.resumed_from == 0
    other.discard()


def test_stale_partials_and_free_lock_files_are_removed(tmp_path):
    import hashlib

    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    expected = parse_file_hash(hashlib.sha256(DATA).hexdigest())
    writer = store.writer(expected, resume_key="k", declared=len(DATA))
    writer.write(DATA[: 2 * 1024 * 1024 // 16])
    writer.keep()
    old = time.time() - 2 * 24 * 3600
    os.utime(writer.temp_path, (old, old))
    (store.locks_dir / "orphan.lock").write_text("")
    assert store.clean_partials() == 1
    assert list(store.partial_dir.glob("*.part")) == []
    assert list(store.partial_dir.glob("*.resume")) == []
    assert list(store.locks_dir.iterdir()) == []


# -- quota during a sync ---------------------------------------------------------------------------


@pytest.fixture
def store_settings():
    from artifact_viewer.core.settings import Settings

    return Settings(max_parallel_downloads=1, cache_quota_bytes=600 * 1024)


def test_sync_evicts_other_files_as_it_goes_and_keeps_to_the_quota(library, fake_cloud):
    for i in range(2):
        fake_cloud.add(f"old-{i}", bytes([i]) * 200 * 1024, run_id="run-old")
    library.refresh_artifacts(run_id="run-old")
    library.download(library.catalog.artifacts(ArtifactQuery(run_id="run-old")))
    assert library.catalog.cached_bytes() == 400 * 1024
    for i in range(2):
        fake_cloud.add(f"new-{i}", bytes([10 + i]) * 200 * 1024, run_id="run-new")
    report = library.sync(run_id="run-new")
    assert report.ok and report.downloaded == 2
    assert library.catalog.cached_bytes() <= 600 * 1024
    assert library.cache_state("new-0") is CacheState.VERIFIED
    assert library.cache_state("new-1") is CacheState.VERIFIED


def test_sync_stops_downloading_when_the_requested_files_cannot_fit(library, fake_cloud):
    for i in range(4):
        fake_cloud.add(f"a{i}", bytes([i]) * 250 * 1024)
    report = library.sync(run_id="run-1")
    assert report.downloaded == 2
    assert len(report.failed) == 2
    assert report.stopped and "cache quota" in report.stopped
    assert all("cache quota is full" in reason for reason in report.failed.values())
    assert library.catalog.cached_bytes() <= 600 * 1024


def test_pinned_runs_are_kept_and_counted_against_the_quota(library, fake_cloud):
    fake_cloud.add("p0", b"p" * 500 * 1024, run_id="run-pinned")
    library.pin_run("run-pinned")
    fake_cloud.add("a0", b"a" * 200 * 1024)
    report = library.sync(run_id="run-1")
    assert report.stopped and report.downloaded == 0
    assert library.cache_state("p0") is CacheState.VERIFIED


# -- cache verify and purge ------------------------------------------------------------------------


def test_verify_counts_each_artifact_of_a_shared_blob_by_its_own_hash(library, fake_cloud):
    import hashlib

    data = b"shared bytes" * 1000
    fake_cloud.add("sha", data)
    fake_cloud.add("md5", data, file_hash=hashlib.md5(data).hexdigest())
    fake_cloud.add("odd", data, file_hash="crc32:1234")
    library.refresh_artifacts(run_id="run-1")
    for artifact_id in ("sha", "md5", "odd"):
        library.fetch(artifact_id)
    report = library.verify_all()
    assert (report.checked, report.verified, report.not_verifiable) == (3, 2, 1)
    assert report.ok


def test_a_purge_killed_between_row_and_file_leaves_a_cache_verify_accepts(
    library, fake_cloud, monkeypatch
):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    path = library.fetch("a1")

    def killed(_sha):
        raise KeyboardInterrupt  # the process dies right after the catalog row went

    monkeypatch.setattr(library.blobs, "remove", killed)
    with pytest.raises(KeyboardInterrupt):
        library.purge()
    monkeypatch.undo()
    assert path.exists()
    assert library.verify_all().ok
    old = time.time() - 3600
    os.utime(path, (old, old))
    assert library.purge() == 1 and not path.exists()  # the orphan goes with the next purge


# -- saved copies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o600), (0o077, 0o600), (0o277, 0o400)])
def test_saved_copies_are_private_unless_the_umask_is_stricter(tmp_path, umask, mode):
    source = tmp_path / "source"
    source.write_bytes(DATA)
    previous = os.umask(umask)
    try:
        target = copy_atomically(source, tmp_path / "out.bin", overwrite=False)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert target.read_bytes() == DATA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin", "source"]


def test_a_saved_copy_never_replaces_a_file_unless_asked_and_leaves_no_temp(tmp_path):
    source = tmp_path / "source"
    source.write_bytes(DATA)
    target = tmp_path / "out.bin"
    target.write_bytes(b"mine")
    with pytest.raises(ArtifactViewerError, match="already exists"):
        copy_atomically(source, target, overwrite=False)
    assert target.read_bytes() == b"mine"
    copy_atomically(source, target, overwrite=True)
    assert target.read_bytes() == DATA
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin", "source"]


def test_leftovers_of_a_killed_named_copy_are_removed_by_the_next_save(tmp_path, monkeypatch):
    monkeypatch.setattr("artifact_viewer.core.destinations._O_TMPFILE", 0)
    source = tmp_path / "source"
    source.write_bytes(DATA)
    (tmp_path / ".out.bin.dead1234.avpart").write_bytes(b"half")
    copy_atomically(source, tmp_path / "out.bin")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin", "source"]


def test_an_endless_api_error_body_is_read_only_to_a_small_bound() -> None:
    from artifact_viewer.core.errors import NotFound

    pulled: list[int] = []

    def endless():
        while True:
            pulled.append(1)
            yield b'{"message": "' + b"z" * 4096

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, content=endless())

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = AnonClient(http, api_key="anon_k", base_url="https://api.test/v2")
    with pytest.raises(NotFound, match="was not found"):
        client.get_artifact("a1")
    assert len(pulled) < 32


def test_a_sync_larger_than_allowed_refreshes_the_catalog_and_downloads_nothing(
    library, fake_cloud
):
    for i in range(3):
        fake_cloud.add(f"a{i}", bytes([i]) * 1000)
    library.settings.sync_max_artifacts = 2
    with pytest.raises(ArtifactViewerError, match="would download 3 artifacts, more than the 2"):
        library.sync(run_id="run-1")
    assert library.count_artifacts(ArtifactQuery(run_id="run-1")) == 3
    assert fake_cloud.requests == []
