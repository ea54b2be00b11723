"""Tree model over a :class:`~artifact_viewer.previews.json.lazy.JsonIndex`: rows are read
from the file when a view asks for them; only the rows shown have Python objects."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from artifact_viewer.previews.json import lazy
from artifact_viewer.previews.json.lazy import JsonIndex, Member, NotIndexable
from artifact_viewer.previews.json.model import (
    _ITEM_FLAGS,
    _PREVIEW_CHARS,
    COLUMNS,
    FETCH_BATCH,
    PathRole,
    ValueRole,
    _display_safe,
    _type_colours,
)
from artifact_viewer.previews.json.paths import Path, json_path

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

Index = QModelIndex | QPersistentModelIndex
_NCOLUMNS = len(COLUMNS)
_CONTAINERS = (lazy.OBJECT, lazy.ARRAY)


class _LazyNode:
    """One member shown in a view: where its value is in the file; member edges of a
    container are found when first needed."""

    __slots__ = (
        "children",
        "edges",
        "end",
        "key",
        "kind",
        "level",
        "loaded",
        "parent",
        "preview",
        "row",
        "start",
    )

    def __init__(
        self, parent: _LazyNode | None, row: int, key: str | int | None, found: Member | None
    ) -> None:
        self.parent = parent
        self.row = row
        self.key = key
        self.start = found.start if found else 0
        self.end = found.end if found else 0
        self.kind = found.kind if found else lazy.ARRAY
        self.level: int = parent.level + 1 if parent is not None else 0
        self.children: dict[int, _LazyNode] | None = None
        self.edges: np.ndarray | None = None
        self.loaded = 0
        self.preview: str | None = None  # the Value column, once shown

    def path(self) -> Path:
        steps: list[str | int] = []
        node = self
        while node.parent is not None and node.parent.parent is not None:
            assert node.key is not None
            steps.append(node.key)
            node = node.parent
        return tuple(reversed(steps))


class LazyJsonTreeModel(QAbstractItemModel):
    """Read-only tree over an indexed file: Key | Type | Value, as :class:`JsonTreeModel`."""

    def __init__(self, index: JsonIndex, parent: Any = None, masker: Masker | None = None) -> None:
        super().__init__(parent)
        self.masker = masker
        self.file_index = index
        self._holder = _LazyNode(None, 0, None, None)
        self._holder.loaded = 1
        root = _LazyNode(self._holder, 0, None, lazy.root_member(index))
        self._holder.children = {0: root}
        self._holder.edges = np.zeros(2, dtype=np.int64)
        app = QGuiApplication.instance()
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base) if app else QColor("white")
        self._colours = _type_colours(base.lightness() < 128)

    def extend(self, index: JsonIndex) -> None:
        """The whole file is indexed now (the model showed the part read first)."""
        self.file_index = index
        root = self._root()
        root.end = index.root_end
        root.edges = None
        root.preview = None
        top = self.root_index()
        self.dataChanged.emit(top.siblingAtColumn(2), top.siblingAtColumn(2))
        if root.loaded < FETCH_BATCH:  # members that were not complete in the first part
            self._expose(root, top, FETCH_BATCH)

    # --- file access ---------------------------------------------------------------------
    def _root(self) -> _LazyNode:
        assert self._holder.children is not None
        return self._holder.children[0]

    def _edges(self, node: _LazyNode) -> np.ndarray:
        if node.edges is None:
            if node.kind not in _CONTAINERS:
                node.edges = np.zeros(0, dtype=np.int64)
            else:
                ix = self.file_index
                end = node.end if ix.complete or node.level != 1 else ix.size
                node.edges = ix.members(node.start, end, node.level)
        return node.edges

    def _count(self, node: _LazyNode) -> int:
        if node is self._holder:
            return 1
        return max(0, len(self._edges(node)) - 1)

    def _child(self, node: _LazyNode, row: int) -> _LazyNode:
        if node.children is None:
            node.children = {}
        child = node.children.get(row)
        if child is None:
            in_object = node.kind == lazy.OBJECT
            try:
                found = lazy.member(self.file_index, self._edges(node), row, in_object)
            except NotIndexable:
                found = Member(row, 0, 0, lazy.NULL)
            child = _LazyNode(node, row, found.key, found)
            node.children[row] = child
        return child

    def _node(self, index: Index) -> _LazyNode:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _LazyNode)
            return node
        return self._holder

    # --- structure ------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if row < 0 or not 0 <= column < _NCOLUMNS:
            return QModelIndex()
        if parent.isValid():
            if parent.column() != 0:
                return QModelIndex()
            node: _LazyNode = parent.internalPointer()
        else:
            node = self._holder
        if row >= node.loaded:
            return QModelIndex()
        return self.createIndex(row, column, self._child(node, row))

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
        node: _LazyNode = parent.internalPointer()
        if node.kind not in _CONTAINERS:
            return False
        if node.edges is not None:
            return len(node.edges) > 1
        # Without scanning the container: is anything between its brackets?
        inner = self.file_index.read(node.start + 1, min(node.end, node.start + 64))
        stripped = inner.lstrip(b" \t\r\n")
        if stripped:
            return stripped[:1] not in (b"]", b"}")
        return self._count(node) > 0

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent)
        return node.loaded < self._count(node)

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            node = self._node(parent)
            self._expose(node, parent, node.loaded + FETCH_BATCH)

    def _expose(self, node: _LazyNode, parent: Index, rows: int) -> None:
        rows = min(rows, self._count(node))
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

    def _index_of(self, node: _LazyNode) -> QModelIndex:
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
                return (
                    f"[{node.key}]" if isinstance(node.key, int) else _display_safe(str(node.key))
                )
            if col == 1:
                return node.kind
            if node.preview is None:
                node.preview = self._preview(node)
            return self._masked(node, node.preview)
        if role == Qt.ItemDataRole.ToolTipRole and col == 2 and node.kind == lazy.STRING:
            text, _more = lazy.string_prefix(self.file_index, node.start, node.end, 2000)
            return self._masked(node, _display_safe(text))
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return _display_safe(json_path(node.path()))
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return self._colours.get(node.kind)
        if role == ValueRole:
            return self.scalar_of(node)
        if role == PathRole:
            return node.path()
        return None

    def scalar_of(self, node: _LazyNode) -> Any:
        """A scalar's text (strings decoded, other literals as written); None for containers."""
        if node.kind in _CONTAINERS:
            return None
        raw = self.file_index.read(node.start, node.end)
        if node.kind == lazy.STRING:
            return lazy.decode_string(raw)
        return raw.decode("utf-8", "replace")

    def _masked(self, node: _LazyNode, text: str) -> str:
        if self.masker is None or node.kind in _CONTAINERS:
            return text
        key = node.key if isinstance(node.key, str) else None
        return self.masker.mask_cell(key, text)

    # --- value column ----------------------------------------------------------------------
    def _literal(self, node: _LazyNode, limit: int) -> str:
        """A scalar for the Value column: strings quoted and cut at ``limit`` characters."""
        ix = self.file_index
        if node.kind == lazy.STRING:
            text, more = lazy.string_prefix(ix, node.start, node.end, limit)
            quoted = json.dumps(text, ensure_ascii=False)
            return quoted[:-1] + '…"' if more else quoted
        raw = lazy.scalar_literal(ix, node.start, node.end, 200)
        return raw.decode("utf-8", "replace") + ("…" if node.end - node.start > 200 else "")

    def _preview(self, node: _LazyNode) -> str:
        if node.kind not in _CONTAINERS:
            return _display_safe(self._literal(node, _PREVIEW_CHARS))
        n = self._count(node)
        ix = self.file_index
        if node.kind == lazy.OBJECT:
            head = f"{{{n} key{'s' if n != 1 else ''}}}"
        else:
            more = "+" if not ix.complete and node.level == 1 else ""
            head = f"[{n}{more} item{'s' if n != 1 else ''}]"
        return _display_safe(f"{head}  {self._summary(node)}") if n else head

    def _summary(self, node: _LazyNode, width: int = 80) -> str:
        """The first few members, e.g. ``id: 7, name: "Ann", …``."""
        parts: list[str] = []
        size = 0
        n = self._count(node)
        for row in range(min(n, 6)):
            child = self._peek(node, row)
            if child.kind in _CONTAINERS:
                if (
                    row == 0
                    and node.kind == lazy.ARRAY
                    and child.kind == lazy.OBJECT
                    and (self._count(child))
                ):
                    text = "{" + self._summary(child, width // 2) + "}"
                else:
                    text = "{…}" if child.kind == lazy.OBJECT else "[…]"
            else:
                text = self._literal(child, 24)
            part = f"{child.key}: {text}" if node.kind == lazy.OBJECT else text
            parts.append(part)
            size += len(part) + 2
            if size > width:
                break
        more = len(parts) < n
        return ", ".join(parts) + (", …" if more else "")

    def _peek(self, node: _LazyNode, row: int) -> _LazyNode:
        """A member for the summary: the node when it exists, else a loose one (not kept)."""
        if node.children is not None and row in node.children:
            return node.children[row]
        try:
            found = lazy.member(self.file_index, self._edges(node), row, node.kind == lazy.OBJECT)
        except NotIndexable:
            found = Member(row, 0, 0, lazy.NULL)
        return _LazyNode(node, row, found.key, found)

    # --- paths -----------------------------------------------------------------------------
    def root_index(self) -> QModelIndex:
        return self.index(0, 0)

    def index_for_path(self, path: Path) -> QModelIndex:
        """The index of the node at ``path`` (materialising the nodes on the way)."""
        node = self._root()
        for step in path:
            if node.kind == lazy.ARRAY and isinstance(step, int):
                row = step
            elif node.kind == lazy.OBJECT and isinstance(step, str):
                row = self._row_of_key(node, step)
            else:
                return QModelIndex()
            if not 0 <= row < self._count(node):
                return QModelIndex()
            if row >= node.loaded:
                self._expose(node, self._index_of(node), (row // FETCH_BATCH + 1) * FETCH_BATCH)
            node = self._child(node, row)
        return self._index_of(node)

    def _row_of_key(self, node: _LazyNode, key: str) -> int:
        for row in range(self._count(node)):
            if self._peek(node, row).key == key:
                return row
        return -1

    def path_of(self, index: Index) -> Path:
        return self._node(index).path() if index.isValid() else ()

    def span_of(self, index: Index) -> tuple[int, int]:
        """Where the value at ``index`` is in the file (start, end)."""
        node = self._node(index) if index.isValid() else self._root()
        return node.start, node.end

    def member_count(self, index: Index) -> int:
        return self._count(self._node(index))
