"""Accent colours derived from the current palette, so light and dark themes both read well."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def _pick(palette: QPalette, light: str, dark: str) -> QColor:
    return QColor(dark if is_dark(palette) else light)


def level_color(palette: QPalette, level: str | None) -> QColor:
    """Text colour for a log level ("error", "warning", "debug", "traceback", ...)."""
    if level == "error":
        return _pick(palette, "#c62828", "#ff6b6b")
    if level == "warning":
        return _pick(palette, "#a15c00", "#ffc14d")
    if level == "traceback":
        return _pick(palette, "#8e24aa", "#e08ef0")
    if level == "debug":
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    return palette.color(QPalette.ColorRole.Text)


def search_hit(palette: QPalette) -> QColor:
    color = _pick(palette, "#ffe066", "#8a6d00")
    return color


def current_line(palette: QPalette) -> QColor:
    color = QColor(palette.color(QPalette.ColorRole.Highlight))
    color.setAlpha(60)
    return color


def gutter_background(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.AlternateBase)


def gutter_text(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)


def syntax(palette: QPalette, role: str) -> QColor:
    """Colours for markup highlighting: "tag", "attr", "value", "comment", "entity"."""
    table = {
        "tag": ("#1565c0", "#6cb6ff"),
        "attr": ("#6a1b9a", "#d2a8ff"),
        "value": ("#2e7d32", "#7ee787"),
        "comment": ("#757575", "#8b949e"),
        "entity": ("#ad1457", "#ff7b72"),
        "number": ("#0d47a1", "#79c0ff"),
        "key": ("#6a1b9a", "#d2a8ff"),
    }
    light, dark = table.get(role, ("#000000", "#ffffff"))
    return _pick(palette, light, dark)
