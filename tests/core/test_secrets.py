"""API key resolution and storage: env, keyring, session memory; never a file, never in a log."""

from __future__ import annotations

import logging
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import NoKeyringError, PasswordSetError

from artifact_viewer.core.errors import ConfigError
from artifact_viewer.core.logs import setup_logging, teardown_logging
from artifact_viewer.core.redact import redact
from artifact_viewer.core.secrets import (
    KEYRING_SERVICE,
    NO_KEYRING_MESSAGE,
    check_api_key,
    clear_session_keys,
    forget_api_key,
    require_api_key,
    resolve_api_key,
    save_api_key,
)
from artifact_viewer.core.settings import Settings, save_settings

BASE = "https://worker.anon.com/api/v2"


@pytest.fixture(autouse=True)
def no_session_keys():
    clear_session_keys()
    yield
    clear_session_keys()
    teardown_logging()


class RefusingKeyring(KeyringBackend):
    """A backend that looks real but refuses every write (locked or broken keychain)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        raise NoKeyringError("locked")

    def set_password(self, service, username, password):
        raise PasswordSetError("locked")

    def delete_password(self, service, username):
        raise NoKeyringError("locked")


def files_containing(root: Path, text: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def test_env_key_wins_over_keyring(monkeypatch, memory_keyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, BASE, "anon_from_keyring")
    monkeypatch.setenv("ANON_API_KEY", " anon_from_env ")
    resolved = resolve_api_key(BASE)
    assert resolved is not None
    assert (resolved.key, resolved.source) == ("anon_from_env", "env")


def test_keyring_key_is_found_by_base_url(memory_keyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, BASE, "anon_from_keyring")
    resolved = resolve_api_key(BASE + "/")
    assert resolved is not None
    assert (resolved.key, resolved.source) == ("anon_from_keyring", "keyring")
    assert resolve_api_key("https://other.example/api/v2") is None


def test_save_puts_the_key_in_the_keyring(memory_keyring) -> None:
    result = save_api_key(BASE, "anon_saved_key_1")
    assert result.persistent and result.warning is None
    assert memory_keyring.store[(KEYRING_SERVICE, BASE)] == "anon_saved_key_1"
    assert require_api_key(BASE) == "anon_saved_key_1"


def test_loaded_key_is_registered_for_redaction_even_without_prefix(memory_keyring) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, BASE, "legacyKEY-998877")
    resolve_api_key(BASE)
    assert "legacyKEY-998877" not in redact("sent legacyKEY-998877 to the server")


def test_resolved_key_repr_hides_the_key(monkeypatch) -> None:
    monkeypatch.setenv("ANON_API_KEY", "anon_repr_hidden")
    assert "anon_repr_hidden" not in repr(resolve_api_key(BASE))


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring(), RefusingKeyring()],
    ids=["fail", "null-silently-drops", "refusing"],
)
def test_without_a_keyring_the_key_lives_in_memory_only(backend, app_home: Path, capsys) -> None:
    keyring.set_keyring(backend)
    setup_logging(verbose=True)
    save_settings(Settings())
    key = "anon_session_only_key_42"
    result = save_api_key(BASE, key)
    assert not result.persistent
    assert result.warning == NO_KEYRING_MESSAGE
    resolved = resolve_api_key(BASE)
    assert resolved is not None
    assert (resolved.key, resolved.source) == (key, "session")
    logging.getLogger("artifact_viewer.secrets").info("using key %s", key)
    teardown_logging()
    assert files_containing(app_home, key) == []
    assert any(app_home.rglob("*.log"))  # the log was written, just without the key
    captured = capsys.readouterr()
    assert "using key [redacted]" in captured.err  # console handler, verbose
    assert key not in captured.err + captured.out


def test_no_key_anywhere_is_a_config_error() -> None:
    assert resolve_api_key(BASE) is None
    with pytest.raises(ConfigError) as info:
        require_api_key(BASE)
    assert "ANON_API_KEY" in info.value.user_message()


def test_forget_removes_keyring_and_session_copies(memory_keyring) -> None:
    save_api_key(BASE, "anon_forget_me_1")
    forget_api_key(BASE)
    assert resolve_api_key(BASE) is None
    forget_api_key(BASE)  # forgetting twice is fine


def test_forget_with_a_refusing_keyring_does_not_raise() -> None:
    keyring.set_keyring(RefusingKeyring())
    save_api_key(BASE, "anon_forget_me_2")
    forget_api_key(BASE)
    assert resolve_api_key(BASE) is None


@pytest.mark.parametrize("bad", ["", "   ", "anon_ab cd", "anon_ab\ncd", "anon_\x00zz"])
def test_empty_or_broken_keys_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError):
        check_api_key(bad)


def test_trailing_newline_from_a_paste_is_stripped() -> None:
    assert check_api_key("anon_pasted_key\n") == ("anon_pasted_key", None)


def test_key_without_anon_prefix_is_accepted_with_a_warning(memory_keyring) -> None:
    cleaned, warning = check_api_key("sk_live_other_format")
    assert cleaned == "sk_live_other_format"
    assert warning is not None and "anon_" in warning
    assert save_api_key(BASE, "sk_live_other_format").persistent


def test_keyring_available_only_with_a_real_backend(memory_keyring) -> None:
    from artifact_viewer.core.secrets import keyring_available

    assert keyring_available()
    for backend in (keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()):
        keyring.set_keyring(backend)
        assert not keyring_available()
