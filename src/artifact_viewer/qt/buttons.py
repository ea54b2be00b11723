"""Tool buttons made in one call (text, tooltip, checkable), typed where Qt's keyword
properties are not."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton, QWidget


def tool_button(
    text: str,
    tip: str = "",
    *,
    checkable: bool = False,
    checked: bool = False,
    parent: QWidget | None = None,
) -> QToolButton:
    """A :class:`QToolButton` showing ``text`` with the tooltip ``tip``."""
    button = QToolButton(parent)
    button.setText(text)
    if tip:
        button.setToolTip(tip)
    if checkable:
        button.setCheckable(True)
        button.setChecked(checked)
    return button
