"""S3-style pre-signed URLs for the stand-in storage: HMAC over path, date and lifetime."""

from __future__ import annotations

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
REQUIRED = ("X-Amz-Algorithm", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Signature")


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of checking a signed URL: ok, or an S3 error code and message."""

    ok: bool
    code: str = ""
    message: str = ""


class Signer:
    """Signs storage paths for a limited time and checks the signatures it made."""

    def __init__(self, secret: bytes, credential: str = "ASIADEMO0000EXAMPLE") -> None:
        self._secret = secret
        self._credential = credential

    def _signature(self, path: str, amz_date: str, expires: str) -> str:
        message = f"GET\n{path}\n{amz_date}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def sign(self, origin: str, storage_path: str, ttl: float, now: float) -> str:
        """A full URL for ``storage_path`` valid for at least ``ttl`` seconds from ``now``.

        X-Amz-Date has whole seconds, so it is rounded up: the URL never dies before ``ttl``.
        """
        path = STORAGE_PREFIX + quote(storage_path)
        amz_date = time.strftime(_DATE_FORMAT, time.gmtime(math.ceil(now)))
        expires = str(max(0, math.ceil(ttl)))
        params = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"{self._credential}/{amz_date[:8]}/us-east-1/s3/aws4_request",
            "X-Amz-Date": amz_date,
            "X-Amz-Expires": expires,
            "X-Amz-SignedHeaders": "host",
            "X-Amz-Signature": self._signature(path, amz_date, expires),
        }
        return f"{origin}{path}?{urlencode(params)}"

    def verify(self, raw_path: str, query: Mapping[str, str], now: float) -> Verdict:
        """Check a request's path (as sent, still quoted) and query against the signature."""
        if any(not query.get(name) for name in REQUIRED):
            return Verdict(
                False,
                "AccessDenied",
                "Query-string authentication requires the Signature, Expires and Date parameters",
            )
        amz_date, expires = query["X-Amz-Date"], query["X-Amz-Expires"]
        expected = self._signature(raw_path, amz_date, expires)
        if not hmac.compare_digest(expected, query["X-Amz-Signature"]):
            return Verdict(
                False,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        try:
            issued = _parse_amz_date(amz_date)
            lifetime = int(expires)
        except ValueError:
            return Verdict(False, "AuthorizationQueryParametersError", "Invalid X-Amz-Date")
        if now >= issued + lifetime:
            return Verdict(False, "AccessDenied", "Request has expired")
        return Verdict(True)

    def expires_at(self, query: Mapping[str, str]) -> float:
        """Epoch second at which a (verified) URL stops working."""
        return _parse_amz_date(query["X-Amz-Date"]) + int(query["X-Amz-Expires"])


def _parse_amz_date(text: str) -> float:
    return float(calendar.timegm(time.strptime(text, _DATE_FORMAT)))


def s3_error_xml(code: str, message: str, resource: str, request_id: str) -> bytes:
    """The body S3 sends with a 403/416: small XML naming the error."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<Resource>{resource}</Resource><RequestId>{request_id}</RequestId></Error>"
    ).encode()
