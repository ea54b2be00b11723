"""Tree model over a :class:`~artifact_viewer.previews.json.lazy.JsonIndex`: rows are read
from the file when a view asks for them; only the rows shown have Python objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from artifact_viewer.previews.json import lazy
from artifact_viewer.previews.json.lazy import JsonIndex
from artifact_viewer.previews.json.lazytree import CONTAINERS, LazyNode, LazyTree, display_safe
from artifact_viewer.previews.json.model import (
    _ITEM_FLAGS,
    COLUMNS,
    FETCH_BATCH,
    PathRole,
    ValueRole,
    _type_colours,
)
from artifact_viewer.previews.json.paths import Path, json_path

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

Index = QModelIndex | QPersistentModelIndex
_NCOLUMNS = len(COLUMNS)


class LazyJsonTreeModel(QAbstractItemModel):
    """Read-only tree over an indexed file: Key | Type | Value, as :class:`JsonTreeModel`.

    Takes the index, or a :class:`LazyTree` a worker has already read the first rows of."""

    def __init__(
        self, source: JsonIndex | LazyTree, parent: Any = None, masker: Masker | None = None
    ) -> None:
        super().__init__(parent)
        self.masker = masker
        self.tree = source if isinstance(source, LazyTree) else LazyTree(source)
        self._holder = self.tree.holder
        app = QGuiApplication.instance()
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base) if app else QColor("white")
        self._colours = _type_colours(base.lightness() < 128)

    @property
    def file_index(self) -> JsonIndex:
        return self.tree.file_index

    def extend(self, index: JsonIndex, root_edges: np.ndarray | None = None) -> None:
        """The whole file is indexed now (the model showed the part read first)."""
        self.tree.extend(index, root_edges)
        top = self.root_index()
        self.dataChanged.emit(top.siblingAtColumn(2), top.siblingAtColumn(2))
        root = self.tree.root
        if root.loaded < FETCH_BATCH:  # members that were not complete in the first part
            self._expose(root, top, FETCH_BATCH)

    def _node(self, index: Index) -> LazyNode:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, LazyNode)
            return node
        return self._holder

    # --- structure ------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if row < 0 or not 0 <= column < _NCOLUMNS:
            return QModelIndex()
        if parent.isValid():
            if parent.column() != 0:
                return QModelIndex()
            node: LazyNode = parent.internalPointer()
        else:
            node = self._holder
        if row >= node.loaded:
            return QModelIndex()
        return self.createIndex(row, column, self.tree.child(node, row))

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        up = self._node(index).parent
        if up is None or up is self._holder:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return self._node(parent).loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return _NCOLUMNS

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        if not parent.isValid():
            return True
        if parent.column() != 0:
            return False
        return self.tree.has_children(parent.internalPointer())

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent)
        return node.loaded < self.tree.count(node)

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            node = self._node(parent)
            self._expose(node, parent, node.loaded + FETCH_BATCH)

    def _expose(self, node: LazyNode, parent: Index, rows: int) -> None:
        rows = min(rows, self.tree.count(node))
        if rows > node.loaded:
            self.beginInsertRows(parent, node.loaded, rows - 1)
            node.loaded = rows
            self.endInsertRows()

    def trim(self, parent: Index, rows: int) -> None:
        """Hide the rows of ``parent`` from ``rows`` on (fetchMore brings them back)."""
        node = self._node(parent)
        rows = max(0, rows)
        if rows < node.loaded:
            self.beginRemoveRows(parent, rows, node.loaded - 1)
            node.loaded = rows
            self.endRemoveRows()

    def _index_of(self, node: LazyNode) -> QModelIndex:
        return QModelIndex() if node is self._holder else self.createIndex(node.row, 0, node)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ITEM_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # --- data -----------------------------------------------------------------------------
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < _NCOLUMNS
        ):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                if node.parent is self._holder:
                    return "(root)"
                return f"[{node.key}]" if isinstance(node.key, int) else display_safe(str(node.key))
            if col == 1:
                return node.kind
            return self._masked(node, self.tree.preview(node))
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and node.kind == lazy.STRING:
            text, _more = lazy.string_prefix(self.file_index, node.start, node.end, 2000)
            return self._masked(node, display_safe(text))
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return display_safe(json_path(node.path()))
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return self._colours.get(node.kind)
        if role == ValueRole:
            return self.tree.scalar(node)
        if role == PathRole:
            return node.path()
        return None

    def _masked(self, node: LazyNode, text: str) -> str:
        if self.masker is None or node.kind in CONTAINERS:
            return text
        key = node.key if isinstance(node.key, str) else None
        return self.masker.mask_cell(key, text)

    # --- paths -----------------------------------------------------------------------------
    def root_index(self) -> QModelIndex:
        return self.index(0, 0)

    def index_for_path(self, path: Path) -> QModelIndex:
        """The index of the node at ``path`` (materialising the nodes on the way)."""
        tree = self.tree
        node = tree.root
        for step in path:
            if node.kind == lazy.ARRAY and isinstance(step, int):
                row = step
            elif node.kind == lazy.OBJECT and isinstance(step, str):
                row = tree.row_of_key(node, step)
            else:
                return QModelIndex()
            if not 0 <= row < tree.count(node):
                return QModelIndex()
            if row >= node.loaded:
                self._expose(node, self._index_of(node), (row // FETCH_BATCH + 1) * FETCH_BATCH)
            node = tree.child(node, row)
        return self._index_of(node)

    def path_of(self, index: Index) -> Path:
        return self._node(index).path() if index.isValid() else ()

    def span_of(self, index: Index) -> tuple[int, int]:
        """Where the value at ``index`` is in the file (start, end)."""
        node = self._node(index) if index.isValid() else self.tree.root
        return node.start, node.end

    def member_count(self, index: Index) -> int:
        return self.tree.count(self._node(index))
