"""Cell texts as the table shows them, made on the loader thread and by the model.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

#: longer cell texts are cut here, with an ellipsis
_CELL_CHARS = 300


def format_value(value: Any) -> str:
    """Cell text: compact, one line, never the repr of a Python object."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value else "NaN"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, bytes):
        return value[:64].hex(" ")
    text = str(value)
    if len(text) > _CELL_CHARS:
        text = text[:_CELL_CHARS] + "…"
    if "\n" in text or "\r" in text:
        text = text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵")
    return text
