"""Which addresses the app will talk to: https anywhere, cleartext http to this machine only."""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class UnsafeUrl(ValueError):
    """An address the app refuses, with a sentence that says why (never the address itself)."""


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    if not host:
        return False
    name = host.strip().strip("[]").rstrip(".").lower()
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _split(url: str, what: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        raise UnsafeUrl(f"The {what} is malformed.") from None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url.strip()):
        raise UnsafeUrl(f"The {what} contains spaces or control characters.")
    return parts


def check_download_url(url: str) -> str:
    """Return ``url`` if a signed download link may be fetched; raise :class:`UnsafeUrl` if not.

    Allowed: https to any host, http to loopback (the stand-in server). Anything else
    (``file:``, ``ftp:``, cleartext http across the network, no host) fails at once.
    """
    what = "download link"
    parts = _split(url, what)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "no scheme"
        raise UnsafeUrl(f"The {what} uses {shown}; only https is accepted.")
    if not parts.hostname:
        raise UnsafeUrl(f"The {what} has no host.")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise UnsafeUrl(
            f"The {what} uses cleartext http to another machine; only https is accepted."
        )
    return url


def check_base_url(url: str) -> str:
    """Return the API base URL if the key may be sent to it; raise :class:`UnsafeUrl` if not.

    The API key travels in every request, so cleartext ``http://`` is refused unless the
    host is this machine (the stand-in server).
    """
    what = "API base URL"
    parts = _split(url, what)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(f"The {what} must start with https:// and name a host.")
    if scheme == "http" and not is_loopback_host(parts.hostname):
        raise UnsafeUrl(
            f"The {what} uses http:// to {parts.hostname}: the API key would travel unencrypted."
            " Use https:// (plain http is accepted only for this computer, e.g. the demo server)."
        )
    return url
