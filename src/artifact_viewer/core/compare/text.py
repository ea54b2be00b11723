"""Line diff of text and logs: patience diff (near-linear), hunks numbered on both sides.

The matching is ``patiencediff`` (the Breezy project's patience diff, Rust-backed): it
anchors on lines unique to both sides, so it stays fast on big logs where difflib's
SequenceMatcher goes quadratic. With ``mask_volatile`` the lines are compared with
timestamps, UUIDs and durations masked; hunks always show the lines as the files have them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from artifact_viewer.core.compare.model import TEXT, CompareOptions, Diff, JsonObj, Steps
from artifact_viewer.core.units import plural

# One pattern for Python's re (single lines) and Arrow's RE2 (whole columns of lines).
VOLATILE_PATTERN = "|".join(
    (
        r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?",  # dates
        r"\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b",  # times
        r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",  # uuids
        r"\b\d+(?:\.\d+)? ?(?:ms|us|ns|s|sec|secs|seconds?|m|min|mins|minutes?|h)\b",  # durations
    )
)
_VOLATILE = re.compile(VOLATILE_PATTERN)
MASK = "\x00"


def mask_volatile(line: str) -> str:
    """``line`` with timestamps, UUIDs and durations replaced by a placeholder."""
    return _VOLATILE.sub(MASK, line)


@dataclass(frozen=True, slots=True)
class Hunk:
    """One hunk: 1-based start and line count on each side, and unified-style lines
    (``" "`` context, ``"-"`` only in A, ``"+"`` only in B, each followed by the text)."""

    a_start: int
    a_lines: int
    b_start: int
    b_lines: int
    lines: tuple[str, ...]

    def position(self) -> JsonObj:
        return {
            "aStart": self.a_start,
            "aLines": self.a_lines,
            "bStart": self.b_start,
            "bLines": self.b_lines,
        }

    def to_json(self) -> JsonObj:
        return {**self.position(), "lines": list(self.lines)}

    def header(self) -> str:
        return f"@@ -{self.a_start},{self.a_lines} +{self.b_start},{self.b_lines} @@"


@dataclass(slots=True)
class TextDiff(Diff):
    lines_added: int = 0
    lines_removed: int = 0
    hunks: list[Hunk] = field(default_factory=list)
    lines_a: int = 0
    lines_b: int = 0

    def summary(self) -> JsonObj:
        return {
            "linesAdded": self.lines_added,
            "linesRemoved": self.lines_removed,
            "hunks": [h.position() for h in self.hunks],
        }

    def changes(self) -> list[JsonObj]:
        return [h.to_json() for h in self.hunks]

    def one_line(self) -> str:
        if self.identical:
            return "identical"
        return (
            f"+{plural(self.lines_added, 'line')}, -{plural(self.lines_removed, 'line')}"
            f" in {plural(len(self.hunks), 'hunk')}"
        )


def read_lines(path: Path, encoding: str | None) -> pa.Array:
    """The file's lines without their line ends (undecodable bytes shown as U+FFFD), as an
    Arrow string array: splitting and comparing stay in C++, and only the lines of hunks
    ever become Python strings."""
    data = path.read_bytes()
    codec = (encoding or "utf-8").lower().replace("_", "-")
    text: pa.Array | None = None
    if codec in ("utf-8", "utf-8-sig", "utf8", "ascii"):
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            text = pa.array([raw], pa.large_binary()).cast(pa.large_string())
        except pa.ArrowInvalid:
            text = None
    if text is None:
        decoded = data.decode(codec, errors="replace").lstrip("\ufeff")
        text = pa.array([decoded], pa.large_string())
    return split_lines(text, b"\r" in data)


def read_terminated_lines(path: Path, encoding: str | None) -> tuple[pa.Array, bytes] | None:
    """The file's lines *with* their ``\n`` as an Arrow string array over the file's own bytes
    (no copy: the line ends are found with numpy and become the array's offsets), and those
    bytes. None when this fast form does not apply: another encoding than UTF-8/ASCII, a
    ``\r`` anywhere (line ends to normalise), or bytes that are not UTF-8."""
    codec = (encoding or "utf-8").lower().replace("_", "-")
    if codec not in ("utf-8", "utf-8-sig", "utf8", "ascii"):
        return None
    data = path.read_bytes()
    if b"\r" in data:
        return None
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    if len(data) > start and not data.endswith(b"\n"):
        data += b"\n"  # the last line without its end equals the same line with one
    body = memoryview(data)[start:]
    ends = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == 10)
    offsets = np.zeros(len(ends) + 1, dtype=np.int64)
    offsets[1:] = ends + 1
    lines = pa.LargeStringArray.from_buffers(len(ends), pa.py_buffer(offsets), pa.py_buffer(body))
    try:
        lines.validate(full=True)  # UTF-8 check, in C++
    except pa.ArrowInvalid:
        return None
    return lines, data


def split_lines(text: pa.Array, has_cr: bool = True) -> pa.Array:
    """One string split at line ends (\\n, \\r\\n, or \\r alone when there is no \\n)."""
    separator = "\n"
    if has_cr and not pc.any(pc.match_substring(text, "\n")).as_py():
        separator = "\r"
    lines = pc.split_pattern(text, separator).flatten()
    if len(lines) and lines[len(lines) - 1].as_py() == "":
        lines = lines.slice(0, len(lines) - 1)
    if has_cr and separator == "\n":
        lines = pc.replace_substring_regex(lines, pattern="\r$", replacement="")
    return lines


def as_lines(lines: Sequence[str] | pa.Array) -> pa.Array:
    if isinstance(lines, pa.Array):
        return lines
    return pa.array(list(lines), pa.large_string())


def diff_lines(
    a: Sequence[str] | pa.Array,
    b: Sequence[str] | pa.Array,
    options: CompareOptions,
    steps: Steps | None = None,
    *,
    terminated: bool = False,
) -> TextDiff:
    """Diff two sequences of lines: lists of str, or Arrow string arrays. Lines have no line
    ends, unless ``terminated``: then every line ends with ``\n`` (as
    :func:`read_terminated_lines` makes them), dropped from the hunks' text."""
    if steps is not None:
        steps.check()
    lines_a, lines_b = as_lines(a), as_lines(b)
    if options.mask_volatile:
        key_a = pc.replace_substring_regex(lines_a, pattern=VOLATILE_PATTERN, replacement=MASK)
        key_b = pc.replace_substring_regex(lines_b, pattern=VOLATILE_PATTERN, replacement=MASK)
    else:
        key_a, key_b = lines_a, lines_b
    n, m = len(key_a), len(key_b)
    result = TextDiff(TEXT, True, [], lines_a=n, lines_b=m)
    if n == m and key_a.equals(key_b):
        return result
    if steps is not None:
        steps.check()
    ids_a, ids_b = _intern(key_a, key_b)
    if steps is not None:
        steps.check()
    blocks = matching_blocks(ids_a, ids_b, steps)
    opcodes = _opcodes(blocks)
    context = max(0, options.context)

    def text(lines: pa.Array, start: int, stop: int) -> list[str]:
        values: list[str] = lines.slice(start, stop - start).to_pylist()
        if terminated:
            return [v[:-1] for v in values]
        return values

    for group in _groups(opcodes, context):
        hunk: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.extend(" " + x for x in text(lines_a, i1, i2))
                continue
            hunk.extend("-" + x for x in text(lines_a, i1, i2))
            hunk.extend("+" + x for x in text(lines_b, j1, j2))
            result.lines_removed += i2 - i1
            result.lines_added += j2 - j1
        first, last = group[0], group[-1]
        a_start, a_end = first[1], last[2]
        b_start, b_end = first[3], last[4]
        result.hunks.append(
            Hunk(
                a_start + 1 if a_end > a_start else a_start,
                a_end - a_start,
                b_start + 1 if b_end > b_start else b_start,
                b_end - b_start,
                tuple(hunk),
            )
        )
    result.identical = not result.hunks
    return result


Ids = np.ndarray[Any, Any]


def _intern(a: pa.Array, b: pa.Array) -> tuple[Ids, Ids]:
    """Each distinct line as a small integer (equal lines, equal numbers), hashed in C++.

    Encoding both sides as one chunked column shares one dictionary between them. Lines go
    in as binary with 32-bit offsets where they fit (equal bytes, equal text): Arrow's hash
    table over those is about a third cheaper than over large strings."""
    try:
        both = pa.chunked_array([a.cast(pa.binary()), b.cast(pa.binary())])
    except (pa.ArrowInvalid, pa.ArrowCapacityError):  # a side over 2 GiB of text
        both = pa.chunked_array([a.cast(pa.large_binary()), b.cast(pa.large_binary())])
    encoded = both.dictionary_encode()
    codes = [
        chunk.indices.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        for chunk in encoded.chunks
    ]
    empty = np.zeros(0, dtype=np.int64)
    ids = np.concatenate(codes) if codes else empty
    return ids[: len(a)], ids[len(a) :]


def matching_blocks(a: Ids, b: Ids, steps: Steps | None = None) -> list[tuple[int, int, int]]:
    """Matching blocks ``(i, j, size)`` of two id sequences, ending with ``(n, m, 0)``.

    Patience diff's first level, vectorised: lines unique on both sides anchor the match
    (kept in increasing order on both sides); the stretches between consecutive anchors that
    line up exactly are taken whole, and only the others (around the changes) go through
    ``patiencediff`` one by one. Big files that differ in a few places cost a few numpy
    passes plus work proportional to the changed stretches.
    """
    import patiencediff

    n, m = len(a), len(b)
    vocab = int(max(a.max(initial=-1), b.max(initial=-1))) + 1
    count_a = np.bincount(a, minlength=vocab)
    count_b = np.bincount(b, minlength=vocab)
    unique = (count_a == 1) & (count_b == 1)
    pos_a = np.flatnonzero(unique[a])
    where_b = np.zeros(vocab, dtype=np.int64)
    where_b[b] = np.arange(m, dtype=np.int64)
    pos_b = where_b[a[pos_a]]
    if len(pos_b) > 1 and not bool(np.all(np.diff(pos_b) > 0)):
        # Lines moved: patience diff's own recursion picks the anchors better.
        matcher = patiencediff.PatienceSequenceMatcher(None, a.tolist(), b.tolist())
        return [(int(i), int(j), int(k)) for i, j, k in matcher.get_matching_blocks()]
    # Sentinel anchors before the start and after the end.
    anchors_a = np.concatenate(([-1], pos_a, [n]))
    anchors_b = np.concatenate(([-1], pos_b, [m]))
    # Does line i of A equal the line on its anchor's diagonal in B?
    last = np.searchsorted(anchors_a, np.arange(n), side="right") - 1
    partner = np.arange(n) + (anchors_b[last] - anchors_a[last])
    inside = (partner >= 0) & (partner < m)
    same = np.zeros(n, dtype=bool)
    same[inside] = b[partner[inside]] == a[inside]
    bad = np.concatenate(([0], np.cumsum(~same)))
    gap_a = anchors_a[1:] - anchors_a[:-1] - 1
    gap_b = anchors_b[1:] - anchors_b[:-1] - 1
    first = anchors_a[:-1] + 1
    clean = (gap_a == gap_b) & (bad[first + gap_a] - bad[first] == 0)
    if steps is not None:
        steps.check()
    blocks: list[tuple[int, int, int]] = []

    def add(i: int, j: int, size: int) -> None:
        if size <= 0:
            return
        if blocks and blocks[-1][0] + blocks[-1][2] == i and blocks[-1][1] + blocks[-1][2] == j:
            pi, pj, ps = blocks[-1]
            blocks[-1] = (pi, pj, ps + size)
        else:
            blocks.append((i, j, size))

    segments = len(gap_a)
    dirty = np.flatnonzero(~clean).tolist()
    # Walk the dirty stretches; the clean ones between them are runs on one diagonal.
    start = 0  # first segment not yet emitted
    for seg in [*dirty, segments]:
        if seg > start:  # clean segments start..seg-1, with their closing anchors
            i0 = int(anchors_a[start]) + 1
            j0 = int(anchors_b[start]) + 1
            end = int(anchors_a[seg]) + (1 if seg < segments else 0)
            add(i0, j0, min(end, n) - i0)
        if seg == segments:
            break
        if steps is not None:
            steps.check()
        i0, j0 = int(anchors_a[seg]) + 1, int(anchors_b[seg]) + 1
        la, lb = int(gap_a[seg]), int(gap_b[seg])
        if la and lb:
            matcher = patiencediff.PatienceSequenceMatcher(
                None, a[i0 : i0 + la].tolist(), b[j0 : j0 + lb].tolist()
            )
            for i, j, size in matcher.get_matching_blocks():
                add(i0 + i, j0 + j, size)
        if seg + 1 < segments:
            add(int(anchors_a[seg + 1]), int(anchors_b[seg + 1]), 1)  # the closing anchor
        start = seg + 1
    blocks.append((n, m, 0))
    return blocks


Opcode = tuple[str, int, int, int, int]


def _opcodes(blocks: list[tuple[int, int, int]]) -> list[Opcode]:
    """difflib-style opcodes from matching blocks (the last block is the (n, m, 0) sentinel)."""
    ops: list[Opcode] = []
    i = j = 0
    for ai, bj, size in blocks:
        if size == 0 and (ai, bj) != blocks[-1][:2]:
            continue
        if i < ai or j < bj:
            tag = "replace" if i < ai and j < bj else ("delete" if i < ai else "insert")
            ops.append((tag, i, ai, j, bj))
        if size:
            if ops and ops[-1][0] == "equal":
                _, i1, _, j1, _ = ops[-1]
                ops[-1] = ("equal", i1, ai + size, j1, bj + size)
            else:
                ops.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return ops


def _groups(ops: list[Opcode], n: int) -> list[list[Opcode]]:
    """Opcodes in hunks with ``n`` lines of context (as difflib's get_grouped_opcodes)."""
    if not ops or all(op[0] == "equal" for op in ops):
        return []
    codes = list(ops)
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    nn = n + n
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > nn:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def compare_text(
    path_a: Path,
    path_b: Path,
    options: CompareOptions,
    steps: Steps,
    encodings: tuple[str | None, str | None] = (None, None),
) -> TextDiff:
    fast_a = read_terminated_lines(path_a, encodings[0])
    fast_b = read_terminated_lines(path_b, encodings[1]) if fast_a is not None else None
    if fast_a is not None and fast_b is not None:
        (a, data_a), (b, data_b) = fast_a, fast_b
        steps.advance(40)
        if data_a == data_b:
            result = TextDiff(TEXT, True, [], lines_a=len(a), lines_b=len(b))
        else:
            del data_a, data_b
            result = diff_lines(a, b, options, steps, terminated=True)
        steps.advance(100)
        return result
    a = read_lines(path_a, encodings[0])
    steps.advance(20)
    b = read_lines(path_b, encodings[1])
    steps.advance(40)
    result = diff_lines(a, b, options, steps)
    steps.advance(100)
    return result
