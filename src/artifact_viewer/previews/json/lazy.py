"""A structural index of a big JSON file: the tree is read from the file on demand.

Parsing a 1 GB document into Python objects takes several times the file in memory. Here one
vectorised pass over the bytes (numpy, in blocks) finds every bracket and comma outside
strings and keeps the commas of the containers that cross a block boundary: the top-level
array of a big file, and the few records that straddle two blocks. A container inside one
block is scanned again when it is opened (at most one block of bytes). Values are read from
the file when shown, as the file writes them: numbers keep their literal text, duplicate keys
stay, strings are decoded one at a time.

The index does not check the grammar; :func:`validate` does, in runs of whole members of
about a megabyte parsed by orjson and dropped, so memory stays bounded. A file the index or
the check cannot take (syntax errors, NaN, lone surrogates, numbers beyond a double, nesting
beyond orjson's limit, not UTF-8) goes to the whole-document parser, which says what is wrong.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import simdjson

from artifact_viewer.core.cancel import CancelToken

#: bytes read per step of the indexing pass; a container inside one block is not indexed
BLOCK = 4 << 20
#: members parsed together by :func:`validate`
RUN = 1 << 20
_WS = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"

# Prefix-xor of the bits of a byte (little bit order) and the parity of a byte: the
# inside-a-string mask of a block is computed on packed bits, 8 bytes per step.
_PREFIX_XOR = np.zeros(256, np.uint8)
_PARITY = np.zeros(256, np.uint8)
for _v in range(256):
    _acc = _out = 0
    for _b in range(8):
        _acc ^= (_v >> _b) & 1
        _out |= _acc << _b
    _PREFIX_XOR[_v], _PARITY[_v] = _out, _acc
del _v, _acc, _out, _b


class NotIndexable(Exception):
    """The bytes are not one JSON container the index can take; parse the whole file."""


@dataclass(slots=True)
class ScanState:
    """What carries from one block to the next."""

    depth: int = 0
    in_string: int = 0
    #: backslashes ending the previous block (an odd count escapes this block's first byte)
    trailing_backslashes: int = 0


def structure(arr: np.ndarray, state: ScanState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Brackets and commas of ``arr`` outside strings: (positions, bytes, depth after each).

    A comma's depth is the nesting level of the container it separates (1 for the members
    of the top-level container). Updates ``state`` for the next block."""
    n = len(arr)
    quotes = arr == 0x22
    slashes = np.flatnonzero(arr == 0x5C)
    carry = state.trailing_backslashes
    if slashes.size or carry:
        # A character after an odd run of backslashes is escaped: a quote there is text.
        if slashes.size:
            breaks = np.flatnonzero(np.diff(slashes) != 1) + 1
            starts = slashes[np.r_[0, breaks]]
            ends = slashes[np.r_[breaks - 1, slashes.size - 1]] + 1
            lengths = ends - starts
            if carry and starts[0] == 0:
                lengths[0] += carry
            escaped = ends[(lengths & 1) == 1]
            quotes[escaped[escaped < n]] = False
        if carry & 1 and n and (not slashes.size or slashes[0] != 0):
            quotes[0] = False
    packed = np.packbits(quotes, bitorder="little")
    parity = _PARITY[packed]
    before = np.bitwise_xor.accumulate(parity)
    if packed.size:
        before[1:] = before[:-1]
        before[0] = 0
        before ^= np.uint8(state.in_string)
    inside = _PREFIX_XOR[packed] ^ (before * np.uint8(0xFF))
    low = arr | 0x20  # "[" -> "{", "]" -> "}"
    marks = (low == 0x7B) | (low == 0x7D) | (arr == 0x2C)
    outside = np.packbits(marks, bitorder="little") & ~inside
    # flatnonzero is several times faster on booleans than on 0/1 bytes
    pos = np.flatnonzero(np.unpackbits(outside, count=n, bitorder="little").view(np.bool_))
    chars = arr[pos]
    low_chars = chars | 0x20
    steps = (low_chars == 0x7B).astype(np.int8) - (low_chars == 0x7D)
    depth = np.cumsum(steps, dtype=np.int64)
    depth += state.depth
    if depth.size:
        state.depth = int(depth[-1])
    if packed.size:
        state.in_string = int(before[-1] ^ parity[-1])
    last = bytes(arr[-64:])
    tail = len(last) - len(last.rstrip(b"\\"))
    if tail == len(last):  # the whole end is backslashes: count them all
        tail = n - len(bytes(arr).rstrip(b"\\"))
        if tail == n:
            tail += carry
    state.trailing_backslashes = tail
    return pos, chars, depth


def _open_across(depth: np.ndarray, start_depth: int) -> np.ndarray:
    """For each event: is the container at its depth open at the block's start or end?"""
    before = np.minimum.accumulate(depth)
    np.minimum(before, start_depth, out=before)
    after = np.minimum.accumulate(depth[::-1])[::-1]
    return (before >= depth) | (after >= depth)


#: containers up to this size are scanned by a regular expression (numpy's fixed cost per
#: call is more than the whole scan of a record of a few hundred bytes)
_SMALL_BODY = 16 << 10
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def _small_commas(body: bytes, base: int) -> np.ndarray:
    """Offsets (plus ``base``) of the commas of ``body`` outside strings and brackets."""
    depth = 0
    found: list[int] = []
    for token in _TOKENS.finditer(body):
        char = body[token.start()]
        if char == 0x22:
            continue
        if char in (0x5B, 0x7B):
            depth += 1
        elif char in (0x5D, 0x7D):
            depth -= 1
        elif depth == 0:
            found.append(base + token.start())
    return np.array(found, dtype=np.int64)


@dataclass
class JsonIndex:
    """Where the members of the big containers of a JSON file are (see the module text)."""

    path: Path
    size: int
    #: the top-level value: first byte, and one past its last byte (0 while still indexing)
    root_start: int
    root_end: int
    #: commas of containers crossing a block boundary: offsets and nesting levels
    seps: np.ndarray
    levels: np.ndarray
    block: int = BLOCK
    complete: bool = True
    _fd: int = field(default=-1, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read(self, start: int, end: int) -> bytes:
        """The file's bytes ``start:end`` (positional reads: safe from any thread)."""
        if end <= start:
            return b""
        if self._fd < 0:
            with self._lock:
                if self._fd < 0:
                    self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        return os.pread(self._fd, end - start, start)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __del__(self) -> None:
        fd, self._fd = self._fd, -1
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    # --- members of a container --------------------------------------------------------
    def boundaries(self, start: int, end: int, level: int) -> np.ndarray:
        """Offsets of the commas between the members of the container ``start:end``
        (its bracket at ``start``; ``end`` is one past its closing bracket, or the indexed
        length of a top-level container still being indexed). ``level`` is its nesting."""
        last = end - 1
        if start // self.block != last // self.block or not self.complete and level == 1:
            lo = int(np.searchsorted(self.seps, start, "right"))
            hi = int(np.searchsorted(self.seps, last, "left"))
            seps, levels = self.seps[lo:hi], self.levels[lo:hi]
            found: np.ndarray = seps[levels == level].astype(np.int64)
            return found
        body = self.read(start + 1, last)
        if len(body) <= _SMALL_BODY:
            return _small_commas(body, start + 1)
        arr = np.frombuffer(body, dtype=np.uint8)
        pos, chars, depth = structure(arr, ScanState())
        commas = (chars == 0x2C) & (depth == 0)
        inner: np.ndarray = pos[commas].astype(np.int64) + (start + 1)
        return inner

    def members(self, start: int, end: int, level: int) -> np.ndarray:
        """Edges of the members of container ``start:end``: member k is the text between
        edges[k] and edges[k+1] (untrimmed). A still-indexed top level lists only the
        members known to be complete."""
        commas = self.boundaries(start, end, level)
        if not self.complete and level == 1 and start == self.root_start:
            return np.concatenate((np.array([start], dtype=np.int64), commas))
        if not len(commas) and self.trim(start + 1, end - 1)[0] >= end - 1:
            return np.zeros(0, dtype=np.int64)  # empty container
        edges = np.empty(len(commas) + 2, dtype=np.int64)
        edges[0] = start
        edges[1:-1] = commas
        edges[-1] = end - 1
        return edges

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """``start:end`` without the whitespace around it (reads only the ends)."""
        while start < end:
            head = self.read(start, min(end, start + 64))
            stripped = head.lstrip(_WS)
            start += len(head) - len(stripped)
            if stripped:
                break
        while end > start:
            tail = self.read(max(start, end - 64), end)
            stripped = tail.rstrip(_WS)
            end -= len(tail) - len(stripped)
            if stripped:
                break
        return start, end


# --- what a member holds ------------------------------------------------------------------
OBJECT, ARRAY, STRING, NUMBER, BOOLEAN, NULL = (
    "object",
    "array",
    "string",
    "number",
    "boolean",
    "null",
)
_KINDS = {0x7B: OBJECT, 0x5B: ARRAY, 0x22: STRING, 0x74: BOOLEAN, 0x66: BOOLEAN, 0x6E: NULL}


def kind_of(first: int) -> str:
    return _KINDS.get(first, NUMBER)


def string_end(index: Any, start: int, limit: int) -> int:
    """One past the closing quote of the string opening at ``start``."""
    pos = start + 1
    step = 256
    while pos < limit:
        chunk = index.read(pos, min(limit, pos + step))
        at = 0
        while True:
            quote = chunk.find(b'"', at)
            if quote < 0:
                break
            slashes = 0
            k = quote - 1
            while k >= 0 and chunk[k] == 0x5C:
                slashes += 1
                k -= 1
            if k < 0 and slashes == quote:  # the run may go back into the previous chunk
                back = pos
                while back > start + 1 and index.read(back - 1, back) == b"\\":
                    back -= 1
                slashes = pos + quote - back
            if slashes % 2 == 0:
                return int(pos + quote + 1)
            at = quote + 1
        # keep the last bytes: a backslash run may go on into the next chunk
        pos += len(chunk)
        step = min(step * 4, 1 << 20)
    raise NotIndexable("a string does not end")


def decode_string(raw: bytes) -> str:
    """A JSON string literal's text (lone surrogates kept, as the stdlib reads them)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        value = json.loads(raw.decode("utf-8", "surrogateescape"))
    assert isinstance(value, str)
    return value


def string_prefix(index: JsonIndex, start: int, end: int, chars: int) -> tuple[str, bool]:
    """The first ``chars`` characters of the string literal at ``start:end`` and whether it
    is longer: long strings are not decoded whole to show their beginning."""
    if end - start <= 4 * chars + 64:
        text = decode_string(index.read(start, end))
        return text[:chars], len(text) > chars
    raw = index.read(start, start + 6 * chars + 16)
    cut = len(raw)
    while cut > 1:
        # Cut before any escape that might be split, then close the literal.
        slash = raw.rfind(b"\\", max(1, cut - 12), cut)
        piece = raw[:slash] if slash > 0 else raw[:cut]
        try:
            text = json.loads((piece + b'"').decode("utf-8", "ignore"))
            return text[:chars], True
        except ValueError:
            cut -= 8
    return "", True


@dataclass(slots=True)
class Member:
    """One member of a container: its key (objects) and the span of its value."""

    key: str | int
    start: int
    end: int
    kind: str


class _Window:
    """Bytes of the file read once, answering ``read`` and ``trim`` as the index does."""

    __slots__ = ("base", "data")

    def __init__(self, data: bytes, base: int) -> None:
        self.data = data
        self.base = base

    def read(self, start: int, end: int) -> bytes:
        return self.data[start - self.base : end - self.base]

    def trim(self, start: int, end: int) -> tuple[int, int]:
        piece = self.data[start - self.base : end - self.base]
        head = len(piece) - len(piece.lstrip(_WS))
        if head == len(piece):
            return end, end
        return start + head, end - (len(piece) - len(piece.rstrip(_WS)))


#: members up to this size are read with one call
_SMALL_MEMBER = 1 << 16


def member(index: JsonIndex, edges: np.ndarray, row: int, in_object: bool) -> Member:
    """Member ``row`` of a container whose member edges are ``edges``."""
    lo = int(edges[row]) + 1
    hi = int(edges[row + 1]) if row + 1 < len(edges) else index.size
    src: Any = _Window(index.read(lo, hi), lo) if hi - lo <= _SMALL_MEMBER else index
    start, end = src.trim(lo, hi)
    if start >= end:
        raise NotIndexable("an empty member")
    key: str | int = row
    if in_object:
        if src.read(start, start + 1) != b'"':
            raise NotIndexable("a key that is not a string")
        key_end = string_end(src, start, end)
        key = decode_string(src.read(start, key_end))
        start, _ = src.trim(key_end, end)
        if src.read(start, start + 1) != b":":
            raise NotIndexable("a key without a colon")
        start, _ = src.trim(start + 1, end)
        if start >= end:
            raise NotIndexable("a key without a value")
    return Member(key, start, end, kind_of(src.read(start, start + 1)[0]))


def scalar_literal(index: JsonIndex, start: int, end: int, limit: int = 1 << 16) -> bytes:
    """The bytes of a number, ``true``, ``false`` or ``null`` as the file writes them."""
    return index.read(start, min(end, start + limit))


# --- building the index -------------------------------------------------------------------
def build_index(
    path: Path,
    cancel: CancelToken,
    progress: Any = None,
    early: Any = None,
    block: int | None = None,
    early_after: int = 8,
    stop_early: bool = False,
) -> JsonIndex:
    """Index ``path`` (see the module text). ``early(index)`` receives an index of the part
    read so far once ``early_after`` blocks are done, for a first screen of the top level;
    with ``stop_early`` that index is returned then (``complete`` False).

    Raises :class:`NotIndexable` when the file is not one object or array of UTF-8 JSON
    with balanced brackets and strings."""
    block = block or BLOCK
    size = path.stat().st_size
    state = ScanState()
    seps: list[np.ndarray] = []
    levels: list[np.ndarray] = []
    buf = bytearray(block)
    base = 0
    root_start = -1
    root_end = 0
    sent_early = False
    with path.open("rb", buffering=0) as fh:
        while True:
            cancel.raise_if_cancelled()
            n = _read_full(fh, buf)
            if not n:
                break
            arr = np.frombuffer(buf, dtype=np.uint8, count=n)
            if root_start < 0:
                head = bytes(buf[: min(n, 1 << 16)])
                skip = 3 if base == 0 and head.startswith(_BOM) else 0
                stripped = head[skip:].lstrip(_WS)
                if not stripped:
                    if len(head) < n:
                        raise NotIndexable("long leading whitespace")
                    base += n
                    continue
                root_start = base + len(head) - len(stripped)
                if stripped[0] not in b"[{":
                    raise NotIndexable("the top level is not an object or array")
            elif root_end:
                if bytes(buf[:n]).strip(_WS):
                    raise NotIndexable("more than one value")
                base += n
                continue
            start_depth = state.depth
            pos, chars, depth = structure(arr, state)
            if depth.size:
                if int(depth.min()) < 0:
                    raise NotIndexable("a closing bracket without an opening one")
                closed = np.flatnonzero(depth == 0)
                if closed.size:
                    end_at = int(pos[closed[0]])
                    root_end = base + end_at + 1
                    if closed.size > 1 or bytes(buf[end_at + 1 : n]).strip(_WS):
                        raise NotIndexable("more than one value")
                    pos, chars, depth = pos[: closed[0]], chars[: closed[0]], depth[: closed[0]]
                keep = (chars == 0x2C) & _open_across(depth, start_depth)
                seps.append(pos[keep].astype(np.int64) + base)
                levels.append(depth[keep].astype(np.int32))
            base += n
            if progress is not None:
                progress(base, max(size, base))
            blocks = base // block
            wanted = early is not None or stop_early
            if wanted and not sent_early and blocks >= early_after and not root_end:
                sent_early = True
                first = JsonIndex(
                    path,
                    base,
                    root_start,
                    base,
                    np.concatenate(seps) if seps else np.zeros(0, np.int64),
                    np.concatenate(levels) if levels else np.zeros(0, np.int32),
                    block,
                    complete=False,
                )
                if early is not None:
                    early(first)
                if stop_early:
                    return first
    if root_start < 0:
        raise NotIndexable("no value")
    if not root_end or state.in_string:
        raise NotIndexable("the document does not end")
    return JsonIndex(
        path,
        size,
        root_start,
        root_end,
        np.concatenate(seps) if seps else np.zeros(0, np.int64),
        np.concatenate(levels) if levels else np.zeros(0, np.int32),
        block,
    )


def _read_full(fh: Any, buf: bytearray) -> int:
    """Fill ``buf`` (short only at the end of the file): blocks stay aligned."""
    view = memoryview(buf)
    n = 0
    while n < len(buf):
        got = fh.readinto(view[n:])
        if not got:
            break
        n += got
    return n


# --- checking the grammar -------------------------------------------------------------------
def validate(index: JsonIndex, cancel: CancelToken, progress: Any = None) -> None:
    """Check that the indexed file is strict JSON orjson reads, in runs of whole members;
    raises :class:`NotIndexable` (the caller then parses the whole file for the reason)."""
    # (start, end, level) of the containers whose members are checked here
    stack = [(index.root_start, index.root_end, 1)]
    done = 0
    parser = simdjson.Parser()
    while stack:
        start, end, level = stack.pop()
        opener = index.read(start, start + 1)
        closer = index.read(end - 1, end)
        if (opener, closer) not in ((b"[", b"]"), (b"{", b"}")):
            raise NotIndexable("brackets that do not match")
        in_object = opener == b"{"
        edges = index.members(start, end, level)
        if not len(edges):
            continue
        # Members bigger than a few runs are checked member by member (their own
        # members in turn); the others in runs of about RUN bytes, commas included.
        sizes = np.diff(edges)
        big = np.flatnonzero(sizes > 4 * RUN).tolist()
        first = 0
        for row in [*big, len(edges) - 1]:
            at = first
            while at < row:
                cancel.raise_if_cancelled()
                upto = int(np.searchsorted(edges, edges[at] + RUN, "right")) - 1
                upto = min(max(upto, at + 1), row)
                _check_run(parser, index, int(edges[at]) + 1, int(edges[upto]), in_object)
                done += int(edges[upto] - edges[at])
                if progress is not None:
                    progress(done, index.size)
                at = upto
            if row < len(edges) - 1:
                found = member(index, edges, row, in_object)
                if found.kind in (OBJECT, ARRAY):
                    if in_object:
                        _check_key(index, int(edges[row]) + 1, found.start)
                    stack.append((found.start, found.end, level + 1))
                else:
                    _check_run(parser, index, int(edges[row]) + 1, int(edges[row + 1]), in_object)
            first = row + 1


def _check_run(
    parser: simdjson.Parser, index: JsonIndex, start: int, end: int, in_object: bool
) -> None:
    """simdjson checks the run without building Python objects; what it refuses, orjson
    gets a second look at (integers beyond 64 bits, which the tree shows as written)."""
    text = index.read(start, end)
    text = b"{" + text + b"}" if in_object else b"[" + text + b"]"
    try:
        parser.parse(text)  # the document is dropped at once: the parser can be reused
        return
    except (ValueError, RuntimeError):  # RuntimeError: BIGINT_ERROR
        pass
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise NotIndexable(str(exc)) from None


def _check_key(index: JsonIndex, start: int, value_start: int) -> None:
    try:
        orjson.loads(b"{" + index.read(start, value_start) + b"0}")
    except orjson.JSONDecodeError as exc:
        raise NotIndexable(str(exc)) from None


# --- walking ---------------------------------------------------------------------------------
def container_members(index: JsonIndex, start: int, end: int, level: int) -> Iterator[Member]:
    edges = index.members(start, end, level)
    in_object = index.read(start, start + 1) == b"{"
    for row in range(max(0, len(edges) - 1)):
        yield member(index, edges, row, in_object)


def display_literal(index: JsonIndex, found: Member) -> str:
    """A scalar as one line of JSON: strings quoted (as the dump writes them), other
    literals exactly as in the file."""
    raw = index.read(found.start, found.end)
    if found.kind == STRING:
        return json_string(decode_string(raw))
    if found.kind in (OBJECT, ARRAY):
        return "{}" if found.kind == OBJECT else "[]"
    return raw.decode("utf-8", "replace")


def json_string(text: str) -> str:
    """JSON text of a string on one line (U+2028/U+2029 escaped; lone surrogates escaped)."""
    quoted = json.dumps(text, ensure_ascii=False).replace("\u2028", "\\u2028")
    quoted = quoted.replace("\u2029", "\\u2029")
    try:
        quoted.encode("utf-8")
    except UnicodeEncodeError:
        quoted = json.dumps(text, ensure_ascii=True)
    return quoted


def root_member(index: JsonIndex) -> Member:
    first = index.read(index.root_start, index.root_start + 1)
    return Member(0, index.root_start, index.root_end, kind_of(first[0]))


def leaves(
    index: JsonIndex, cancel: CancelToken | None = None
) -> Iterator[tuple[str, str, str | None]]:
    """(JSONPath, literal, key) of every leaf in document order (as ``paths.leaves``)."""
    from artifact_viewer.core.jsonpath import path_step

    # (path, key name, member, level)
    stack: list[tuple[str, str | None, Member, int]] = [("$", None, root_member(index), 1)]
    walked = 0
    while stack:
        path, name, found, level = stack.pop()
        walked += 1
        if cancel is not None and walked % 4096 == 0:
            cancel.raise_if_cancelled()
        if found.kind in (OBJECT, ARRAY):
            children = list(container_members(index, found.start, found.end, level))
            if children:
                stack.extend(
                    (path + path_step(child.key), child.key if isinstance(child.key, str) else None,
                     child, level + 1)
                    for child in reversed(children)
                )  # fmt: skip
                continue
        yield _printable(path), display_literal(index, found), name


def _printable(path: str) -> str:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "backslashreplace").decode("utf-8")
    return path


# --- search ------------------------------------------------------------------------------------
#: bytes searched per step (the regular expression engine holds the GIL while it runs)
SEARCH_CHUNK = 1 << 20


def search(
    index: JsonIndex,
    query: str,
    cancel: CancelToken,
    progress: Any = None,
    limit: int = 10_000,
) -> list[tuple[str | int, ...]]:
    """Paths whose key or scalar value contains ``query`` (case-insensitive), in document
    order: the file's bytes are scanned for the query's UTF-8 (ASCII letters in any case),
    each match is placed in the tree through the index and checked on the decoded text."""
    needle = query.casefold()
    if not needle:
        return []
    wanted = query.encode("utf-8").lower()  # bytes.lower(): ASCII letters only
    overlap = len(wanted) - 1
    hits: list[tuple[str | int, ...]] = []
    cache: dict[int, np.ndarray] = {}
    skip_to = 0
    pos = index.root_start
    while pos < index.root_end and len(hits) < limit:
        cancel.raise_if_cancelled()
        end = min(index.root_end, pos + SEARCH_CHUNK)
        data = index.read(pos, min(index.root_end, end + overlap)).lower()
        at = data.find(wanted)
        while at >= 0 and pos + at < end:
            found = _locate(index, pos + at, needle, cache) if pos + at >= skip_to else None
            if found is not None:
                path, until = found
                skip_to = until
                if not hits or hits[-1] != path:
                    hits.append(path)
                    if len(hits) >= limit:
                        break
            at = data.find(wanted, at + 1)
        if progress is not None:
            progress(len(hits), 0)
        pos = end
    return hits


def _locate(
    index: JsonIndex, at: int, needle: str, cache: dict[int, np.ndarray]
) -> tuple[tuple[str | int, ...], int] | None:
    """The path of the key or scalar holding offset ``at`` when its text contains
    ``needle``, and the offset where that key or value ends; else None."""
    start, end, level = index.root_start, index.root_end, 1
    steps: list[str | int] = []
    while True:
        edges = cache.get(start)
        if edges is None:
            edges = index.members(start, end, level)
            if len(cache) > 64:
                cache.clear()
            cache[start] = edges
        if len(edges) < 2:
            return None
        row = int(np.searchsorted(edges, at, "right")) - 1
        if not 0 <= row < len(edges) - 1:
            return None
        in_object = index.read(start, start + 1) == b"{"
        found = member(index, edges, row, in_object)
        if at < found.start:
            key = found.key
            if isinstance(key, str) and needle in key.casefold():
                return (*steps, key), found.start
            return None
        if at >= found.end:
            return None
        steps.append(found.key)
        if found.kind in (OBJECT, ARRAY):
            start, end, level = found.start, found.end, level + 1
            continue
        if found.kind == STRING:
            text, _more = string_prefix(index, found.start, found.end, 1 << 16)
        else:
            text = scalar_literal(index, found.start, found.end).decode("utf-8", "replace")
        return (tuple(steps), found.end) if needle in text.casefold() else None


# --- the whole pass in a helper process -------------------------------------------------------
# Indexing and checking a big file is seconds of numpy and simdjson work. On a thread of the
# app it would take Python's GIL back between every step, and each call the tree view makes
# into the model would wait for it (stalls of hundreds of milliseconds while a file loads).
# In a helper process the app's threads only wait on a pipe.


def _helper_command(path: Path, early_after: int) -> list[str]:
    # Frozen, the bundle's launcher answers ``-m`` for the app's own modules.
    module = "artifact_viewer.previews.json.lazy"
    return [sys.executable, "-m", module, str(path), str(early_after), str(BLOCK)]


class HelperFailed(Exception):
    """The helper process could not start or gave no usable answer."""


def index_in_helper(
    path: Path,
    cancel: CancelToken,
    progress: Any = None,
    early: Any = None,
    early_after: int = 2,
) -> JsonIndex:
    """:func:`build_index` and :func:`validate` of ``path`` in a helper process; ``early``
    gets the index of the first ``early_after`` blocks (see :func:`build_index`).

    Raises :class:`NotIndexable` as they do, :class:`HelperFailed` when the helper cannot
    run (the caller then does the work on its own thread)."""
    try:
        process = subprocess.Popen(
            _helper_command(path, early_after),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )
    except OSError as exc:
        raise HelperFailed(str(exc)) from None
    assert process.stdout is not None
    out = process.stdout
    try:
        while True:
            line = out.readline()
            if cancel.cancelled:
                cancel.raise_if_cancelled()
            if not line:
                raise HelperFailed("the helper ended without an answer")
            word, _, rest = line.decode("ascii", "replace").strip().partition(" ")
            if word == "P":
                if progress is not None:
                    done, total = (int(v) for v in rest.split())
                    progress(done, total)
            elif word == "FAIL":
                raise NotIndexable(rest)
            elif word in ("DONE", "EARLY"):
                root_start, root_end, count, size, block = (int(v) for v in rest.split())
                seps = np.frombuffer(_read_exact(out, 8 * count), dtype="<i8").astype(np.int64)
                levels = np.frombuffer(_read_exact(out, 4 * count), dtype="<i4").astype(np.int32)
                done = word == "DONE"
                index = JsonIndex(path, size, root_start, root_end, seps, levels, block, done)
                if done:
                    return index
                if early is not None:
                    early(index)
            else:
                raise HelperFailed(f"unexpected answer {word[:20]!r}")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        out.close()


def _read_exact(stream: Any, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise HelperFailed("the helper's answer was cut short")
    return bytes(data)


def _helper_main(argv: list[str]) -> int:
    """``python -m artifact_viewer.previews.json.lazy PATH``: index and check PATH; answer
    ``P done total`` lines, then ``FAIL reason`` or ``DONE root_start root_end count size
    block`` followed by the offsets (int64) and levels (int32) of the commas."""
    out = sys.stdout.buffer
    path = Path(argv[1])
    early_after = int(argv[2]) if len(argv) > 2 else 2
    block = int(argv[3]) if len(argv) > 3 else BLOCK
    if hasattr(os, "nice"):
        # Background work: the window's own thread gets the CPU first when it needs it.
        with contextlib.suppress(OSError):
            os.nice(10)

    def tell(done: int, total: int) -> None:
        out.write(f"P {done} {total}\n".encode())
        out.flush()

    def send(word: str, index: JsonIndex) -> None:
        count = len(index.seps)
        head = f"{word} {index.root_start} {index.root_end} {count} {index.size} {index.block}\n"
        out.write(head.encode())
        out.write(index.seps.astype("<i8").tobytes())
        out.write(index.levels.astype("<i4").tobytes())
        out.flush()

    try:
        index = build_index(
            path,
            CancelToken(),
            lambda d, t: tell(d * 8 // 10, t),
            early=lambda first: send("EARLY", first),
            block=block,
            early_after=early_after,
        )
        validate(index, CancelToken(), lambda d, t: tell(t * 8 // 10 + d // 5, t))
    except NotIndexable as exc:
        out.write(f"FAIL {' '.join(str(exc).split())}\n".encode("ascii", "replace"))
        out.flush()
        return 0
    send("DONE", index)
    return 0


if __name__ == "__main__":
    raise SystemExit(_helper_main(sys.argv))
