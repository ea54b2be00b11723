"""The encrypted blob format: AES-256-GCM over fixed-size chunks, each authenticated in place.

::

    header   "AVBLOBE1" | chunk size (u32 BE) | salt (16) | nonce prefix (4)    32 bytes
    chunk i  AES-GCM(ciphertext of up to chunk-size bytes) | tag (16)

The file key is HKDF-SHA256(master key, salt). Chunk i's nonce is the nonce prefix and
i as a u64; its associated data is the header, i and a final-chunk flag, so a chunk moved,
dropped, swapped with another file's or cut off at the end fails authentication. The last
chunk is always flagged final (an empty file has one empty final chunk), so truncation at
a chunk boundary is detected too. The plaintext size follows from the file size.

Version 2 (``AVBLOBE2``, what the cache writes) also binds the file to its content
address: the final chunk's associated data ends with the SHA-256 of the whole plaintext,
computed as it was written. A reader must know that digest (the cache names files by it),
so a file moved under another address fails too, and checking every chunk's tag proves
the plaintext is exactly the bytes that hashed to it (see :func:`authenticate_all`).
"""

from __future__ import annotations

import io
import os
import queue
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from artifact_viewer.core.crypto.keys import file_key
from artifact_viewer.core.errors import IntegrityError

MAGIC = b"AVBLOBE1"
MAGIC_BOUND = b"AVBLOBE2"  # the final chunk also authenticates the plaintext's SHA-256
DIGEST = 32
CHUNK_SIZE = 1024 * 1024
TAG = 16
SALT = 16
NONCE_PREFIX = 4
HEADER = len(MAGIC) + 4 + SALT + NONCE_PREFIX
_HEADER_STRUCT = struct.Struct(f">{len(MAGIC)}sI{SALT}s{NONCE_PREFIX}s")
_INDEX = struct.Struct(">Q")
MAX_CHUNK = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Header:
    chunk_size: int
    salt: bytes
    nonce_prefix: bytes
    bound: bool = False  # version 2: the final chunk authenticates the plaintext's digest

    def pack(self) -> bytes:
        magic = MAGIC_BOUND if self.bound else MAGIC
        return _HEADER_STRUCT.pack(magic, self.chunk_size, self.salt, self.nonce_prefix)

    @classmethod
    def new(cls, chunk_size: int = CHUNK_SIZE, *, bound: bool = False) -> Header:
        return cls(chunk_size, os.urandom(SALT), os.urandom(NONCE_PREFIX), bound)

    @classmethod
    def unpack(cls, data: bytes) -> Header:
        if len(data) < HEADER:
            raise IntegrityError("The encrypted cache file is cut short (no complete header).")
        magic, chunk_size, salt, prefix = _HEADER_STRUCT.unpack(data[:HEADER])
        if magic not in (MAGIC, MAGIC_BOUND) or not 0 < chunk_size <= MAX_CHUNK:
            raise IntegrityError("The encrypted cache file has an unknown format.")
        return cls(chunk_size, salt, prefix, magic == MAGIC_BOUND)


def _nonce(header: Header, index: int) -> bytes:
    return header.nonce_prefix + _INDEX.pack(index)


def _aad(packed_header: bytes, index: int, final: bool, digest: bytes = b"") -> bytes:
    return packed_header + _INDEX.pack(index) + (b"\x01" + digest if final else b"\x00")


def digest_from_name(path: Path) -> bytes | None:
    """The SHA-256 a cache file is stored under (``sha256/ab/cdef….enc``), or None."""
    name = path.parent.name + path.name.removesuffix(".enc")
    try:
        raw = bytes.fromhex(name)
    except ValueError:
        return None
    return raw if len(raw) == DIGEST and len(name) == 2 * DIGEST else None


def plaintext_size(file_size: int, chunk_size: int) -> int:
    """The plaintext size of an encrypted file of ``file_size`` bytes."""
    body = file_size - HEADER
    if body < TAG:
        raise IntegrityError("The encrypted cache file is cut short.")
    chunks = -(-body // (chunk_size + TAG))
    return body - chunks * TAG


class ChunkEncryptor:
    """Encrypts a plaintext stream into ``write`` (e.g. a file descriptor writer), one chunk
    at a time; the header goes out first. :meth:`finish` writes the final chunk (with
    ``bound``, binding the plaintext's SHA-256 given to it)."""

    def __init__(
        self,
        master: bytes,
        write: Callable[[bytes], None],
        chunk_size: int = CHUNK_SIZE,
        *,
        bound: bool = False,
    ) -> None:
        self.header = Header.new(chunk_size, bound=bound)
        self._packed = self.header.pack()
        self._aes = AESGCM(file_key(master, self.header.salt))
        self._write = write
        self._buffer = bytearray()
        self._index = 0
        self._finished = False
        write(self._packed)

    def _emit(self, data: bytes | bytearray | memoryview, final: bool, digest: bytes = b"") -> None:
        sealed = self._aes.encrypt(
            _nonce(self.header, self._index), data, _aad(self._packed, self._index, final, digest)
        )
        self._write(sealed)
        self._index += 1

    def write(self, data: bytes | bytearray | memoryview) -> None:
        size = self.header.chunk_size
        self._buffer += data
        # Keep the last (possibly full) chunk back: only finish() knows it is the final one.
        if len(self._buffer) > size:
            whole = (len(self._buffer) - 1) // size * size
            with memoryview(self._buffer) as view:
                for start in range(0, whole, size):
                    self._emit(view[start : start + size], final=False)
            del self._buffer[:whole]

    def finish(self, sha256: bytes | None = None) -> None:
        """Write the final chunk; a bound file needs the plaintext's SHA-256 (32 bytes)."""
        if not self._finished:
            if self.header.bound and (sha256 is None or len(sha256) != DIGEST):
                raise ValueError("a bound encrypted file needs its plaintext's SHA-256")
            digest = sha256 if self.header.bound and sha256 is not None else b""
            self._emit(self._buffer, final=True, digest=digest)
            self._buffer = bytearray()
            self._finished = True


class DecryptingReader(io.RawIOBase):
    """A read-only, seekable file of the plaintext of an encrypted blob.

    Reads decrypt (and authenticate) only the chunks they touch; a chunk that fails
    authentication raises :class:`IntegrityError`, never returns bytes. A bound (version
    2) file's final chunk needs its content address: ``sha256``, else the file's name.
    """

    def __init__(self, path: Path, master: bytes, sha256: bytes | None = None) -> None:
        super().__init__()
        self._digest = sha256 if sha256 is not None else digest_from_name(path)
        self._file = path.open("rb", buffering=0)
        try:
            packed = self._file.read(HEADER)
            self.header = Header.unpack(packed)
            self._packed = packed
            self._size = plaintext_size(
                os.fstat(self._file.fileno()).st_size, self.header.chunk_size
            )
        except BaseException:
            self._file.close()
            raise
        self._aes = AESGCM(file_key(master, self.header.salt))
        self._chunks = max(1, -(-self._size // self.header.chunk_size))
        self._pos = 0
        self._cached_index = -1
        self._cached = b""

    @property
    def size(self) -> int:
        return self._size

    @property
    def chunk_size(self) -> int:
        return self.header.chunk_size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            target = offset
        elif whence == io.SEEK_CUR:
            target = self._pos + offset
        elif whence == io.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if target < 0:
            raise ValueError("negative seek position")
        self._pos = target
        return self._pos

    def chunk(self, index: int) -> bytes:
        """The plaintext of chunk ``index`` (authenticated)."""
        if index == self._cached_index:
            return self._cached
        size = self.header.chunk_size
        final = index == self._chunks - 1
        self._file.seek(HEADER + index * (size + TAG))
        sealed = self._file.read(size + TAG)
        try:
            plain = self._aes.decrypt(_nonce(self.header, index), sealed, self.aad(index, final))
        except InvalidTag:
            raise IntegrityError(
                f"The encrypted cache file failed authentication at chunk {index}"
                " (changed, cut short or reordered on disk)."
            ) from None
        self._cached_index, self._cached = index, plain
        return plain

    def aad(self, index: int, final: bool) -> bytes:
        """Chunk ``index``'s associated data (a bound file's final one needs its digest)."""
        digest = b""
        if final and self.header.bound:
            if self._digest is None:
                raise IntegrityError("The encrypted cache file's content address is unknown.")
            digest = self._digest
        return _aad(self._packed, index, final, digest)

    def iter_chunks(self) -> Iterator[bytes]:
        """Every chunk's plaintext in order, from the current position's chunk on (for
        whole-file readers: hashing, copying; fewer copies than :meth:`read`)."""
        size = self.header.chunk_size
        first, skip = divmod(self._pos, size)
        for index in range(first, self._chunks):
            plain = self.chunk(index)
            self._cached_index, self._cached = -1, b""  # sequential: nothing to keep
            self._pos = min(self._size, (index + 1) * size)
            yield plain[skip:] if skip else plain
            skip = 0

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), max(0, self._size - self._pos))
        done = 0
        size = self.header.chunk_size
        while done < wanted:
            index, offset = divmod(self._pos, size)
            plain = self.chunk(index)
            take = min(wanted - done, len(plain) - offset)
            view[done : done + take] = plain[offset : offset + take]
            done += take
            self._pos += take
        return done

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = max(0, self._size - self._pos)
        index, offset = divmod(self._pos, self.header.chunk_size)
        if offset + size <= self.header.chunk_size and self._pos < self._size:
            piece = self.chunk(index)[offset : offset + size]  # within one chunk: one copy
            self._pos += len(piece)
            return piece
        buffer = bytearray(min(size, max(0, self._size - self._pos)))
        got = self.readinto(buffer)
        return bytes(buffer[:got])

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        if not self.closed:
            self._file.close()
            self._cached = b""
        super().close()


def hash_plaintext(reader: DecryptingReader, update: Callable[[bytes], None]) -> None:
    """Feed every chunk's plaintext to ``update`` (a hash's), hashing on a second thread
    while the next chunk is read and decrypted: hashlib lets go of the GIL for large
    updates, so the two overlap and verifying an encrypted file costs little more than
    hashing a plain one."""
    pending: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def consume() -> None:
        try:
            while (piece := pending.get()) is not None:
                update(piece)
        except BaseException as exc:  # re-raised on the caller's thread
            failure.append(exc)
            while pending.get() is not None:  # drain so the producer never blocks
                pass

    worker = threading.Thread(target=consume, name="hash-plaintext", daemon=True)
    worker.start()
    try:
        for piece in reader.iter_chunks():
            if failure:
                break
            pending.put(piece)
    finally:
        pending.put(None)
        worker.join()
    if failure:
        raise failure[0]


def authenticate_all(reader: DecryptingReader) -> int:
    """Check every chunk's tag (decrypting into one reused buffer, nothing kept); returns
    the plaintext size.

    For a bound file this proves the plaintext is exactly the bytes whose SHA-256 is its
    content address: tags can only be made with the file key (HKDF of the keyring's master
    key and the file's salt); each chunk is tied to its place and the final one to the
    digest, which the writer computed over the very bytes it encrypted (and checked
    against the API's hash before it committed the file). So no re-hash is needed; only
    someone holding the master key could make other bytes pass."""
    size = reader.header.chunk_size
    handle = reader._file
    buffer = bytearray(size)
    for index in range(reader._chunks):
        final = index == reader._chunks - 1
        handle.seek(HEADER + index * (size + TAG))
        sealed = handle.read(size + TAG)
        if len(sealed) < TAG:
            raise IntegrityError("The encrypted cache file is cut short.")
        try:
            reader._aes.decrypt_into(
                _nonce(reader.header, index),
                sealed,
                reader.aad(index, final),
                memoryview(buffer)[: len(sealed) - TAG],
            )
        except InvalidTag:
            raise IntegrityError(
                f"The encrypted cache file failed authentication at chunk {index}"
                " (changed, cut short or reordered on disk)."
            ) from None
    return reader.size


def open_checked(path: Path, master: bytes) -> DecryptingReader:
    """Open ``path`` for reading and check its final chunk at once, so a file cut short
    is found before anyone reads from it."""
    reader = DecryptingReader(path, master)
    try:
        reader.chunk(reader._chunks - 1)
    except BaseException:
        reader.close()
        raise
    return reader
