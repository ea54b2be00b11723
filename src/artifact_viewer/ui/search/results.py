"""The results list: hits grouped under their run, the snippet drawn with its matches bold."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPainter, QStandardItem, QStandardItemModel, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker
    from artifact_viewer.core.search.finder import Hit


HIT_ROLE = Qt.ItemDataRole.UserRole + 1
RUN_ROLE = Qt.ItemDataRole.UserRole + 3  # a run row's run id (HIT_ROLE + 1 is the markup)
COLUMNS = ("Artifact", "Where", "Match")
Index = QModelIndex | QPersistentModelIndex


def where(location: dict[str, Any]) -> str:
    """``line 3``, ``row 2, id``, ``$.a[0]``, ``page 4``, ``text at 10,20``, ``name``."""
    if "path" in location:
        return str(location["path"])
    if "row" in location:
        return f"row {location['row']}, {location['column']}"
    if "box" in location:
        return "text at " + ",".join(str(v) for v in location["box"][:2])
    if "page" in location:
        return f"page {location['page']}"
    if "line" in location:
        return f"line {location['line']}"
    return str(location.get("field", ""))


def shown_snippet(hit: Hit, masker: Masker | None) -> str:
    """The snippet as listed: masked in the redacted view (by its column or key name when
    the hit says which, then by content). Masking keeps the length, so the match marks
    still fall on the same characters."""
    if masker is None:
        return hit.snippet
    column = hit.location.get("column")
    if not isinstance(column, str):
        path = hit.location.get("path")
        column = path.rsplit(".", 1)[-1].split("[", 1)[0] if isinstance(path, str) else None
    if column:
        return masker.mask_cell(column, hit.snippet)
    return masker.mask_text(hit.snippet)


def _marked(snippet: str, hit: Hit, before: str, after: str, escape: bool) -> str:
    out, last = [], 0
    esc = html.escape if escape else str
    for start, end in hit.marks:
        out += [esc(snippet[last:start]), before, esc(snippet[start:end]), after]
        last = end
    out.append(esc(snippet[last:]))
    return "".join(out)


def snippet_html(hit: Hit, masker: Masker | None = None) -> str:
    """The snippet as HTML with each match in bold (everything else escaped)."""
    return _marked(shown_snippet(hit, masker), hit, "<b>", "</b>", True)


def run_title(hit: Hit) -> str:
    when = (
        datetime.fromtimestamp(hit.run_created_at, tz=UTC).strftime("%Y-%m-%d %H:%M")
        if hit.run_created_at
        else "-"
    )
    workflow = hit.workflow_name or hit.workflow_id or "-"
    run = (hit.run_id or "-")[:8]
    return f"{workflow} · run {run} · {when}"


def results_model(hits: list[Hit], model: QStandardItemModel, masker: Masker | None = None) -> None:
    """Fill ``model``: one row per run (in the hits' order), its hits as children; with
    ``masker`` (the redacted view) the snippets are masked."""
    model.clear()
    model.setHorizontalHeaderLabels(list(COLUMNS))
    append_hits(hits, model, masker)


def append_hits(hits: list[Hit], model: QStandardItemModel, masker: Masker | None = None) -> None:
    """Add ``hits`` to a filled ``model``: under their run's row, or a new one at the end
    (the same rows :func:`results_model` makes of all the hits at once); masked with
    ``masker`` (the redacted view)."""
    parents: dict[str | None, QStandardItem] = {}
    for row in range(model.rowCount()):
        item = model.item(row, 0)
        parents[item.data(RUN_ROLE)] = item
    for hit in hits:
        parent = parents.get(hit.run_id)
        if parent is None:
            parent = QStandardItem(run_title(hit))
            parent.setEditable(False)
            parent.setSelectable(False)
            parent.setData(hit.run_id, RUN_ROLE)
            model.appendRow([parent, _plain(""), _plain("")])
            parents[hit.run_id] = parent
        name = _plain(hit.display_name)
        name.setData(hit, HIT_ROLE)
        match = _plain(_marked(shown_snippet(hit, masker), hit, "«", "»", False))
        match.setData(snippet_html(hit, masker), HIT_ROLE + 1)
        match.setData(hit, HIT_ROLE)
        # the words are in the file, not in one row: say so where the place is
        place = _plain(where(hit.location) + (" (words across rows)" if hit.across_rows else ""))
        place.setData(hit, HIT_ROLE)
        parent.appendRow([name, place, match])


def _plain(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


class SnippetDelegate(QStyledItemDelegate):
    """Draws a snippet's HTML (matches in bold) on one line."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        markup = index.data(HIT_ROLE + 1)
        if not markup:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        style = option.widget.style() if option.widget is not None else None
        text_option = QStyleOptionViewItem(option)
        text_option.text = ""
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_option, painter)
        doc = QTextDocument()
        doc.setDocumentMargin(1)
        doc.setDefaultFont(option.font)
        doc.setHtml(markup)
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(0, 0, option.rect.width(), option.rect.height())
        doc.drawContents(painter)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), option.fontMetrics.height() + 4))
