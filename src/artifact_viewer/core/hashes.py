"""Read an artifact's ``fileHash`` (hex, prefixed or base64) and hash bytes incrementally."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

_HEX_RE = re.compile(r"^[0-9a-fA-F]+$")
_DIGEST_SIZES = {"sha256": 32, "md5": 16}
_B64_RE = re.compile(r"^[A-Za-z0-9+/_-]+={0,2}$")
_PREFIX_RE = re.compile(r"^(?P<algo>sha-?256|md5)[:=-](?P<value>.+)$", re.IGNORECASE)
READ_CHUNK = 1024 * 1024


class HashAlgo(StrEnum):
    SHA256 = "sha256"
    MD5 = "md5"


@dataclass(frozen=True, slots=True)
class ExpectedHash:
    """A digest we can check against: algorithm plus lowercase hex."""

    algo: HashAlgo
    hex: str

    def __str__(self) -> str:
        return f"{self.algo}:{self.hex}"


def parse_file_hash(value: str | None) -> ExpectedHash | None:
    """The hash ``value`` names, or None when its format is not recognised ("not verifiable").

    Accepted: 64 hex digits (SHA-256), 32 hex digits (MD5), either with a ``sha256:`` /
    ``md5:`` prefix, and base64 (standard or URL-safe) of a 32- or 16-byte digest.
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    forced: HashAlgo | None = None
    match = _PREFIX_RE.match(text)
    if match:
        name = match.group("algo").lower().replace("-", "")
        forced = HashAlgo(name)
        text = match.group("value").strip()
    digest = _decode(text)
    if digest is None:
        return None
    algo = _algo_for_size(len(digest))
    if algo is None or (forced is not None and forced is not algo):
        return None
    return ExpectedHash(algo, digest.hex())


def _decode(text: str) -> bytes | None:
    if len(text) in (64, 32) and _HEX_RE.match(text):
        return bytes.fromhex(text)
    if not _B64_RE.match(text):
        return None
    # URL-safe and standard alphabets both occur; normalise to standard, restore padding.
    normal = text.rstrip("=").replace("-", "+").replace("_", "/")
    normal += "=" * (-len(normal) % 4)
    try:
        raw = base64.b64decode(normal.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) in _DIGEST_SIZES.values() else None


def _algo_for_size(size: int) -> HashAlgo | None:
    for name, digest_size in _DIGEST_SIZES.items():
        if digest_size == size:
            return HashAlgo(name)
    return None


class _HashObject(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...
    def hexdigest(self) -> str: ...
    def copy(self) -> _HashObject: ...


class Hasher:
    """Hashes a byte stream once: always SHA-256 (the cache address), plus the expected algorithm.

    ``size`` counts the bytes seen, so a resumed transfer can check it continues where it
    left off.
    """

    def __init__(self, expected: ExpectedHash | None = None) -> None:
        self.expected = expected
        self._sha256: _HashObject = hashlib.sha256()
        self._other: _HashObject | None = None
        if expected is not None and expected.algo is not HashAlgo.SHA256:
            self._other = hashlib.new(expected.algo.value)
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self._sha256.update(data)
        if self._other is not None:
            self._other.update(data)
        self.size += len(data)

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    def actual(self) -> str | None:
        """The digest in the expected algorithm (None if nothing was expected)."""
        if self.expected is None:
            return None
        if self._other is not None:
            return self._other.hexdigest()
        return self.sha256

    def matches(self) -> bool:
        """True only when a hash was expected and the bytes produce it."""
        return self.expected is not None and self.actual() == self.expected.hex


def hash_file(path: Path, expected: ExpectedHash | None = None) -> Hasher:
    """Hash a whole file in bounded memory."""
    hasher = Hasher(expected)
    buffer = bytearray(READ_CHUNK)
    view = memoryview(buffer)
    # readinto one reused buffer: no allocation per chunk, so this runs at hashlib speed.
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer):
            hasher.update(view[:size])
    return hasher
