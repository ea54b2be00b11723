"""The cache's master key (in the OS keyring, never a file) and per-file keys derived from it."""

from __future__ import annotations

import base64
import binascii
import logging
import os
import threading
from types import ModuleType

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from artifact_viewer.core.errors import ConfigError
from artifact_viewer.core.secrets import KEYRING_SERVICE, keyring_available

log = logging.getLogger("artifact_viewer.crypto")

MASTER_KEY_ACCOUNT = "cache-encryption-key"  # keyring entry, beside the API keys
KEY_BYTES = 32
_HKDF_INFO = b"artifact-viewer cache file key v1"
NO_KEYRING = (
    "The cache cannot be encrypted: no system keyring is available to keep the key"
    " (a key kept in a file beside the cache would protect nothing)."
)
KEY_MISSING = (
    "The cache is encrypted, but its key is no longer in the system keyring, so the"
    " cached files cannot be read."
)

_lock = threading.Lock()


def _keyring() -> ModuleType:
    import keyring

    return keyring


def load_master_key() -> bytes | None:
    """The master key from the keyring, or None if there is none (or no keyring)."""
    if not keyring_available():
        return None
    try:
        stored = _keyring().get_password(KEYRING_SERVICE, MASTER_KEY_ACCOUNT)
    except Exception as exc:
        log.warning("Keyring lookup of the cache key failed (%s)", type(exc).__name__)
        return None
    if not stored:
        return None
    try:
        key = base64.b64decode(stored.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        log.warning("The cache key in the keyring is unreadable")
        return None
    return key if len(key) == KEY_BYTES else None


def ensure_master_key() -> bytes:
    """The master key, created and saved in the keyring on first use.

    Raises :class:`ConfigError` (saying why) when no keyring can keep it.
    """
    with _lock:
        key = load_master_key()
        if key is not None:
            return key
        if not keyring_available():
            raise ConfigError(NO_KEYRING, hint="Install and unlock a system keyring, then retry.")
        key = os.urandom(KEY_BYTES)
        try:
            _keyring().set_password(
                KEYRING_SERVICE, MASTER_KEY_ACCOUNT, base64.b64encode(key).decode("ascii")
            )
        except Exception as exc:
            raise ConfigError(
                f"The system keyring refused to keep the cache key ({type(exc).__name__}).",
                hint="Unlock the keyring, then try again.",
            ) from None
        if load_master_key() != key:
            raise ConfigError(NO_KEYRING, hint="Check that the system keyring keeps entries.")
        log.info("Created the cache encryption key in the system keyring")
        return key


def delete_master_key() -> bool:
    """Remove the master key from the keyring; True if one was there."""
    if not keyring_available():
        return False
    try:
        present = _keyring().get_password(KEYRING_SERVICE, MASTER_KEY_ACCOUNT) is not None
        if present:
            _keyring().delete_password(KEYRING_SERVICE, MASTER_KEY_ACCOUNT)
    except Exception as exc:
        log.warning("Keyring could not delete the cache key (%s)", type(exc).__name__)
        return False
    return present


def file_key(master: bytes, salt: bytes) -> bytes:
    """The AES-256 key of one cached file: HKDF-SHA256 of the master key with its own salt."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=_HKDF_INFO).derive(
        master
    )
