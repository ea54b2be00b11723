"""List text and colours: sizes, durations, compact times, status colours on light and dark palettes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtGui import QColor, QPalette

from artifact_viewer.ui import formatting as fmt


def palette(base: str) -> QPalette:
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Base, QColor(base))
    return pal


def test_sizes_and_durations_read_naturally() -> None:
    assert fmt.human_size(None) == "—"
    assert fmt.human_size(512) == "512 B"
    assert fmt.human_size(181_095) == "176.9 KiB"
    assert fmt.human_size(3 * 1024**3) == "3.0 GiB"
    assert fmt.duration(None) == ""
    assert fmt.duration(42) == "42s"
    assert fmt.duration(29 * 60 + 24) == "29m 24s"
    assert fmt.duration(2 * 3600 + 5 * 60) == "2h 05m"


def test_short_time_drops_the_year_only_for_this_year() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    this_year = fmt.short_time(datetime(2026, 3, 4, 12, 0, tzinfo=UTC), now)
    last_year = fmt.short_time(datetime(2025, 3, 4, 12, 0, tzinfo=UTC), now)
    assert "2026" not in this_year and len(this_year) == len("Mar 04 12:00")
    assert last_year.startswith("2025-03-0")


def test_status_colours_switch_with_the_palette(qapp: Any) -> None:
    light = fmt.status_colour("FAILED", palette("#ffffff"))
    dark = fmt.status_colour("FAILED", palette("#202020"))
    assert light is not None and dark is not None
    assert dark.lightness() > light.lightness()  # readable on a dark background
    assert fmt.status_colour("SOMETHING_NEW", palette("#ffffff")) is None
    assert fmt.status_label("SOMETHING_NEW") == "Something new"
    assert fmt.status_label("COMPLETED_WITH_NO_ACTION_TAKEN") == "No action taken"


def test_provider_names_are_spelled_as_the_providers_spell_them() -> None:
    assert fmt.provider_label("quickbooks") == "QuickBooks"
    assert fmt.provider_label("adp") == "ADP"
    assert fmt.provider_label("gusto") == "Gusto"
    assert fmt.provider_label("someNewVendor") == "someNewVendor"  # mixed case kept as given
    assert fmt.provider_label(None) == ""


def test_counts_use_the_singular_for_one() -> None:
    assert fmt.plural(1, "artifact") == "1 artifact"
    assert fmt.plural(0, "run") == "0 runs"
    assert fmt.plural(1204, "run") == "1,204 runs"


def test_window_and_cli_write_sizes_in_the_same_units() -> None:
    from artifact_viewer.commands import common

    for size in (0, 1023, 1024, 32_665, 181_095, 5 * 1024**2 + 7, 3 * 1024**3, 2 * 1024**5):
        assert fmt.human_size(size) == common.human_size(size)
    assert "KiB" in fmt.human_size(32_665)
