"""The error tree: shape, user-facing text, and the safe fallback for foreign exceptions."""

from __future__ import annotations

import pytest

from artifact_viewer.core import errors as e


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (e.ConfigError, e.ArtifactViewerError),
        (e.ApiError, e.ArtifactViewerError),
        (e.BadRequest, e.ApiError),
        (e.AuthError, e.ApiError),
        (e.NotFound, e.ApiError),
        (e.RateLimited, e.ApiError),
        (e.ServerError, e.ApiError),
        (e.NetworkError, e.ArtifactViewerError),
        (e.OfflineError, e.NetworkError),
        (e.SignedUrlExpired, e.ArtifactViewerError),
        (e.IntegrityError, e.ArtifactViewerError),
        (e.Cancelled, e.ArtifactViewerError),
        (e.PreviewError, e.ArtifactViewerError),
    ],
)
def test_tree_shape(cls, parent) -> None:
    assert issubclass(cls, parent)


def test_user_message_is_message_then_hint() -> None:
    err = e.NotFound("The workflow run r1 was not found (404).", status=404)
    assert err.user_message() == (
        "The workflow run r1 was not found (404). "
        "It may have been deleted, or belong to another organisation."
    )


def test_explicit_hint_replaces_the_default() -> None:
    err = e.ConfigError("No key.", hint="Set ANON_API_KEY.")
    assert err.user_message() == "No key. Set ANON_API_KEY."


def test_api_error_appends_detail_and_keeps_status() -> None:
    err = e.ServerError("The Anon API failed (503)", status=503, detail="maintenance.")
    assert err.status == 503
    assert str(err) == "The Anon API failed (503): maintenance."


def test_rate_limited_keeps_retry_after() -> None:
    err = e.RateLimited("slow down.", retry_after=12.0, status=429)
    assert err.retry_after == 12.0
    assert err.status == 429


def test_integrity_error_keeps_hashes() -> None:
    err = e.IntegrityError("Hash mismatch.", expected="aa", actual="bb")
    assert (err.expected, err.actual) == ("aa", "bb")
    assert "not kept" in err.user_message()


def test_repr_names_the_class() -> None:
    assert repr(e.NetworkError("down.")) == "NetworkError('down.')"


def test_user_message_for_foreign_exceptions_is_safe() -> None:
    assert "disk" in e.user_message(OSError(28, "No space left on device")).lower()
    missing = e.user_message(FileNotFoundError(2, "No such file or directory", "/data/x.csv"))
    assert missing.startswith("A file operation failed on /data/x.csv: No such file")
    text = e.user_message(KeyError("anon_secret_in_key_error"))
    assert text.startswith("Unexpected error (KeyError)")
    assert "anon_secret_in_key_error" not in text


def test_user_message_for_our_exceptions_delegates() -> None:
    err = e.AuthError("The API key was rejected (401).", status=401)
    assert e.user_message(err) == err.user_message()
