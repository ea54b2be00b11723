"""Icons shipped in ``artifact_viewer.resources.icons``: run statuses, cache badges, the app icon."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from artifact_viewer.core.store_models import CacheState

_PACKAGE = "artifact_viewer.resources.icons"
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)

# Workflow-run status -> icon file stem. Unknown statuses get "status-unknown".
_STATUS_ICONS = {
    "PENDING": "status-pending",
    "IN_PROGRESS": "status-in-progress",
    "COMPLETED": "status-completed",
    "FAILED": "status-failed",
    "AWAITING_USER_INPUT": "status-awaiting-input",
    "COMPLETED_WITH_NO_ACTION_TAKEN": "status-no-action",
}

# Cache state -> icon file stem.
_CACHE_ICONS = {
    CacheState.NOT_CACHED: "cache-not-cached",
    CacheState.VERIFIED: "cache-verified",
    CacheState.MISMATCH: "cache-mismatch",
    CacheState.NOT_VERIFIABLE: "cache-not-verifiable",
}


@functools.cache
def _folder() -> Any:
    """The icons' folder: the package's own when it is on disk (the window starts without
    importing importlib.resources), else what importlib.resources finds (e.g. in a zip)."""
    from artifact_viewer.resources import icons as package

    here = Path(package.__file__).parent if package.__file__ else None
    if here is not None and (here / "app.svg").is_file():
        return here
    from importlib import resources

    return resources.files(_PACKAGE)


def svg_bytes(stem: str) -> bytes:
    """The SVG source of one shipped icon."""
    data: bytes = _folder().joinpath(f"{stem}.svg").read_bytes()
    return data


def render_svg(stem: str, size: int) -> QImage:
    """Rasterise a shipped SVG to a square, transparent image (needs a QGuiApplication)."""
    renderer = QSvgRenderer(QByteArray(svg_bytes(stem)))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


@functools.cache
def icon(stem: str) -> QIcon:
    """An icon from the package, rendered crisply at the common small sizes."""
    result = QIcon()
    for size in (16, 20, 24, 32, 48):
        result.addPixmap(QPixmap.fromImage(render_svg(stem, size)))
    return result


def status_icon(status: str | None) -> QIcon:
    return icon(_STATUS_ICONS.get(status or "", "status-unknown"))


def cache_icon(state: CacheState | str) -> QIcon:
    """The badge for a cache state (or its name, as the list's cache role gives it)."""
    if not isinstance(state, CacheState):
        state = CacheState[state] if state in CacheState.__members__ else CacheState.NOT_VERIFIABLE
    return icon(_CACHE_ICONS[state])


@functools.cache
def app_icon() -> QIcon:
    """The app icon: the committed PNG renditions, with the SVG as a fallback."""
    result = QIcon()
    folder = _folder()
    for size in APP_ICON_SIZES:
        png = folder.joinpath(f"app-{size}.png")
        if png.is_file():
            pixmap = QPixmap()
            pixmap.loadFromData(png.read_bytes(), "PNG")
            result.addPixmap(pixmap)
    if result.isNull():
        for size in APP_ICON_SIZES:
            result.addPixmap(QPixmap.fromImage(render_svg("app", size)))
    return result


def write_app_icon_pngs(folder: Path) -> list[Path]:
    """Render app.svg to app-<size>.png files (the committed copies are made with this)."""
    written = []
    for size in APP_ICON_SIZES:
        path = folder / f"app-{size}.png"
        if not render_svg("app", size).save(str(path)):  # PNG, from the suffix
            raise OSError(f"could not write {path.name}")
        written.append(path)
    return written


# Toolbar action -> (freedesktop theme name, bundled fallback stem).
ACTION_ICONS = {
    "refresh": ("view-refresh", "action-refresh"),
    "save_as": ("document-save-as", "action-save"),
    "open_external": ("document-open", "action-open-external"),
    "pin": ("", "action-pin"),
    "verify": ("", "action-verify"),
    "focus_mode": ("view-fullscreen", "action-focus"),
    "compare": ("", "action-compare"),
    "search": ("edit-find", "action-search"),
}
_STROKE = b"#1f1f1f"


def tinted_icon(stem: str, colour: QColor) -> QIcon:
    """A bundled line icon drawn in ``colour`` (the palette's text colour: readable in light
    and dark themes alike)."""
    source = svg_bytes(stem).replace(_STROKE, colour.name().encode())
    result = QIcon()
    for size in (16, 20, 24, 32):
        renderer = QSvgRenderer(QByteArray(source))
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result


def action_icon(name: str, palette: QPalette) -> QIcon:
    """The desktop theme's icon for a toolbar action where it has one, else ours, tinted."""
    theme, stem = ACTION_ICONS[name]
    if theme and QIcon.hasThemeIcon(theme):
        return QIcon.fromTheme(theme)
    return tinted_icon(stem, palette.color(QPalette.ColorRole.WindowText))
