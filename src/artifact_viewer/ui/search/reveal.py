"""Move a loaded preview to a search hit: table cell, JSON node, text or XML line, PDF page
with the match highlighted, the OCR word box outlined on a screenshot.

Previewers are reached through the small public surface each has (``select_path``,
``show_match``/``go_to_page``, ``offset_of_file_line``/``line_index`` + ``view.scroll_to``,
``show_box``, ``model`` + ``view``), so no preview kind depends on search.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from artifact_viewer.core.search.jsondoc import parse_json_path


def reveal(previewer: Any, location: dict[str, Any], match: str = "") -> bool:
    """Show ``location`` in ``previewer``; False when this preview cannot show it.

    ``match`` is the text that matched (highlighted where the preview can: PDF pages)."""
    if previewer is None:
        return False
    if "box" in location and hasattr(previewer, "show_box"):
        return bool(previewer.show_box(location["box"]))
    if "path" in location and hasattr(previewer, "select_path"):
        try:
            steps = parse_json_path(str(location["path"]))
        except ValueError:
            return False
        return bool(previewer.select_path(steps))
    if "row" in location and hasattr(previewer, "model") and hasattr(previewer, "view"):
        return _table_cell(previewer, int(location["row"]), str(location.get("column", "")))
    if "line" in location and hasattr(previewer, "offset_of_file_line"):
        offset = previewer.offset_of_file_line(int(location["line"]), match)
        if offset is None:
            return False
        previewer.view.scroll_to(offset)
        return True
    if "line" in location and hasattr(previewer, "line_index"):
        index = previewer.line_index()
        offset = index.offset_of_line(int(location["line"])) if index is not None else None
        if offset is None:
            return False
        previewer.view.scroll_to(offset)
        return True
    if "page" in location and hasattr(previewer, "show_match"):
        previewer.show_match(int(location["page"]) - 1, match)
        return True
    if "page" in location and hasattr(previewer, "go_to_page"):
        previewer.go_to_page(int(location["page"]) - 1)
        return True
    return False


def _table_cell(previewer: Any, row: int, column: str) -> bool:
    model, view = previewer.model, previewer.view
    columns = [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
        for c in range(model.columnCount())
    ]
    col = columns.index(column) if column in columns else 0
    wanted = row - 1  # hits count data rows from 1; the model from 0
    if getattr(model, "order", None) is not None:  # sorted or filtered: find the view row
        view_row = next((r for r in range(model.rowCount()) if model.source_row(r) == wanted), None)
    else:
        view_row = wanted if wanted < model.rowCount() else None
    if view_row is None:
        return False
    index = model.index(view_row, col)
    view.setCurrentIndex(index)
    view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
    return True
