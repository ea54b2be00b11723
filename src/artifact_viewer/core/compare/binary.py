"""Binary diff: sizes, SHA-256 of each side, and the first differing byte with hex around it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from artifact_viewer.core.compare.model import BINARY, CompareOptions, Diff, JsonObj, Steps
from artifact_viewer.core.units import human_size

CHUNK = 1 << 20
#: bytes of hex shown before and after the first difference
CONTEXT = 8


@dataclass(slots=True)
class BinaryDiff(Diff):
    size_a: int = 0
    size_b: int = 0
    sha256_a: str = ""
    sha256_b: str = ""
    first_difference: int | None = None
    hex_offset: int = 0
    hex_a: str = ""
    hex_b: str = ""

    def summary(self) -> JsonObj:
        return {
            "sizeA": self.size_a,
            "sizeB": self.size_b,
            "sha256A": self.sha256_a,
            "sha256B": self.sha256_b,
            "firstDifference": self.first_difference,
            "notes": list(self.notes),
        }

    def changes(self) -> list[JsonObj]:
        if self.first_difference is None:
            return []
        return [
            {
                "offset": self.first_difference,
                "hexOffset": self.hex_offset,
                "a": self.hex_a,
                "b": self.hex_b,
            }
        ]

    def one_line(self) -> str:
        if self.identical:
            return "identical"
        sizes = (
            f"{human_size(self.size_a)} -> {human_size(self.size_b)}"
            if self.size_a != self.size_b
            else f"same size ({human_size(self.size_a)})"
        )
        return f"{sizes}, first difference at byte {self.first_difference:,}"


def compare_binary(path_a: Path, path_b: Path, options: CompareOptions, steps: Steps) -> BinaryDiff:
    """Stream both files once: hashes and the first difference (any size, little memory)."""
    size_a, size_b = path_a.stat().st_size, path_b.stat().st_size
    hash_a, hash_b = hashlib.sha256(), hashlib.sha256()
    first: int | None = None
    offset = 0
    total = max(size_a, size_b) or 1
    with path_a.open("rb") as fa, path_b.open("rb") as fb:
        while True:
            ca, cb = fa.read(CHUNK), fb.read(CHUNK)
            if not ca and not cb:
                break
            hash_a.update(ca)
            hash_b.update(cb)
            if first is None and ca != cb:
                n = min(len(ca), len(cb))
                first = offset + next((i for i in range(n) if ca[i] != cb[i]), n)
            offset += max(len(ca), len(cb))
            steps.advance(int(99 * offset / total))
    result = BinaryDiff(
        BINARY,
        first is None,
        [],
        size_a=size_a,
        size_b=size_b,
        sha256_a=hash_a.hexdigest(),
        sha256_b=hash_b.hexdigest(),
        first_difference=first,
    )
    if first is not None:
        start = max(0, first - CONTEXT)
        result.hex_offset = start
        result.hex_a = _hex_at(path_a, start)
        result.hex_b = _hex_at(path_b, start)
    steps.advance(100)
    return result


def _hex_at(path: Path, start: int) -> str:
    with path.open("rb") as fh:
        fh.seek(start)
        return fh.read(2 * CONTEXT).hex(" ")
