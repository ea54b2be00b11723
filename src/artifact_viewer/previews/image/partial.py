"""Truncated PNG, JPEG and GIF files: tell them from damaged ones, and decode what is there.

A file that simply ends early (a download cut short) still holds a good part of the
image; image viewers show that part. A file whose bytes are wrong (bad checksums, bad
header) is damaged and refused. Qt-free.
"""

from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image as PilImage
from PIL import ImageFile

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_pillow_flag = threading.Lock()


@dataclass(frozen=True, slots=True)
class Truncation:
    """How much of a truncated image is missing, in words for the banner."""

    missing: str

    @property
    def banner(self) -> str:
        return f"Truncated file: {self.missing}; showing the part that decodes"


def _tail(path: Path, size: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - size))
        return fh.read()


def png_truncation(path: Path) -> Truncation | None:
    """A PNG that ends before its IEND chunk, every complete chunk intact (else None)."""
    if _tail(path, 12)[4:8] == b"IEND":
        return None
    data = path.read_bytes()
    if not data.startswith(_PNG_SIGNATURE):
        return None
    pos, ihdr, idat = 8, b"", bytearray()
    cut = False
    while pos < len(data):
        if pos + 8 > len(data):
            cut = True
            break
        length, tag = struct.unpack(">I4s", data[pos : pos + 8])
        if not tag.isalpha():
            return None  # not a chunk: damaged, not truncated
        body = data[pos + 8 : pos + 8 + length]
        if pos + 12 + length > len(data):  # this chunk is cut short
            if tag == b"IDAT":
                idat += body
            cut = True
            break
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        if zlib.crc32(tag + body) != crc:
            return None  # damaged, not truncated
        if tag == b"IHDR":
            ihdr = body
        elif tag == b"IDAT":
            idat += body
        elif tag == b"IEND":
            return None
        pos += 12 + length
    if len(ihdr) != 13 or (not cut and not idat):
        return None
    if not idat:
        return Truncation("the image data is missing entirely")
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", ihdr)
    if interlace or colour not in _CHANNELS:
        return Truncation("the end of the image data is missing")
    row_bytes = (width * _CHANNELS[colour] * depth + 7) // 8 + 1
    try:
        rows = len(zlib.decompressobj().decompress(bytes(idat))) // row_bytes
    except zlib.error:
        return None
    rows = min(rows, height)
    if rows >= height:
        return Truncation("the file ends after the last row")
    missing = 100 * (height - rows) // height
    return Truncation(f"{rows:,} of {height:,} rows decode ({missing}% missing)")


def jpeg_truncation(path: Path) -> Truncation | None:
    if b"\xff\xd9" in _tail(path, 64):
        return None
    return Truncation("the end of the image data is missing")


def gif_truncation(path: Path) -> Truncation | None:
    if _tail(path, 1) == b";":
        return None
    return Truncation("the frames after the last complete one are missing")


def truncation(path: Path, fmt: str) -> Truncation | None:
    """What is missing from ``path`` (a truncated PNG, JPEG or GIF), or None."""
    fmt = fmt.upper()
    if fmt == "PNG":
        return png_truncation(path)
    if fmt in ("JPEG", "JPG"):
        return jpeg_truncation(path)
    if fmt == "GIF":
        return gif_truncation(path)
    return None


def decode_truncated(path: Path) -> tuple[bytes, int, int]:
    """The part of the image that decodes, as RGBA bytes (the rest transparent black),
    with its width and height. Raises whatever Pillow raises on data it cannot use."""
    with _pillow_flag, PilImage.open(path) as image:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous
        rgba = image.convert("RGBA")
        return rgba.tobytes(), rgba.width, rgba.height
