"""Response bodies read to a bound, and gzip/deflate bodies decoded from the raw bytes kept."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

DECODE_CHUNK = 1024 * 1024


class BodyTooLong(Exception):
    """More bytes arrived than the bound allows; the extra bytes were not written."""

    def __init__(self, bound: int) -> None:
        super().__init__(f"more than {bound} bytes")
        self.bound = bound


@dataclass(frozen=True, slots=True)
class Transferred:
    """What one download received: the raw bytes' size and any Content-Encoding they carry."""

    size: int
    encoding: str | None  # lower-case coding name, None for identity
    decoded: bool = False  # a coded body decoded whole, within its bound, into the decode sink


class _Sink(Protocol):
    @property
    def size(self) -> int: ...
    def write(self, data: bytes | memoryview) -> None: ...


class StreamDecoder:
    """Decodes a gzip/deflate body into ``sink`` as it arrives, at most ``limit`` bytes out.

    Stops (``failed``) at the first sign the body is not in that coding or decodes past
    the bound (a decompression bomb never reaches memory or disk).
    """

    def __init__(self, encoding: str, sink: _Sink, limit: int) -> None:
        self.encoding = encoding
        self.sink = sink
        self.limit = limit
        self.failed = encoding not in ("gzip", "x-gzip", "deflate")
        self._decoder: Any = None
        self._head = b""

    def _start(self, data: bytes) -> None:
        if self.encoding == "deflate":
            head = data[:2]
            wrapped = len(head) == 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
            self._decoder = zlib.decompressobj(15 if wrapped else -15)
        else:
            self._decoder = zlib.decompressobj(31)

    def feed(self, data: bytes) -> None:
        if self.failed or not data:
            return
        if self._decoder is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._start(data)
        try:
            while data and not self._decoder.eof:
                room = self.limit - self.sink.size
                out = self._decoder.decompress(data, max(1, min(room + 1, DECODE_CHUNK)))
                if self.sink.size + len(out) > self.limit:
                    self.failed = True
                    return
                if out:
                    self.sink.write(out)
                data = self._decoder.unconsumed_tail
        except zlib.error:
            self.failed = True

    def finish(self) -> bool:
        """True if the whole body decoded, within the bound."""
        if self.failed or self._decoder is None:
            return False
        try:
            tail = self._decoder.flush()
        except zlib.error:
            return False
        if self.sink.size + len(tail) > self.limit:
            return False
        if tail:
            self.sink.write(tail)
        return bool(self._decoder.eof)


def read_bounded(response: httpx.Response, limit: int) -> bytes:
    """At most ``limit`` raw bytes of ``response``'s body; the rest is never read."""
    if response.is_stream_consumed:  # already in memory (a mock, or read by someone)
        try:
            return response.content[:limit]
        except httpx.ResponseNotRead:
            return b""
    data = bytearray()
    try:
        for chunk in response.iter_raw():
            data += chunk[: limit - len(data)]
            if len(data) >= limit:
                break
    except httpx.HTTPError:
        pass
    return bytes(data)


def content_encoding(response: httpx.Response) -> str | None:
    """The body's coding (``gzip``...) or None for identity; several codings keep the last."""
    value = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in value.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    return codings[-1] if codings else None
