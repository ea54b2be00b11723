"""The stand-in object store: serves artifact bytes from signed URLs, with Range and fault knobs."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, unquote

from artifact_viewer.demo.artifact import DemoArtifact
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.signing import STORAGE_PREFIX, Signer, s3_error_xml

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
DISK_CHUNK = 256 * 1024


class Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for a single ``bytes=`` range; None to send the whole body.

    Multi-range and malformed headers are ignored (RFC 9110 allows that); a range that
    starts past the end raises :class:`Unsatisfiable`.
    """
    if not header:
        return None
    match = _RANGE_RE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None
    first_text, last_text = match.groups()
    if not first_text:  # suffix: the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if first >= size or last < first:
        raise Unsatisfiable
    return first, min(last, size - 1)


class Storage:
    """ASGI app mounted at ``/storage``; finds the artifact by storage path, checks the signature."""

    def __init__(self, artifacts: dict[str, DemoArtifact], signer: Signer, config: ServerConfig):
        self.by_path = artifacts
        self.signer = signer
        self.config = config

    async def _xml(
        self,
        send: Send,
        status: int,
        code: str,
        message: str,
        resource: str,
        extra: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        body = s3_error_xml(code, message, resource, uuid.uuid4().hex[:16].upper())
        headers = [
            (b"content-type", b"application/xml"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send(
            {"type": "http.response.start", "status": status, "headers": headers + list(extra)}
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        raw = raw_path.decode("latin-1")
        if not raw.startswith(STORAGE_PREFIX):
            raw = STORAGE_PREFIX + raw.lstrip("/")
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        resource = "/" + unquote(raw[len(STORAGE_PREFIX) :])
        if scope["method"] not in ("GET", "HEAD"):
            await self._xml(
                send, 405, "MethodNotAllowed", "The specified method is not allowed.", resource
            )
            return
        if self.config.storage_rejects_auth and any(
            k == b"authorization" for k, _ in scope["headers"]
        ):
            message = (
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be specified"
            )
            await self._xml(send, 400, "InvalidArgument", message, resource)
            return
        now = self.config.now()
        verdict = self.signer.verify(raw, query, now)
        if not verdict.ok:
            await self._xml(send, verdict.status, verdict.code, verdict.message, resource)
            return
        art = self.by_path.get(unquote(raw[len(STORAGE_PREFIX) :]))
        if art is None:
            await self._xml(send, 404, "NoSuchKey", "The specified key does not exist.", resource)
            return
        headers: dict[str, str] = dict(
            (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"]
        )
        size = art.size
        try:
            span = parse_range(headers.get("range"), size)
        except Unsatisfiable:
            extra = [(b"content-range", f"bytes */{size}".encode())]
            await self._xml(
                send, 416, "InvalidRange", "The requested range is not satisfiable", resource, extra
            )
            return
        first, last = span if span else (0, size - 1)
        length = max(0, last - first + 1)
        out = [
            (b"content-type", art.mime_type.encode()),
            (b"content-length", str(length).encode()),
            (b"accept-ranges", b"bytes"),
            (b"etag", f'"{art.sha256[:32]}"'.encode()),
            (b"cache-control", b"private, max-age=0"),
        ]
        if span:
            out.append((b"content-range", f"bytes {first}-{last}/{size}".encode()))
        status = 206 if span else 200
        await send({"type": "http.response.start", "status": status, "headers": out})
        if scope["method"] == "HEAD" or length == 0:
            await send({"type": "http.response.body", "body": b""})
            return
        await self._stream(send, art, first, length, verdict.expires_at)

    async def _stream(
        self, send: Send, art: DemoArtifact, first: int, length: int, expires_at: float
    ) -> None:
        config = self.config
        cut_after = config.drop_after_bytes if config.take_drop() else None
        corrupt_at = art.size // 2 if art.id in config.corrupt_ids else None
        sent = 0
        # Throttled bodies go out in chunk_size pieces so the pacing stays smooth.
        step = config.chunk_size if config.throttle_bps else max(config.chunk_size, DISK_CHUNK)
        for offset, chunk in _chunks(art, first, length, step):
            if corrupt_at is not None and offset <= corrupt_at < offset + len(chunk):
                buf = bytearray(chunk)
                buf[corrupt_at - offset] ^= 0xFF
                chunk = bytes(buf)
            if cut_after is not None and sent + len(chunk) >= cut_after:
                # Send what fits, then end without finishing: the server drops the connection.
                await send(
                    {
                        "type": "http.response.body",
                        "body": chunk[: max(0, cut_after - sent)],
                        "more_body": True,
                    }
                )
                return
            if config.cut_on_expiry and config.now() >= expires_at:
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += len(chunk)
            if config.throttle_bps:
                await asyncio.sleep(len(chunk) / config.throttle_bps)
        await send({"type": "http.response.body", "body": b""})


def _chunks(
    art: DemoArtifact, first: int, length: int, chunk_size: int
) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) pieces of the requested span; files are read piece by piece from disk."""
    end = first + length
    if art.path is None:
        view = memoryview(art.data())
        for offset in range(first, end, chunk_size):
            yield offset, bytes(view[offset : min(end, offset + chunk_size)])
        return
    # Reads are blocking but short and sequential from the page cache; for a loopback
    # stand-in that is cheaper than a thread hop per chunk.
    with art.path.open("rb") as fh:
        fh.seek(first)
        offset = first
        while offset < end:
            piece = fh.read(min(chunk_size, end - offset))
            if not piece:
                return
            yield offset, piece
            offset += len(piece)
