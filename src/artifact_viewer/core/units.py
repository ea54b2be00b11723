"""Byte sizes, durations and counts as text: one arithmetic for the CLI, window and previews."""

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


def split_duration(seconds: float) -> tuple[int, int, int]:
    """Whole hours, minutes and seconds of ``seconds`` rounded to the nearest second."""
    hours, rest = divmod(int(round(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs


def plural(count: int, word: str) -> str:
    """``1 artifact``, ``2 artifacts``, ``1,204 runs`` (regular English plurals only)."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
