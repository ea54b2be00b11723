"""Shipped icons: every status and cache badge loads, and the committed PNGs match app.svg."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
from PySide6.QtGui import QImage

from artifact_viewer.core.models import WORKFLOW_RUN_STATUSES
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.ui.icons import (
    ACTION_ICONS,
    APP_ICON_SIZES,
    app_icon,
    cache_icon,
    render_svg,
    status_icon,
)


def test_every_run_status_and_cache_state_has_its_own_icon(qapp: Any) -> None:
    keys = set()
    for status in WORKFLOW_RUN_STATUSES:
        icon = status_icon(status)
        assert not icon.isNull()
        keys.add(icon.cacheKey())
    assert len(keys) == len(WORKFLOW_RUN_STATUSES)
    assert status_icon("SOMETHING_NEW").cacheKey() not in keys
    badges = {cache_icon(state.name).cacheKey() for state in CacheState}
    assert len(badges) == len(CacheState)


@pytest.mark.parametrize("size", APP_ICON_SIZES)
def test_committed_app_icon_png_matches_the_svg(qapp: Any, size: int) -> None:
    data = (
        resources.files("artifact_viewer.resources.icons").joinpath(f"app-{size}.png").read_bytes()
    )
    committed = QImage.fromData(data, "PNG").convertToFormat(QImage.Format.Format_ARGB32)
    fresh = render_svg("app", size).convertToFormat(QImage.Format.Format_ARGB32)
    assert committed.size() == fresh.size()
    step = max(1, size // 16)
    worst = max(
        abs(a - b)
        for x in range(0, size, step)
        for y in range(0, size, step)
        for a, b in zip(
            committed.pixelColor(x, y).getRgb(), fresh.pixelColor(x, y).getRgb(), strict=True
        )
    )
    assert worst <= 8  # same drawing; only antialiasing may differ between Qt builds


def test_app_icon_offers_every_size(qapp: Any) -> None:
    sizes = {s.width() for s in app_icon().availableSizes()}
    assert set(APP_ICON_SIZES) <= sizes


@pytest.mark.parametrize("name", sorted(ACTION_ICONS))
def test_toolbar_icons_take_the_palette_text_colour_so_dark_themes_read(
    qapp: Any, name: str
) -> None:
    from PySide6.QtGui import QColor, QPalette

    from artifact_viewer.ui.icons import tinted_icon

    stem = ACTION_ICONS[name][1]
    for text in (QColor("#101010"), QColor("#f0f0f0")):
        palette = QPalette()
        palette.setColor(QPalette.ColorRole.WindowText, text)
        image = tinted_icon(stem, palette.color(QPalette.ColorRole.WindowText)).pixmap(24, 24)
        image = image.toImage()
        opaque = [
            image.pixelColor(x, y)
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).alpha() == 255
        ]
        assert opaque, f"{stem} draws nothing"
        assert all(abs(c.lightness() - text.lightness()) < 8 for c in opaque)
