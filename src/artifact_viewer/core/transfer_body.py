"""Response bodies read to a bound, and gzip/deflate bodies decoded from the raw bytes kept."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

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


class _Sink(Protocol):
    @property
    def size(self) -> int: ...
    def write(self, data: bytes | memoryview) -> None: ...


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


def decode_into(source: Path, encoding: str, sink: _Sink, limit: int) -> bool:
    """Decode the raw ``source`` file into ``sink``, at most ``limit`` bytes out.

    False if the coding is unknown, the bytes are not in that coding, or they decode to
    more than ``limit`` (a decompression bomb stops at the bound, not in memory).
    """
    if encoding in ("gzip", "x-gzip"):
        wbits = 31
    elif encoding == "deflate":  # zlib-wrapped as the RFC says, or raw as some servers send
        with source.open("rb") as handle:
            head = handle.read(2)
        zlib_wrapped = len(head) == 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        wbits = 15 if zlib_wrapped else -15
    else:
        return False
    return _decode_once(source, wbits, sink, limit)


def _decode_once(source: Path, wbits: int, sink: _Sink, limit: int) -> bool:
    decoder = zlib.decompressobj(wbits)
    try:
        with source.open("rb") as handle:
            while chunk := handle.read(DECODE_CHUNK):
                data = chunk
                while data:
                    room = limit - sink.size
                    out = decoder.decompress(data, max(1, min(room + 1, DECODE_CHUNK)))
                    if sink.size + len(out) > limit:
                        return False
                    if out:
                        sink.write(out)
                    data = decoder.unconsumed_tail
                if decoder.eof:
                    break
            tail = decoder.flush()
    except zlib.error:
        return False
    if sink.size + len(tail) > limit:
        return False
    if tail:
        sink.write(tail)
    return decoder.eof
