"""fileHash parsing: each recognised form names its algorithm; anything else is not verifiable."""

from __future__ import annotations

import base64
import hashlib

import pytest

from artifact_viewer.core.hashes import HashAlgo, Hasher, hash_file, parse_file_hash

DATA = b"payroll,2025-01\nalice,100\n"
SHA = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()


@pytest.mark.parametrize(
    ("text", "algo", "hexdigest"),
    [
        (SHA, HashAlgo.SHA256, SHA),
        (SHA.upper(), HashAlgo.SHA256, SHA),
        (f"sha256:{SHA}", HashAlgo.SHA256, SHA),
        (f"SHA-256={SHA}", HashAlgo.SHA256, SHA),
        (MD5, HashAlgo.MD5, MD5),
        (f"md5:{MD5}", HashAlgo.MD5, MD5),
        (base64.b64encode(bytes.fromhex(SHA)).decode(), HashAlgo.SHA256, SHA),
        (base64.urlsafe_b64encode(bytes.fromhex(SHA)).decode().rstrip("="), HashAlgo.SHA256, SHA),
        (f"sha256:{base64.b64encode(bytes.fromhex(SHA)).decode()}", HashAlgo.SHA256, SHA),
        (base64.b64encode(bytes.fromhex(MD5)).decode(), HashAlgo.MD5, MD5),
        (f"  {SHA}\n", HashAlgo.SHA256, SHA),
    ],
)
def test_recognised_hash_formats_name_their_algorithm(text, algo, hexdigest):
    parsed = parse_file_hash(text)
    assert parsed is not None
    assert parsed.algo is algo
    assert parsed.hex == hexdigest


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "abc123",
        SHA[:-1],  # 63 hex digits
        SHA + "0",  # 65 hex digits
        "crc32:1234abcd",
        f"md5:{SHA}",  # prefix disagrees with the digest length
        "etag-3f2a",
        base64.b64encode(b"x" * 20).decode(),  # 20 bytes: SHA-1, which we do not accept
        "!!!!not-base64!!!!",
    ],
)
def test_unrecognised_hash_is_not_verifiable(text):
    assert parse_file_hash(text) is None


def test_hasher_matches_only_the_right_bytes():
    expected = parse_file_hash(SHA)
    good = Hasher(expected)
    good.update(DATA[:5])
    good.update(DATA[5:])
    assert good.matches() and good.size == len(DATA) and good.sha256 == SHA
    bad = Hasher(expected)
    bad.update(DATA + b"x")
    assert not bad.matches()


def test_hasher_without_expected_hash_never_claims_a_match():
    hasher = Hasher(None)
    hasher.update(DATA)
    assert not hasher.matches()
    assert hasher.actual() is None
    assert hasher.sha256 == SHA


def test_md5_expected_still_computes_sha256_address(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(DATA)
    hasher = hash_file(path, parse_file_hash(MD5))
    assert hasher.matches()
    assert hasher.actual() == MD5
    assert hasher.sha256 == SHA
