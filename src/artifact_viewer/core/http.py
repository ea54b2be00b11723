"""The one place an ``httpx.Client`` is built: timeouts on every call, pool limits, our user agent."""

from __future__ import annotations

import httpcore
import httpx

from artifact_viewer import APP_NAME, __version__
from artifact_viewer.core.logs import NOISY_LOGGERS, quiet_http_loggers
from artifact_viewer.core.settings import Settings

__all__ = [
    "NOISY_LOGGERS",
    "READ_SIZE",
    "USER_AGENT",
    "build_http_client",
    "quiet_http_loggers",
    "timeout_from",
    "widen_socket_reads",
]

USER_AGENT = f"{APP_NAME}/{__version__}"


# httpcore reads a response body 64 KiB per socket read; a 1 GB download then spends more
# time in that Python loop than on the wire. Reads return whatever has arrived, so a larger
# ceiling only changes big bodies (measured on loopback: about a quarter less CPU per GB).
READ_SIZE = 1024 * 1024


def widen_socket_reads() -> None:
    """Let each HTTP/1.1 socket read take up to READ_SIZE bytes. Idempotent."""
    connection = getattr(httpcore, "HTTP11Connection", None)
    if connection is not None and getattr(connection, "READ_NUM_BYTES", READ_SIZE) < READ_SIZE:
        connection.READ_NUM_BYTES = READ_SIZE


def timeout_from(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.write_timeout,
        pool=settings.pool_timeout,
    )


def build_http_client(
    settings: Settings | None = None,
    *,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """A client shared by the API and signed-URL downloads.

    It carries no Authorization header: :class:`AnonClient` adds the key per request, so
    the key is never sent to the object store that serves signed URLs. Redirects are
    followed (httpx drops Authorization when a redirect leaves the origin).
    """
    settings = settings or Settings()
    quiet_http_loggers()
    widen_socket_reads()
    parallel = max(1, settings.max_parallel_downloads)
    limits = httpx.Limits(
        max_connections=parallel + 4,  # downloads plus a few API calls at once
        max_keepalive_connections=parallel + 2,
        keepalive_expiry=30.0,
    )
    return httpx.Client(
        timeout=timeout_from(settings),
        limits=limits,
        http1=True,
        http2=False,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        max_redirects=5,
        transport=transport,
        trust_env=True,
    )
