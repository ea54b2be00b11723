"""Blob store: verified atomic writes, nothing partial kept, crash leftovers, disk full, LRU quota."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import subprocess
import sys

import pytest

from artifact_viewer.core import blobstore as blobstore_module
from artifact_viewer.core.blobstore import BlobStore
from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.errors import CacheError, IntegrityError
from artifact_viewer.core.hashes import parse_file_hash
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.quota import enforce_quota
from artifact_viewer.core.store_models import CacheEntry, CacheState


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "blobs", tmp_path / "partial")


def files_under(path):
    return sorted(p.name for p in path.rglob("*") if p.is_file())


def test_matching_bytes_land_at_their_content_address(store, tmp_path):
    data = b"x" * 100_000
    sha = hashlib.sha256(data).hexdigest()
    with store.writer(parse_file_hash(sha)) as writer:
        writer.write(data[:40_000])
        writer.write(data[40_000:])
        assert writer.temp_path.parent == tmp_path / "partial"
        digest, size, verified = writer.commit()
    assert (digest, size, verified) == (sha, len(data), True)
    path = store.path_for(sha)
    assert path == tmp_path / "blobs" / "sha256" / sha[:2] / sha[2:]
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o777 == 0o600
    assert not list((tmp_path / "partial").glob("*.part"))


def test_mismatch_raises_with_both_hashes_and_keeps_nothing(store, tmp_path):
    expected = parse_file_hash(hashlib.sha256(b"right").hexdigest())
    with store.writer(expected) as writer:
        writer.write(b"wrong")
        with pytest.raises(IntegrityError) as info:
            writer.commit()
    assert info.value.expected == str(expected)
    assert info.value.actual == f"sha256:{hashlib.sha256(b'wrong').hexdigest()}"
    assert files_under(tmp_path) == []


def test_unverifiable_hash_is_stored_but_not_called_verified(store):
    with store.writer(None) as writer:
        writer.write(b"data")
        digest, _size, verified = writer.commit()
    assert verified is False
    assert store.exists(digest)


def test_error_inside_writer_removes_the_temp_file(store, tmp_path):
    with pytest.raises(RuntimeError), store.writer(None) as writer:
        writer.write(b"partial")
        raise RuntimeError("connection lost")
    assert files_under(tmp_path) == []


def test_restart_discards_earlier_bytes(store):
    data = b"the whole file"
    with store.writer(parse_file_hash(hashlib.sha256(data).hexdigest())) as writer:
        writer.write(b"garbage from a bad resume")
        writer.restart()
        writer.write(data)
        digest, size, _ = writer.commit()
    assert store.path_for(digest).read_bytes() == data and size == len(data)


def test_disk_full_raises_cache_error_and_leaves_no_temp(store, tmp_path, monkeypatch):
    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(blobstore_module, "_write_all", full)
    with pytest.raises(CacheError, match="disk is full") as info, store.writer(None) as writer:
        writer.write(b"bytes")
    assert "Free some disk space" in info.value.user_message()
    assert files_under(tmp_path) == []


def test_clean_partials_removes_dead_leftovers_but_not_live_downloads(store, tmp_path):
    dead = tmp_path / "partial" / "blob-dead.part"
    dead.write_bytes(b"left by a killed process")
    live = store.writer(None)
    live.write(b"in progress")
    try:
        assert store.clean_partials() == 1
        assert not dead.exists()
        assert live.temp_path.exists()
    finally:
        live.discard()


def test_lock_excludes_a_second_holder(store):
    with store.lock("sha256-abc"):
        fd = os.open(store.locks_dir / "sha256-abc.lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    assert not (store.locks_dir / "sha256-abc.lock").exists()  # removed with its last use
    with store.lock("sha256-abc"):  # and free again
        pass


def test_lock_wait_can_be_cancelled(store):
    from artifact_viewer.core.cancel import CancelToken
    from artifact_viewer.core.errors import Cancelled

    token = CancelToken()
    token.cancel()
    with store.lock("k"), pytest.raises(Cancelled), store.lock("k", token):
        pass


# -- quota ------------------------------------------------------------------------------


@pytest.fixture
def catalog(tmp_path):
    cat = Catalog(tmp_path / "catalog.sqlite3")
    yield cat
    cat.close()


def cache_blob(store, catalog, artifact_id, run_id, data, opened):
    with store.writer(None) as writer:
        writer.write(data)
        sha, size, _ = writer.commit()
    catalog.upsert_artifacts(
        [Artifact.from_json({"id": artifact_id, "workflowRunId": run_id, "fileSize": size})]
    )
    catalog.put_cache_entry(
        CacheEntry(
            artifact_id,
            CacheState.NOT_VERIFIABLE,
            sha256=sha,
            size=size,
            fetched_at=opened,
            last_opened_at=opened,
        )
    )
    return sha


def test_eviction_removes_least_recently_opened_first_and_spares_pins(store, catalog):
    old_pinned = cache_blob(store, catalog, "a1", "pinned-run", b"1" * 400, opened=1.0)
    old = cache_blob(store, catalog, "a2", "run", b"2" * 400, opened=2.0)
    mid = cache_blob(store, catalog, "a3", "run", b"3" * 400, opened=3.0)
    new = cache_blob(store, catalog, "a4", "run", b"4" * 400, opened=4.0)
    catalog.pin("pinned-run")
    evicted = enforce_quota(catalog, store, quota_bytes=1000)
    assert evicted == [old, mid]
    assert store.exists(old_pinned) and store.exists(new)
    assert not store.exists(old) and not store.exists(mid)
    assert catalog.cache_entry("a2") is None
    assert catalog.cached_bytes() == 800


def test_eviction_spares_the_blob_the_caller_keeps(store, catalog):
    a = cache_blob(store, catalog, "a1", "run", b"1" * 600, opened=1.0)
    b = cache_blob(store, catalog, "a2", "run", b"2" * 600, opened=2.0)
    assert enforce_quota(catalog, store, quota_bytes=700, keep={a}) == [b]


def test_pinned_runs_may_exceed_the_quota(store, catalog):
    cache_blob(store, catalog, "a1", "p", b"1" * 600, opened=1.0)
    cache_blob(store, catalog, "a2", "p", b"2" * 600, opened=2.0)
    catalog.pin("p")
    assert enforce_quota(catalog, store, quota_bytes=100) == []
    assert catalog.cached_bytes() == 1200


def test_blob_shared_by_two_artifacts_counts_once(store, catalog):
    sha = cache_blob(store, catalog, "a1", "run", b"same" * 100, opened=1.0)
    cache_blob(store, catalog, "a2", "run-2", b"same" * 100, opened=5.0)
    assert catalog.cached_bytes() == 400
    catalog.pin("run-2")
    assert enforce_quota(catalog, store, quota_bytes=10) == []  # a pinned artifact shares it
    assert store.exists(sha)


HOLD_LOCK = """
import sys
from pathlib import Path
from artifact_viewer.core.blobstore import BlobStore
store = BlobStore(Path(sys.argv[1]), Path(sys.argv[2]))
with store.lock(sys.argv[3]):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_eviction_skips_a_blob_another_process_is_downloading(store, catalog, tmp_path):
    busy = cache_blob(store, catalog, "a1", "run", b"1" * 400, opened=1.0)
    idle = cache_blob(store, catalog, "a2", "run", b"2" * 400, opened=2.0)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            HOLD_LOCK,
            str(store.root),
            str(store.partial_dir),
            f"sha256-{busy}",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert enforce_quota(catalog, store, quota_bytes=100) == [idle]
        assert store.exists(busy) and catalog.cache_entry("a1") is not None
    finally:
        holder.communicate("done\n", timeout=30)
    assert enforce_quota(catalog, store, quota_bytes=100) == [busy]  # free again: evicted
    assert not store.exists(busy) and catalog.cache_entry("a1") is None


def test_eviction_takes_the_lock_of_every_artifact_sharing_the_blob(store, catalog):
    sha = cache_blob(store, catalog, "a1", "run", b"shared" * 100, opened=1.0)
    cache_blob(store, catalog, "a2", "run-2", b"shared" * 100, opened=2.0)
    # a2's download is keyed by the artifact (no usable hash), not by the bytes
    with store.lock("artifact-a2"):
        assert enforce_quota(catalog, store, quota_bytes=10) == []
        assert store.exists(sha)
    assert enforce_quota(catalog, store, quota_bytes=10) == [sha]
