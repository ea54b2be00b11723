"""Small text formatters shared by previewers (sizes, counts)."""

from __future__ import annotations


def human_size(size: int) -> str:
    """``1536`` -> ``"1.5 KiB"``; exact bytes below 1 KiB."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"
    return f"{size} B"  # unreachable; keeps type checkers content


def count(n: int, noun: str) -> str:
    """``count(1, "line")`` -> ``"1 line"``; ``count(12345, "line")`` -> ``"12,345 lines"``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
