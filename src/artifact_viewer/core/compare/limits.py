"""Will a comparison fit in memory? Answered from the file sizes before anything is read."""

from __future__ import annotations

import os

from artifact_viewer.core.compare.model import (
    BINARY,
    IMAGE,
    JSON,
    PDF,
    TABLE,
    TEXT,
    TooBigToCompare,
)
from artifact_viewer.core.units import human_size

# Peak bytes held per byte of input, measured on typical files of each kind (both sides):
# tables hold the Arrow strings, the join and the compared columns; JSON holds two
# Python object trees (~8x the text); text holds the lines twice (decoded + masked) plus
# the matcher's indexes. Images are bounded by their pixel count (checked on opening);
# PDFs are read a page at a time; binary files are streamed.
_FACTOR = {TABLE: 6.0, JSON: 10.0, TEXT: 6.0, IMAGE: 0.0, PDF: 0.0, BINARY: 0.0}
#: largest image (pixels, per side) compared; 4 bytes RGBA per pixel plus the masks
MAX_IMAGE_PIXELS = 120_000_000
#: the share of available memory a comparison may plan to use
_SHARE = 0.7


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable on Linux; physical memory elsewhere)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def planned_bytes(kind: str, size_a: int, size_b: int) -> int:
    return int(_FACTOR.get(kind, 0.0) * (size_a + size_b))


def check_fits(kind: str, size_a: int, size_b: int, limit: int | None = None) -> None:
    """Raise :class:`TooBigToCompare` when comparing files this big as ``kind`` would not fit."""
    need = planned_bytes(kind, size_a, size_b)
    if need == 0:
        return
    budget = limit if limit is not None else int(available_memory() * _SHARE)
    if need > budget:
        raise TooBigToCompare(
            f"The files are too big to compare as {kind} in memory: together"
            f" {human_size(size_a + size_b)}, which needs about {human_size(need)}"
            f" and {human_size(budget)} is available."
        )
