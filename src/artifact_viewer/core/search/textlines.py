"""Text files read line by line in bounded memory, whatever their encoding and line length."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

from artifact_viewer.core.search.rows import CHUNK_CHARS, OVERLAP, DocInfo, Row

#: bytes read per call: a longer line arrives in several reads (never whole in memory)
READ_BYTES = 64 * 1024
_SNIFF_BYTES = 64 * 1024


def sniff_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM) when the head decodes as such, else charset detection."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            best = from_bytes(head).best()
            return best.encoding if best is not None else "latin-1"
    return "utf-8"


def looks_binary(head: bytes) -> bool:
    """NUL bytes in the head (and no UTF-16 BOM): not a text file."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def read_head(path: Path, size: int = _SNIFF_BYTES) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def decoded_pieces(handle: BinaryIO, encoding: str) -> Iterator[tuple[str, bool]]:
    """(text, ends_line) pieces of at most READ_BYTES bytes each; a line longer than that
    arrives as several pieces, the last one with ``ends_line`` True."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    if encoding.startswith("utf-16"):
        # Byte-wise readline cannot find UTF-16 line ends: decode blocks and split them.
        pending = ""
        while block := handle.read(READ_BYTES):
            pending += decoder.decode(block)
            *lines, pending = pending.split("\n")
            for line in lines:
                yield line + "\n", True
            while len(pending) > CHUNK_CHARS:
                yield pending[:CHUNK_CHARS], False
                pending = pending[CHUNK_CHARS:]
        pending += decoder.decode(b"", final=True)
        if pending:
            yield pending, True
        return
    while raw := handle.readline(READ_BYTES):
        ends = raw.endswith(b"\n")
        yield decoder.decode(raw, final=False), ends
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail, True


def line_rows(path: Path, info: DocInfo, encoding: str | None = None) -> Iterator[Row]:
    """One row per non-blank line, location the 1-based line number; a line longer than
    CHUNK_CHARS becomes several overlapping rows with the same line number."""
    with path.open("rb") as handle:
        enc = encoding or sniff_encoding(handle.read(_SNIFF_BYTES))
        handle.seek(0)
        number = 1
        carry = ""  # the unfinished part of a long line
        for text, ends in decoded_pieces(handle, enc):
            carry += text
            while len(carry) > CHUNK_CHARS:
                yield carry[:CHUNK_CHARS], str(number)
                carry = carry[CHUNK_CHARS - OVERLAP :]
            if not ends:
                continue
            line = carry.rstrip("\r\n")
            if line.strip():
                yield line, str(number)
            carry = ""
            number += 1
        if carry.strip():
            yield carry.rstrip("\r\n"), str(number)
