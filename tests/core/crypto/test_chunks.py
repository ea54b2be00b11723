"""The chunked AES-GCM format: random access, and every kind of tampering refused."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from artifact_viewer.core.crypto.chunks import (
    HEADER,
    TAG,
    ChunkEncryptor,
    DecryptingReader,
    open_checked,
    plaintext_size,
)
from artifact_viewer.core.errors import IntegrityError

MASTER = bytes(range(32))
SMALL = 64  # a small chunk size, so a few hundred bytes span many chunks


def encrypt_to(path: Path, data: bytes, *, master: bytes = MASTER, pieces: int = 7) -> None:
    out = io.BytesIO()
    sink = ChunkEncryptor(master, out.write, chunk_size=SMALL)
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):
        sink.write(data[start : start + step])
    sink.finish()
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("size", [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 5 * SMALL + 17])
def test_round_trip_and_size_for_every_chunk_boundary(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "blob.enc"
    encrypt_to(path, data)
    assert plaintext_size(path.stat().st_size, SMALL) == size
    with open_checked(path, MASTER) as reader:
        assert reader.size == size
        assert reader.read() == data
        assert reader.read() == b""


def test_random_access_reads_and_seeks(tmp_path: Path) -> None:
    data = os.urandom(10 * SMALL + 5)
    path = tmp_path / "blob.enc"
    encrypt_to(path, data)
    with DecryptingReader(path, MASTER) as reader:
        for offset, length in [
            (0, 3),
            (SMALL - 2, 5),
            (7 * SMALL + 1, 2 * SMALL),
            (len(data) - 4, 99),
        ]:
            reader.seek(offset)
            assert reader.read(length) == data[offset : offset + length]
        assert reader.seek(-5, io.SEEK_END) == len(data) - 5
        assert reader.read() == data[-5:]
        buffered = io.BufferedReader(reader)
        buffered.seek(SMALL * 3)
        assert buffered.read(10) == data[SMALL * 3 : SMALL * 3 + 10]


def test_ciphertext_holds_no_plaintext(tmp_path: Path) -> None:
    token = b"SSN 234-56-7890 acct 0001234567!"
    data = b"x" * 100 + token + b"y" * 300
    path = tmp_path / "blob.enc"
    encrypt_to(path, data)
    assert token not in path.read_bytes() and b"234-56-7890" not in path.read_bytes()


def _chunk_offset(index: int) -> int:
    return HEADER + index * (SMALL + TAG)


def test_a_changed_byte_fails_that_chunk_only(tmp_path: Path) -> None:
    data = os.urandom(4 * SMALL)
    path = tmp_path / "blob.enc"
    encrypt_to(path, data)
    raw = bytearray(path.read_bytes())
    raw[_chunk_offset(1) + 3] ^= 0x01
    path.write_bytes(bytes(raw))
    with DecryptingReader(path, MASTER) as reader:
        assert reader.read(SMALL) == data[:SMALL]
        with pytest.raises(IntegrityError, match="chunk 1"):
            reader.read(SMALL)


def test_reordered_chunks_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.enc"
    encrypt_to(path, os.urandom(4 * SMALL))
    raw = path.read_bytes()
    a, b = _chunk_offset(0), _chunk_offset(1)
    swapped = raw[:a] + raw[b : b + SMALL + TAG] + raw[a:b] + raw[b + SMALL + TAG :]
    path.write_bytes(swapped)
    with DecryptingReader(path, MASTER) as reader, pytest.raises(IntegrityError):
        reader.read(SMALL)


@pytest.mark.parametrize("cut", ["at_a_chunk_boundary", "inside_a_chunk"])
def test_a_file_cut_short_is_refused_on_open(tmp_path: Path, cut: str) -> None:
    path = tmp_path / "blob.enc"
    encrypt_to(path, os.urandom(4 * SMALL + 10))
    raw = path.read_bytes()
    end = _chunk_offset(3) if cut == "at_a_chunk_boundary" else _chunk_offset(3) - 5
    path.write_bytes(raw[:end])
    with pytest.raises(IntegrityError):
        open_checked(path, MASTER)


def test_another_master_key_or_a_changed_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blob.enc"
    encrypt_to(path, b"payroll" * 40)
    with pytest.raises(IntegrityError):
        open_checked(path, bytes(32))
    raw = bytearray(path.read_bytes())
    raw[HEADER - 1] ^= 0xFF  # the nonce prefix
    path.write_bytes(bytes(raw))
    with pytest.raises(IntegrityError):
        open_checked(path, MASTER)
    path.write_bytes(b"not an encrypted blob at all, but long enough for a header")
    with pytest.raises(IntegrityError, match="unknown format"):
        open_checked(path, MASTER)


def test_each_file_gets_its_own_key_and_nonces(tmp_path: Path) -> None:
    data = b"same plaintext " * 20
    one, two = tmp_path / "one.enc", tmp_path / "two.enc"
    encrypt_to(one, data)
    encrypt_to(two, data)
    assert one.read_bytes()[HEADER:] != two.read_bytes()[HEADER:]


def test_whole_file_readers_get_every_chunk_in_order_from_any_position(tmp_path: Path) -> None:
    import hashlib

    from artifact_viewer.core.crypto.chunks import hash_plaintext

    data = os.urandom(6 * SMALL + 9)
    path = tmp_path / "blob.enc"
    encrypt_to(path, data)
    with DecryptingReader(path, MASTER) as reader:
        reader.seek(SMALL + 3)
        assert b"".join(reader.iter_chunks()) == data[SMALL + 3 :]
        reader.seek(0)
        digest = hashlib.sha256()
        hash_plaintext(reader, digest.update)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_hashing_stops_with_the_error_of_a_damaged_chunk(tmp_path: Path) -> None:
    from artifact_viewer.core.crypto.chunks import hash_plaintext

    path = tmp_path / "blob.enc"
    encrypt_to(path, os.urandom(5 * SMALL))
    raw = bytearray(path.read_bytes())
    raw[_chunk_offset(3)] ^= 0x80
    path.write_bytes(bytes(raw))
    seen: list[bytes] = []
    with DecryptingReader(path, MASTER) as reader, pytest.raises(IntegrityError, match="chunk 3"):
        hash_plaintext(reader, seen.append)
    assert len(seen) == 3


def bound_file(tmp_path: Path, data: bytes, digest: bytes) -> Path:
    out = io.BytesIO()
    sink = ChunkEncryptor(MASTER, out.write, chunk_size=SMALL, bound=True)
    sink.write(data)
    sink.finish(digest)
    folder = tmp_path / digest.hex()[:2]
    folder.mkdir(exist_ok=True)
    path = folder / (digest.hex()[2:] + ".enc")
    path.write_bytes(out.getvalue())
    return path


def test_a_bound_file_authenticates_only_under_its_own_address(tmp_path: Path) -> None:
    import hashlib

    from artifact_viewer.core.crypto.chunks import authenticate_all

    data = os.urandom(5 * SMALL + 9)
    digest = hashlib.sha256(data).digest()
    path = bound_file(tmp_path, data, digest)
    with open_checked(path, MASTER) as reader:
        assert reader.read() == data
        assert authenticate_all(reader) == len(data)
    other = hashlib.sha256(b"another file").hexdigest()
    moved = tmp_path / other[:2] / (other[2:] + ".enc")
    moved.parent.mkdir(exist_ok=True)
    moved.write_bytes(path.read_bytes())  # the same bytes under another content address
    with pytest.raises(IntegrityError):
        open_checked(moved, MASTER)
    raw = bytearray(path.read_bytes())
    raw[HEADER + 2 * (SMALL + TAG) + 3] ^= 0x20  # a middle chunk: open_checked passes
    path.write_bytes(bytes(raw))
    with open_checked(path, MASTER) as reader, pytest.raises(IntegrityError):
        authenticate_all(reader)


def test_a_bound_file_needs_its_digest_to_be_written() -> None:
    sink = ChunkEncryptor(MASTER, io.BytesIO().write, chunk_size=SMALL, bound=True)
    with pytest.raises(ValueError):
        sink.finish()
