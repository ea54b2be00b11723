"""JSON diff view: the changed paths as a tree marked by kind, copy the path of a change."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import (
    QAction,
    QBrush,
    QGuiApplication,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QLabel, QTreeView, QVBoxLayout, QWidget

from artifact_viewer.core.compare import JsonDiff
from artifact_viewer.core.compare.jsondiff import dumps, json_path
from artifact_viewer.core.masking import Masker
from artifact_viewer.ui.compare.textdiff import ADDED, CHANGED, REMOVED

#: JSON changes shown in the tree at most (the CLI's --json lists them all)
MAX_JSON_CHANGES = 2000
_JSON_TINT = {"add": ADDED, "remove": REMOVED, "replace": CHANGED}


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def _shown(value: Any, key: str | None, masker: Masker | None) -> str:
    """A value as the tree shows it: short, and masked (by its key, then its content)
    while the redacted view is on."""
    if masker is None:
        return _short(value)
    text = value if isinstance(value, str) else dumps(value)
    if isinstance(value, dict | list):
        masked = masker.mask_text(text)  # keys inside say what their values are
    else:
        masked = masker.mask_cell(key, text)
    return _short(masked)


def json_model(diff: JsonDiff, masker: Masker | None = None) -> QStandardItemModel:
    """The changed paths as a two-column tree model (path step, change), marked by kind;
    with ``masker`` (the redacted view) the values are masked.

    Made on a worker thread and moved to the GUI thread: the view only swaps it in."""
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["Path", "Change"])
    nodes: dict[tuple[str | int, ...], QStandardItem] = {}
    root = model.invisibleRootItem()
    for change in diff.items[:MAX_JSON_CHANGES]:
        parent = root
        for depth in range(len(change.path)):
            prefix = change.path[: depth + 1]
            node = nodes.get(prefix)
            if node is None:
                step = prefix[-1]
                node = QStandardItem(f"[{step}]" if isinstance(step, int) else step)
                node.setData(json_path(prefix), PATH_ROLE)
                node.setEditable(False)
                parent.appendRow([node, _cell("")])
                nodes[prefix] = node
            parent = node
        key = next((s for s in reversed(change.path) if isinstance(s, str)), None)
        if change.op == "add":
            text = f"added: {_shown(change.new, key, masker)}"
        elif change.op == "remove":
            text = f"removed: {_shown(change.old, key, masker)}"
        else:
            text = f"{_shown(change.old, key, masker)} -> {_shown(change.new, key, masker)}"
            if change.same_value:
                text += "  (same value, written differently)"
        if change.occurrence:
            text += f"  (occurrence {change.occurrence} of a repeated key)"
        holder = parent.parent() or root if change.path else root
        row = parent.row() if change.path else holder.rowCount()
        label = parent.text() if change.path else "$"
        existing = holder.child(row, 1) if change.path else None
        if existing is not None and not existing.text():
            step_item, change_item = parent, existing
        else:  # a removal and an addition at one index (or the root): one row each
            step_item, change_item = QStandardItem(label), _cell("")
            step_item.setEditable(False)
            holder.appendRow([step_item, change_item])
        step_item.setData(json_path(change.path), PATH_ROLE)
        change_item.setText(text)
        brush = QBrush(_JSON_TINT[change.op])
        step_item.setBackground(brush)
        change_item.setBackground(brush)
    app = QCoreApplication.instance()
    if app is not None:
        model.moveToThread(app.thread())
    return model


def _cell(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


class JsonDiffView(QWidget):
    """Changed paths as a tree, marked by kind; copy the path of a change (Ctrl+C)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.tree = QTreeView(self)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_action = QAction("Copy path", self.tree)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_path)
        self.tree.addAction(self.copy_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.model: QStandardItemModel | None = None

    def show_diff(self, diff: JsonDiff, model: QStandardItemModel | None = None) -> None:
        note = (
            f" (first {MAX_JSON_CHANGES:,} shown; the CLI's --json lists all)"
            if len(diff.items) > MAX_JSON_CHANGES
            else ""
        )
        self.summary.setText(diff.one_line() + note)
        self.model = model if model is not None else json_model(diff)
        self.model.setParent(self)
        self.tree.setModel(self.model)
        self.tree.setColumnWidth(0, 320)
        if self.model.rowCount() <= 50:
            self.tree.expandToDepth(1)

    def selected_path(self) -> str:
        index = self.tree.currentIndex()
        if not index.isValid():
            return ""
        return str(index.siblingAtColumn(0).data(PATH_ROLE) or "")

    @Slot()
    def copy_path(self) -> None:
        path = self.selected_path()
        if path:
            QGuiApplication.clipboard().setText(path)
