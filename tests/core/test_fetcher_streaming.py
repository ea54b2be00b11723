"""Download streaming costs: progress reports throttled, write-back started early, wide reads."""

from __future__ import annotations

import hashlib
import itertools

import httpcore
import pytest

from artifact_viewer.core import blobstore as blobstore_module
from artifact_viewer.core import fetcher as fetcher_module
from artifact_viewer.core.blobstore import BlobStore
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.core.hashes import parse_file_hash
from artifact_viewer.core.http import READ_SIZE, build_http_client
from artifact_viewer.core.store_models import CacheState

CHUNK = 16 * 1024  # the fake cloud's body chunk
DATA = hashlib.sha256(b"seed").digest() * (4 * 1024 * 1024 // 32)  # 4 MiB: 256 chunks


def test_progress_is_reported_at_most_once_per_interval_and_always_at_the_end(
    library, fake_cloud, monkeypatch
):
    # A fake clock: every reading is 1 ms later, so an interval spans 50 chunks.
    ticks = itertools.count()
    monkeypatch.setattr(fetcher_module, "_progress_clock", lambda: next(ticks) / 1000)
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    seen: list[tuple[int, int | None]] = []
    library.fetch("a1", progress=lambda done, total: seen.append((done, total)))
    chunks = len(DATA) // CHUNK
    assert 2 <= len(seen) <= chunks // 50 + 2
    assert seen[-1] == (len(DATA), len(DATA))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_cancel_arriving_with_the_last_bytes_commits_nothing(library, fake_cloud):
    fake_cloud.add("a1", DATA)
    library.refresh_artifacts(run_id="run-1")
    token = CancelToken()

    def progress(done: int, total: int | None) -> None:
        if done == len(DATA):
            token.cancel()

    with pytest.raises(Cancelled):
        library.fetch("a1", progress=progress, cancel=token)
    # Nothing is committed; what arrived is kept only as a partial file to resume from.
    assert not library.blobs.exists(hashlib.sha256(DATA).hexdigest())
    assert library.cache_state("a1") is CacheState.NOT_CACHED
    path = library.fetch("a1")
    assert path.read_bytes() == DATA
    assert list(library.blobs.partial_dir.glob("*.part")) == []


def test_writer_starts_disk_write_back_in_steps_while_streaming(tmp_path, monkeypatch):
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(
        blobstore_module,
        "_FADVISE",
        lambda fd, offset, length, advice: calls.append((offset, length)),
    )
    monkeypatch.setattr(blobstore_module, "WRITEBACK_EVERY", 64 * 1024)
    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    data = bytes(range(256)) * 1024  # 256 KiB
    with store.writer(parse_file_hash(hashlib.sha256(data).hexdigest())) as writer:
        for offset in range(0, len(data), 16 * 1024):
            writer.write(data[offset : offset + 16 * 1024])
        digest, size, verified = writer.commit()
    # Contiguous steps from the first byte, each asked once.
    assert calls == [(offset, 64 * 1024) for offset in range(0, len(data), 64 * 1024)]
    assert verified and store.path_for(digest).read_bytes() == data


def test_writer_restart_starts_write_back_from_the_first_byte_again(tmp_path, monkeypatch):
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(
        blobstore_module,
        "_FADVISE",
        lambda fd, offset, length, advice: calls.append((offset, length)),
    )
    monkeypatch.setattr(blobstore_module, "WRITEBACK_EVERY", 8)
    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    with store.writer(None) as writer:
        writer.write(b"0123456789")
        writer.restart()
        writer.write(b"abcdefgh")
        writer.commit()
    assert calls == [(0, 10), (0, 8)]


def test_shared_http_client_reads_sockets_in_large_pieces():
    with build_http_client():
        assert httpcore.HTTP11Connection.READ_NUM_BYTES >= READ_SIZE >= 1024 * 1024
