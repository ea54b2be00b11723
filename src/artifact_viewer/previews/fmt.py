"""Small text formatters shared by previewers (sizes, counts)."""

from __future__ import annotations

from artifact_viewer.core.units import human_size

__all__ = ["count", "human_size"]


def count(n: int, noun: str) -> str:
    """``count(1, "line")`` -> ``"1 line"``; ``count(12345, "line")`` -> ``"12,345 lines"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
