"""Sizes and durations as text: the shared arithmetic behind the CLI, window and previews."""

from __future__ import annotations

import pytest

from artifact_viewer.core.units import human_size, plural, split_duration


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (1024**2 - 1, "1024.0 KiB"),
        (3 * 1024**3, "3.0 GiB"),
        (2048 * 1024**4, "2048.0 TiB"),
    ],
)
def test_human_size_uses_binary_units_and_exact_bytes_below_one_kib(size, text) -> None:
    assert human_size(size) == text


@pytest.mark.parametrize(
    ("seconds", "parts"),
    [(0, (0, 0, 0)), (59.4, (0, 0, 59)), (59.6, (0, 1, 0)), (61, (0, 1, 1)), (3723, (1, 2, 3))],
)
def test_split_duration_rounds_to_the_second_then_splits(seconds, parts) -> None:
    assert split_duration(seconds) == parts


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 runs"), (1, "1 run"), (2, "2 runs"), (12345, "12,345 runs")],
)
def test_plural_adds_s_except_for_one_and_groups_thousands(n, text) -> None:
    assert plural(n, "run") == text
