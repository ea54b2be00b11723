"""Redaction: keys, bearer tokens and signed URLs never survive into text, errors, reprs or logs."""

from __future__ import annotations

import logging

import pytest

from artifact_viewer.core.errors import ApiError, NetworkError, SignedUrlExpired
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.redact import REDACTED, RedactingFilter, redact, register_secret

S3 = (
    "https://bucket.s3.amazonaws.com/o/w2.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIAEXAMPLE%2F20240101&X-Amz-Date=20240101T000000Z"
    "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=feedface00"
)
GCS = (
    "https://storage.googleapis.com/bkt/o.csv?X-Goog-Algorithm=GOOG4-RSA-SHA256"
    "&X-Goog-Credential=svc%40p.iam&X-Goog-Date=20240101T000000Z&X-Goog-Expires=900"
    "&X-Goog-SignedHeaders=host&X-Goog-Signature=beadfeed11"
)
CLOUDFRONT = "https://d1.cloudfront.net/a.png?Expires=1700000000&Signature=abcDEF~&Key-Pair-Id=K2"


@pytest.mark.parametrize("url", [S3, GCS, CLOUDFRONT])
def test_signed_url_keeps_host_and_path_but_loses_query(url: str) -> None:
    out = redact(f"GET {url} failed")
    base = url.split("?")[0]
    assert out == f"GET {base}?{REDACTED} failed"


@pytest.mark.parametrize(
    "fragment",
    ["X-Amz-Signature=feedface00", "X-Goog-Signature=beadfeed11", "Signature=abc&x"],
)
def test_bare_signature_parameters_are_redacted(fragment: str) -> None:
    assert fragment.split("=")[1].split("&")[0] not in redact(f"params: {fragment}")


def test_api_keys_and_bearer_tokens() -> None:
    out = redact("key anon_AbC123_xyz-9 and Authorization: Bearer eyJhbGciOi.xyz.sig")
    assert "anon_AbC123_xyz-9" not in out
    assert "eyJhbGciOi" not in out
    assert "Bearer [redacted]" in out


def test_registered_secret_without_a_known_shape() -> None:
    register_secret("zz-custom-secret-123")
    assert "zz-custom-secret-123" not in redact("value zz-custom-secret-123 here")


def test_plain_api_urls_and_text_are_untouched() -> None:
    text = "GET https://worker.anon.com/api/v2/workflow-runs/1234 -> 404; anon is a word"
    assert redact(text) == text


def test_errors_are_redacted_in_message_detail_hint_str_and_repr() -> None:
    err = ApiError(
        f"failed for {S3}",
        status=500,
        detail="key anon_leaky_key_123 rejected",
        hint=f"retry {GCS}",
    )
    for text in (str(err), repr(err), err.user_message(), err.detail or ""):
        assert "feedface00" not in text
        assert "beadfeed11" not in text
        assert "anon_leaky_key_123" not in text


def test_other_error_types_redact_too() -> None:
    for err in (NetworkError(f"cannot reach {S3}"), SignedUrlExpired(f"expired: {GCS}")):
        assert "Signature=" not in str(err) + repr(err)


def test_artifact_repr_never_shows_the_signed_url() -> None:
    artifact = Artifact.from_json({"id": "a", "signedUrl": S3})
    assert "feedface00" not in repr(artifact)
    assert "feedface00" not in str(artifact)


def make_record(msg: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("artifact_viewer.test", logging.INFO, __file__, 1, msg, args, exc_info)


def test_filter_redacts_formatted_args() -> None:
    record = make_record("downloading %s with %s", S3, "anon_filter_key_55")
    assert RedactingFilter().filter(record) is True
    message = record.getMessage()
    assert "feedface00" not in message
    assert "anon_filter_key_55" not in message
    assert message.startswith("downloading https://bucket.s3.amazonaws.com/o/w2.pdf?")


def test_filter_redacts_exception_tracebacks() -> None:
    try:
        raise ValueError(f"bad {GCS}")
    except ValueError:
        import sys

        record = make_record("oops", exc_info=sys.exc_info())
    RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "ValueError" in formatted
    assert "beadfeed11" not in formatted


def test_filter_survives_a_broken_format_string() -> None:
    record = make_record("two args %s %s", "only-one")
    assert RedactingFilter().filter(record) is True
    assert "two args" in record.getMessage()
