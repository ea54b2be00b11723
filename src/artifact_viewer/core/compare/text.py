"""Line diff of text and logs: patience diff (near-linear), hunks numbered on both sides.

The matching is ``patiencediff`` (the Breezy project's patience diff, Rust-backed): it
anchors on lines unique to both sides, so it stays fast on big logs where difflib's
SequenceMatcher goes quadratic. With ``mask_volatile`` the lines are compared with
timestamps, UUIDs and durations masked; hunks always show the lines as the files have them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from artifact_viewer.core.compare.model import TEXT, CompareOptions, Diff, JsonObj, Steps
from artifact_viewer.core.units import plural

_VOLATILE = re.compile(
    r"""
    \d{4}-\d\d-\d\d(?:[T\s]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?  # dates
    | \b\d\d:\d\d:\d\d(?:[.,]\d+)?\b                                                  # times
    | \b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b  # uuids
    | \b\d+(?:\.\d+)?\s?(?:ms|µs|us|ns|s|sec|secs|seconds?|m|min|mins|minutes?|h)\b   # durations
    """,
    re.VERBOSE,
)


def mask_volatile(line: str) -> str:
    """``line`` with timestamps, UUIDs and durations replaced by a placeholder."""
    return _VOLATILE.sub("\x00", line)


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


def read_lines(path: Path, encoding: str | None) -> list[str]:
    """The file's lines without their line ends (undecodable bytes shown as U+FFFD)."""
    data = path.read_bytes()
    text = data.decode(encoding or "utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.splitlines()


def diff_lines(
    a: list[str],
    b: list[str],
    options: CompareOptions,
    steps: Steps | None = None,
) -> TextDiff:
    """Diff two lists of lines (no line ends)."""
    import patiencediff

    if steps is not None:
        steps.check()
    if options.mask_volatile:
        key_a: list[str] = [mask_volatile(x) for x in a]
        key_b: list[str] = [mask_volatile(x) for x in b]
    else:
        key_a, key_b = a, b
    # Equal heads and tails need no matching: trim them (most logs differ in a few places).
    n, m = len(key_a), len(key_b)
    head = 0
    while head < n and head < m and key_a[head] == key_b[head]:
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and key_a[n - 1 - tail] == key_b[m - 1 - tail]:
        tail += 1
    result = TextDiff(TEXT, True, [], lines_a=n, lines_b=m)
    if head == n and head == m:
        return result
    if steps is not None:
        steps.check()
    matcher = patiencediff.PatienceSequenceMatcher(
        None, key_a[head : n - tail], key_b[head : m - tail]
    )
    blocks = [(i + head, j + head, size) for i, j, size in matcher.get_matching_blocks()]
    if steps is not None:
        steps.check()
    opcodes = _opcodes([(0, 0, head), *blocks[:-1], (n - tail, m - tail, tail), (n, m, 0)])
    context = max(0, options.context)
    for group in _groups(opcodes, context):
        lines: list[str] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(" " + x for x in a[i1:i2])
                continue
            lines.extend("-" + x for x in a[i1:i2])
            lines.extend("+" + x for x in b[j1:j2])
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
                tuple(lines),
            )
        )
    result.identical = not result.hunks
    return result


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
    a = read_lines(path_a, encodings[0])
    steps.advance(20)
    b = read_lines(path_b, encodings[1])
    steps.advance(40)
    result = diff_lines(a, b, options, steps)
    steps.advance(100)
    return result
