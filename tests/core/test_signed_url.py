"""Signed-URL expiry: exact from S3/GCS parameters, else 15 minutes after issue, with a margin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from artifact_viewer.core.signed_url import SignedUrl, parse_expiry

ISSUED = datetime(2025, 3, 4, 12, 0, 0, tzinfo=UTC)


def test_s3_parameters_give_exact_expiry():
    url = "https://s3.test/o?X-Amz-Algorithm=AWS4&X-Amz-Date=20250304T115500Z&X-Amz-Expires=600&X-Amz-Signature=ab"
    assert parse_expiry(url, ISSUED) == datetime(2025, 3, 4, 12, 5, tzinfo=UTC)


def test_gcs_parameters_give_exact_expiry_case_insensitively():
    url = "https://gcs.test/o?x-goog-date=20250304T120000Z&x-goog-expires=60&x-goog-signature=ab"
    assert parse_expiry(url, ISSUED) == ISSUED + timedelta(seconds=60)


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.test/o?token=abc",
        "https://s3.test/o?X-Amz-Date=yesterday&X-Amz-Expires=600",
        "https://s3.test/o?X-Amz-Date=20250304T115500Z&X-Amz-Expires=soon",
        "https://s3.test/o?X-Amz-Date=20250304T115500Z",
        "https://s3.test/o?X-Amz-Date=20250304T115500Z&X-Amz-Expires=-5",
    ],
)
def test_missing_or_malformed_parameters_assume_fifteen_minutes(url):
    assert parse_expiry(url, ISSUED) == ISSUED + timedelta(minutes=15)


def test_url_is_refreshed_thirty_seconds_before_expiry():
    signed = SignedUrl.from_url("https://cdn.test/o", ISSUED)
    assert signed.usable(ISSUED + timedelta(minutes=14, seconds=29))
    assert not signed.usable(ISSUED + timedelta(minutes=14, seconds=31))


def test_short_lived_url_margin_is_at_most_half_its_life():
    url = "https://s3.test/o?X-Amz-Date=20250304T120000Z&X-Amz-Expires=2"
    signed = SignedUrl.from_url(url, ISSUED)
    assert signed.usable(ISSUED + timedelta(seconds=0.9))
    assert not signed.usable(ISSUED + timedelta(seconds=1.1))


def test_repr_never_shows_the_url():
    signed = SignedUrl.from_url("https://s3.test/o?X-Amz-Signature=supersecret", ISSUED)
    assert "supersecret" not in repr(signed)
