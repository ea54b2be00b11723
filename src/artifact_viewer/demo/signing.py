"""Pre-signed URLs for the stand-in storage (S3, GCS or opaque style): HMAC over path and expiry."""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

STORAGE_PREFIX = "/storage/"
_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
URL_STYLES: tuple[str, ...] = ("s3", "gcs", "opaque")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of checking a signed URL: ok, or an HTTP status with an object-store error."""

    ok: bool
    status: int = 200
    code: str = ""
    message: str = ""
    expires_at: float = 0.0


class Signer:
    """Signs storage paths for a limited time and checks the signatures it made.

    Three URL styles: ``s3`` (X-Amz-Date + X-Amz-Expires; expired answers 403), ``gcs``
    (X-Goog-Date + X-Goog-Expires; expired answers 400 like Google Cloud Storage) and
    ``opaque`` (one ``token`` parameter, so a client cannot read the expiry from the URL).
    """

    def __init__(self, secret: bytes, credential: str = "ASIADEMO0000EXAMPLE") -> None:
        self._secret = secret
        self._credential = credential

    def _signature(self, path: str, expires_at: int) -> str:
        message = f"GET\n{path}\n{expires_at}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(
        self, origin: str, storage_path: str, ttl: float, now: float, style: str = "s3"
    ) -> str:
        """A full URL for ``storage_path`` valid for at least ``ttl`` seconds from ``now``.

        The date parameter has whole seconds, so it is rounded up: the URL never dies early.
        """
        path = STORAGE_PREFIX + quote(storage_path)
        issued = math.ceil(now)
        lifetime = max(0, math.ceil(ttl))
        signature = self._signature(path, issued + lifetime)
        date = time.strftime(_DATE_FORMAT, time.gmtime(issued))
        params: dict[str, str]
        if style == "opaque":
            token = f"{issued + lifetime}.{signature}".encode()
            params = {"token": base64.urlsafe_b64encode(token).decode().rstrip("=")}
        elif style == "gcs":
            params = {
                "X-Goog-Algorithm": "GOOG4-RSA-SHA256",
                "X-Goog-Credential": f"demo@anon-demo.iam.gserviceaccount.com/{date[:8]}/auto/storage/goog4_request",
                "X-Goog-Date": date,
                "X-Goog-Expires": str(lifetime),
                "X-Goog-SignedHeaders": "host",
                "X-Goog-Signature": signature,
            }
        else:
            params = {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Credential": f"{self._credential}/{date[:8]}/us-east-1/s3/aws4_request",
                "X-Amz-Date": date,
                "X-Amz-Expires": str(lifetime),
                "X-Amz-SignedHeaders": "host",
                "X-Amz-Signature": signature,
            }
        return f"{origin}{path}?{urlencode(params)}"

    def verify(self, raw_path: str, query: Mapping[str, str], now: float) -> Verdict:
        """Check a request's path (as sent, still quoted) and query against the signature."""
        parsed = _parse(query)
        if parsed is None:
            return Verdict(
                False,
                403,
                "AccessDenied",
                "Query-string authentication requires the Signature, Expires and Date parameters",
            )
        style, expires_at, signature = parsed
        if not hmac.compare_digest(self._signature(raw_path, expires_at), signature):
            return Verdict(
                False,
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if now >= expires_at:
            if style == "gcs":
                return Verdict(False, 400, "ExpiredToken", "Invalid argument. Request has expired")
            return Verdict(False, 403, "AccessDenied", "Request has expired")
        return Verdict(True, expires_at=float(expires_at))


def _parse(query: Mapping[str, str]) -> tuple[str, int, str] | None:
    """(style, absolute expiry, signature) from a URL's query, or None if it is not signed."""
    try:
        if query.get("token"):
            raw = query["token"] + "=" * (-len(query["token"]) % 4)
            expiry, _, signature = base64.urlsafe_b64decode(raw).decode().partition(".")
            return "opaque", int(expiry), signature
        for style, prefix in (("s3", "X-Amz-"), ("gcs", "X-Goog-")):
            date, lifetime = query.get(prefix + "Date"), query.get(prefix + "Expires")
            signed = query.get(prefix + "Signature")
            if date and lifetime and signed:
                issued = calendar.timegm(time.strptime(date, _DATE_FORMAT))
                return style, issued + int(lifetime), signed
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def s3_error_xml(code: str, message: str, resource: str, request_id: str) -> bytes:
    """The body S3 sends with a 403/416: small XML naming the error."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<Resource>{resource}</Resource><RequestId>{request_id}</RequestId></Error>"
    ).encode()
