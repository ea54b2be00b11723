"""The API key: from ANON_API_KEY, else the OS keyring, else this session's memory; never a file."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from types import ModuleType

from artifact_viewer.core.errors import ConfigError
from artifact_viewer.core.redact import register_secret
from artifact_viewer.core.settings import normalize_base_url

log = logging.getLogger("artifact_viewer.secrets")

API_KEY_ENV = "ANON_API_KEY"
KEYRING_SERVICE = "artifact-viewer"
KEY_PREFIX = "anon_"
NO_KEYRING_MESSAGE = (
    "No system keyring is available; the key is kept for this session only. "
    "Set ANON_API_KEY to avoid typing it."
)

KeySource = Literal["env", "keyring", "session"]

# Keys typed in while no keyring works: this process only, gone at exit.
_session_keys: dict[str, str] = {}
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A key and where it came from (shown in Settings as "from environment" etc.)."""

    key: str
    source: KeySource

    def __repr__(self) -> str:  # the key itself never appears in a repr
        return f"ResolvedKey(source={self.source!r})"


@dataclass(frozen=True, slots=True)
class SaveResult:
    """Where a saved key ended up; ``warning`` is set when it could not be kept in the keyring."""

    stored_in: Literal["keyring", "session"]
    warning: str | None = None

    @property
    def persistent(self) -> bool:
        return self.stored_in == "keyring"


def check_api_key(key: str) -> tuple[str, str | None]:
    """Return (cleaned key, warning or None). Empty or whitespace-containing keys are refused.

    A missing ``anon_`` prefix only warns: the prefix is documented, but refusing would lock
    out a user whose organisation gets a new key format before we ship an update.
    """
    cleaned = (key or "").strip()
    if not cleaned:
        raise ConfigError("The API key is empty.", hint="Paste the key shown when it was created.")
    if any(ch.isspace() or not ch.isprintable() for ch in cleaned):
        raise ConfigError(
            "The API key contains spaces or control characters.",
            hint="Copy it again without line breaks.",
        )
    register_secret(cleaned)
    if not cleaned.startswith(KEY_PREFIX):
        return cleaned, f"Anon API keys usually start with '{KEY_PREFIX}'; this one does not."
    return cleaned, None


def _keyring() -> ModuleType:
    """The keyring package, imported on first use: it is slow to import and the window (or a
    demo session) often starts without touching a key."""
    import keyring

    return keyring


def _keyring_usable() -> bool:
    """False for keyring's 'fail' and 'null' backends, which exist when no real one does."""
    try:
        backend = _keyring().get_keyring()
    except Exception:
        return False
    module = type(backend).__module__
    return not module.startswith(("keyring.backends.fail", "keyring.backends.null"))


def keyring_available() -> bool:
    """True when a real OS keyring backend is present (so a saved key survives a restart)."""
    return _keyring_usable()


def resolve_api_key(base_url: str) -> ResolvedKey | None:
    """The key to use for ``base_url``: env first, then keyring, then session memory."""
    env = os.environ.get(API_KEY_ENV, "").strip()
    if env:
        register_secret(env)
        return ResolvedKey(env, "env")
    account = normalize_base_url(base_url)
    if _keyring_usable():
        try:
            stored = _keyring().get_password(KEYRING_SERVICE, account)
        except Exception as exc:
            log.warning("Keyring lookup failed (%s); trying session memory", type(exc).__name__)
            stored = None
        if stored:
            register_secret(stored)
            return ResolvedKey(stored, "keyring")
    with _lock:
        session = _session_keys.get(account)
    if session:
        register_secret(session)
        return ResolvedKey(session, "session")
    return None


def require_api_key(base_url: str) -> str:
    """Like :func:`resolve_api_key` but a missing key is a :class:`ConfigError`."""
    resolved = resolve_api_key(base_url)
    if resolved is None:
        raise ConfigError(
            "No API key is configured.",
            hint="Set ANON_API_KEY, or enter the key in Settings to keep it in the system keyring.",
        )
    return resolved.key


def save_api_key(base_url: str, key: str) -> SaveResult:
    """Keep ``key`` for ``base_url`` in the keyring; without one, in memory with a warning."""
    cleaned, prefix_warning = check_api_key(key)
    if prefix_warning:
        log.warning(prefix_warning)
    account = normalize_base_url(base_url)
    if _keyring_usable():
        try:
            _keyring().set_password(KEYRING_SERVICE, account, cleaned)
        except Exception as exc:
            log.warning(
                "Keyring refused the key (%s); keeping it for this session", type(exc).__name__
            )
        else:
            with _lock:
                _session_keys.pop(account, None)
            return SaveResult("keyring")
    with _lock:
        _session_keys[account] = cleaned
    return SaveResult("session", NO_KEYRING_MESSAGE)


def forget_api_key(base_url: str) -> None:
    """Remove the stored key for ``base_url`` from the keyring and session memory."""
    account = normalize_base_url(base_url)
    with _lock:
        _session_keys.pop(account, None)
    if not _keyring_usable():
        return
    from keyring.errors import PasswordDeleteError

    try:
        _keyring().delete_password(KEYRING_SERVICE, account)
    except PasswordDeleteError:
        pass  # nothing stored: already forgotten
    except Exception as exc:
        log.warning("Keyring could not delete the key (%s)", type(exc).__name__)


def clear_session_keys() -> None:
    """Drop every in-memory key (tests; 'sign out')."""
    with _lock:
        _session_keys.clear()
