"""Save-as writes the user's copy in the same pass as the cache file (or copies a cached file
in the kernel): the copy is identical, private, its own file, and appears only verified."""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat

import pytest

from artifact_viewer.core import destinations
from artifact_viewer.core.blobstore import BlobStore
from artifact_viewer.core.errors import IntegrityError
from artifact_viewer.core.hashes import parse_file_hash
from artifact_viewer.core.store_models import CacheState

A = bytes(range(256)) * 2000  # 512 000 bytes, many 16 KiB chunks from the fake cloud


@pytest.fixture
def copies(monkeypatch):
    """Records every copy of a cached file into a pending copy (the second pass)."""
    calls: list[str] = []
    real = destinations.PendingCopy.fill_from

    def spy(self, source):
        calls.append(str(source))
        return real(self, source)

    monkeypatch.setattr(destinations.PendingCopy, "fill_from", spy)
    return calls


def _blob(library, artifact_id):
    entry = library.catalog.cache_entry(artifact_id)
    assert entry is not None and entry.sha256
    return library.blobs.locate(entry.sha256)


def _assert_own_private_copy(library, artifact_id, target, data):
    assert target.read_bytes() == data
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 & ~_umask()
    blob = _blob(library, artifact_id)
    assert target.stat().st_nlink == 1
    assert not os.path.samefile(target, blob)
    # The user edits the saved copy: the cache keeps its verified bytes.
    with target.open("r+b") as handle:
        handle.write(b"edited by the user")
    with target.open("ab") as handle:
        handle.write(b"more")
    assert blob.read_bytes() == data
    assert library.verify(artifact_id) is CacheState.VERIFIED


def _reflinks(folder) -> bool:
    """Whether this file system clones files (FICLONE), probed on two files of our own."""
    (folder / "probe-a").write_bytes(b"x")
    with (folder / "probe-a").open("rb") as source, (folder / "probe-b").open("wb") as copy:
        try:
            fcntl.ioctl(copy.fileno(), destinations.FICLONE, source.fileno())
        except OSError:
            return False
        finally:
            (folder / "probe-a").unlink()
            (folder / "probe-b").unlink()
    return True


def _second_passes(folder) -> int:
    """Copies made from the finished cache file: none (written in the download's pass),
    or one reflink where the file system has them (cheaper than writing the copy)."""
    return 1 if _reflinks(folder) else 0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_download_writes_the_copy_in_the_same_pass(library, fake_cloud, tmp_path, copies):
    fake_cloud.add("a1", A, name="Alpha.bin")
    library.refresh_artifacts()
    target = library.save_as("a1", tmp_path / "out.bin")
    assert len(copies) == _second_passes(tmp_path)  # not read back from the cache
    assert len(fake_cloud.requests) == 1
    _assert_own_private_copy(library, "a1", target, A)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bin"]


def test_a_cached_file_is_copied_in_the_kernel(library, fake_cloud, tmp_path, copies, monkeypatch):
    fake_cloud.add("a1", A, name="Alpha.bin")
    library.refresh_artifacts()
    library.fetch("a1")
    kernel: list[int] = []
    real = os.copy_file_range

    def counting(*args, **kwargs):
        done = real(*args, **kwargs)
        kernel.append(done)
        return done

    monkeypatch.setattr(os, "copy_file_range", counting)
    target = library.save_as("a1", tmp_path / "out.bin")
    reflinks = _reflinks(tmp_path)
    assert len(copies) == 1 and sum(kernel) == (0 if reflinks else len(A))
    assert len(fake_cloud.requests) == 1  # downloaded once, by the fetch
    _assert_own_private_copy(library, "a1", target, A)


def test_a_download_that_fails_verification_leaves_no_copy(library, fake_cloud, tmp_path):
    fake_cloud.add("a1", A, name="Alpha.bin")
    fake_cloud.wrong_bytes = {"a1"}
    library.refresh_artifacts()
    with pytest.raises(IntegrityError):
        library.save_as("a1", tmp_path / "out.bin")
    assert list(tmp_path.iterdir()) == []
    assert library.cache_state("a1") is CacheState.MISMATCH


def test_the_copy_follows_a_resume_by_range(library, fake_cloud, tmp_path, copies):
    fake_cloud.add("a1", A, name="Alpha.bin")
    fake_cloud.cut_after, fake_cloud.cuts = 200_000, 2
    library.refresh_artifacts()
    target = library.save_as("a1", tmp_path / "out.bin")
    assert fake_cloud.ranges() == ["bytes=200000-", "bytes=400000-"]
    assert len(copies) == _second_passes(tmp_path)
    _assert_own_private_copy(library, "a1", target, A)


def test_the_copy_starts_over_when_storage_ignores_the_range(library, fake_cloud, tmp_path, copies):
    fake_cloud.add("a1", A, name="Alpha.bin")
    fake_cloud.cut_after, fake_cloud.cuts = 300_000, 1
    fake_cloud.ignore_range = True  # the retry sends the whole file again from byte 0
    library.refresh_artifacts()
    target = library.save_as("a1", tmp_path / "out.bin")
    assert fake_cloud.ranges() == ["bytes=300000-"]
    assert len(copies) == _second_passes(tmp_path)
    _assert_own_private_copy(library, "a1", target, A)


def test_a_copy_of_a_resumed_partial_download_gets_the_earlier_bytes_too(tmp_path):
    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    expected = parse_file_hash(f"sha256:{hashlib.sha256(A).hexdigest()}")
    first = store.writer(expected, resume_key="k", declared=len(A))
    first.write(A[:300_000])
    first.keep()  # an earlier process stopped here
    fd = os.open(tmp_path / "copy.bin", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with store.writer(expected, resume_key="k", declared=len(A)) as writer:
            assert writer.resumed_from == 300_000
            writer.copy_to(fd)
            writer.write(A[300_000:])
            writer.commit()
            assert writer.copied
    finally:
        os.close(fd)
    assert (tmp_path / "copy.bin").read_bytes() == A


def test_a_failing_copy_never_stops_the_download(tmp_path):
    store = BlobStore(tmp_path / "blobs", tmp_path / "partial")
    expected = parse_file_hash(f"sha256:{hashlib.sha256(A).hexdigest()}")
    read_only = os.open(tmp_path / "copy.bin", os.O_RDONLY | os.O_CREAT, 0o600)
    try:
        with store.writer(expected) as writer:
            writer.copy_to(read_only)  # every write to it fails (EBADF)
            writer.write(A)
            sha256, size, verified = writer.commit()
            assert not writer.copied  # the caller copies from the cache instead
    finally:
        os.close(read_only)
    assert verified and size == len(A)
    assert store.path_for(sha256).read_bytes() == A


def test_get_into_a_fifo_writes_only_verified_bytes(library, fake_cloud, tmp_path):
    fake_cloud.add("a1", A[:16_000], name="Alpha.bin")  # fits a pipe's buffer: never blocks
    fake_cloud.wrong_bytes = {"a1"}
    library.refresh_artifacts()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so opening it to write never blocks
    try:
        with pytest.raises(IntegrityError):
            library.save_as("a1", fifo, overwrite=False)
        assert stat.S_ISFIFO(fifo.stat().st_mode)
        assert os.read(reader, 65536) == b""  # nothing was written into it
    finally:
        os.close(reader)
