"""When a signed download URL stops working: S3/GCS query parameters, else 15 min after issue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

DEFAULT_LIFETIME = timedelta(minutes=15)
SAFETY_MARGIN = timedelta(seconds=30)
MAX_LIFETIME = timedelta(days=7)  # S3's own ceiling for a presigned URL
_DATE_PARAMS = ("x-amz-date", "x-goog-date")
_EXPIRES_PARAMS = ("x-amz-expires", "x-goog-expires")


def parse_expiry(url: str, issued_at: datetime) -> datetime:
    """Exact expiry from ``X-Amz-Date``+``X-Amz-Expires`` (or the ``X-Goog-`` pair), else a guess.

    The guess is ``issued_at`` (when we got the artifact from the API) plus 15 minutes,
    the documented lifetime. Malformed parameters also fall back to the guess.
    """
    try:
        query = urlsplit(url).query
    except ValueError:  # malformed (``http://[::1/x``): the download itself reports it
        return issued_at + DEFAULT_LIFETIME
    params = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=True)}
    for date_key, expires_key in zip(_DATE_PARAMS, _EXPIRES_PARAMS, strict=True):
        if date_key in params and expires_key in params:
            try:
                signed = datetime.strptime(params[date_key], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                seconds = int(params[expires_key])
                if seconds < 0:
                    break
                # A lifetime beyond the documented one is not believed (99999999999999 s).
                return signed + min(timedelta(seconds=seconds), MAX_LIFETIME)
            except (ValueError, OverflowError):
                break
    return issued_at + DEFAULT_LIFETIME


@dataclass(frozen=True, slots=True)
class SignedUrl:
    """A download URL and when it expires. Its repr never shows the URL."""

    url: str = field(repr=False)
    issued_at: datetime
    expires_at: datetime

    @classmethod
    def from_url(cls, url: str, issued_at: datetime | None = None) -> SignedUrl:
        issued = issued_at or datetime.now(UTC)
        return cls(url=url, issued_at=issued, expires_at=parse_expiry(url, issued))

    @property
    def lifetime(self) -> timedelta:
        return self.expires_at - self.issued_at

    def margin(self) -> timedelta:
        """30 s, but never more than half the URL's life (tests use 1-second URLs)."""
        return min(SAFETY_MARGIN, max(self.lifetime, timedelta(0)) / 2)

    def usable(self, now: datetime | None = None) -> bool:
        """Fresh enough to start a request with."""
        moment = now or datetime.now(UTC)
        return moment < self.expires_at - self.margin()
