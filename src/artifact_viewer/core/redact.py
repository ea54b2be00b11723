"""Scrub secrets (API keys, signed URLs, bearer tokens) out of any text before it is shown or logged."""

from __future__ import annotations

import logging
import re

_KEY_RE = re.compile(r"\banon_[A-Za-z0-9_\-]{4,}")
_BEARER_RE = re.compile(r"(?i)(bearer\s+)[^\s'\",;]+")
# Any URL carrying signature-like query parameters, or any query string at all on a
# storage-looking URL, is a secret: keep scheme://host/path, drop the query.
_URL_RE = re.compile(r"(?i)\b(https?://[^\s?#'\"<>]+)\?[^\s'\"<>]*")
_SIG_PARAM_RE = re.compile(
    r"(?i)\b(X-Amz-[A-Za-z]+|X-Goog-[A-Za-z]+|Signature|Sig|Expires|token|key|Policy|Key-Pair-Id)=[^&\s'\"<>]+"
)
REDACTED = "[redacted]"

_extra_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret (e.g. the API key in use) so that it is scrubbed verbatim everywhere."""
    if value and len(value) >= 6:
        _extra_secrets.add(value)


def redact(text: str) -> str:
    """Return ``text`` with API keys, bearer tokens and signed-URL query strings removed."""
    if not text:
        return text
    for secret in _extra_secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _URL_RE.sub(lambda m: f"{m.group(1)}?{REDACTED}", text)
    text = _SIG_PARAM_RE.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    text = _BEARER_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _KEY_RE.sub(REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Logging filter: every record's final message passes :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
