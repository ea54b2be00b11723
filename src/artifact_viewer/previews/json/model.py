"""Tree model over parsed JSON; child nodes are created only when a view asks for them."""

from __future__ import annotations

import json
from itertools import islice
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from artifact_viewer.previews.json.parse import DuplicateKeys
from artifact_viewer.previews.json.paths import (
    Path,
    display_safe,
    json_path,
    node_path,
    scalar_text,
)

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

Index = QModelIndex | QPersistentModelIndex

COLUMNS = ("Key", "Type", "Value")
_NCOLUMNS = len(COLUMNS)
_ITEM_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
#: custom roles: the Python value under a node, and its path from the root
ValueRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
_PREVIEW_CHARS = 200
#: rows handed to the view per fetchMore(); a view expanding a node touches each row
FETCH_BATCH = 256


class _Node:
    """One materialised JSON value; children live in a sparse row -> node map."""

    __slots__ = ("children", "key", "keys", "loaded", "parent", "row", "value")

    def __init__(self, parent: _Node | None, row: int, key: str | int | None, value: Any) -> None:
        self.parent = parent
        self.row = row
        self.key = key
        self.value = value
        self.children: dict[int, _Node] | None = None
        self.keys: list[str] | None = None  # dict keys by row, built on first child access
        self.loaded = 0  # rows exposed to views so far (grows by fetchMore)

    def count(self) -> int:
        return len(self.value) if isinstance(self.value, dict | list) else 0

    def child(self, row: int) -> _Node:
        if self.children is None:
            self.children = {}
        node = self.children.get(row)
        if node is None:
            if isinstance(self.value, dict):
                if self.keys is None:
                    self.keys = list(self.value)
                key: str | int = self.keys[row]
                if isinstance(self.value, DuplicateKeys):  # the row's own member
                    node = _Node(self, row, key, self.value.pairs[row][1])
                else:
                    node = _Node(self, row, key, self.value[key])
            else:
                node = _Node(self, row, row, self.value[row])
            self.children[row] = node
        return node

    def row_of_key(self, key: str | int) -> int:
        if isinstance(self.value, list):
            return int(key)
        if self.keys is None:
            self.keys = list(self.value)
        return self.keys.index(key)  # type: ignore[arg-type]

    def path(self) -> Path:
        return node_path(self)


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _scalar_preview(value: Any, limit: int = 24) -> str:
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, str):
        text = json.dumps(value[:limit], ensure_ascii=False)
        return text if len(value) <= limit else text[:-1] + '…"'
    return scalar_text(value)


def _summary(value: dict[Any, Any] | list[Any], width: int = 80) -> str:
    """The first few members, e.g. ``id: 7, name: "Ann", …`` (never walks the whole value)."""
    parts: list[str] = []
    size = 0
    pairs = islice(value.items(), 6) if isinstance(value, dict) else enumerate(islice(value, 6))
    for n, (key, child) in enumerate(pairs):
        # The first record of a list of records shows a little of what is inside.
        if n == 0 and isinstance(value, list) and isinstance(child, dict) and child:
            text = "{" + _summary(child, width // 2) + "}"
        else:
            text = _scalar_preview(child)
        part = f"{key}: {text}" if isinstance(value, dict) else text
        parts.append(part)
        size += len(part) + 2
        if size > width:
            break
    more = len(parts) < len(value)
    return ", ".join(parts) + (", …" if more else "")


def preview_text(value: Any) -> str:
    """The Value column: ``{12 keys} id: 7, …``, ``[3 items] 1, 2, 3``, a quoted string,
    or a literal."""
    if isinstance(value, dict):
        n = len(value)
        head = f"{{{n} key{'s' if n != 1 else ''}}}"
        return display_safe(f"{head}  {_summary(value)}") if n else head
    if isinstance(value, list):
        n = len(value)
        head = f"[{n} item{'s' if n != 1 else ''}]"
        return display_safe(f"{head}  {_summary(value)}") if n else head
    if isinstance(value, str):
        cut = value[:_PREVIEW_CHARS]
        quoted = json.dumps(cut, ensure_ascii=False)
        return display_safe(quoted if len(value) <= _PREVIEW_CHARS else quoted[:-1] + '…"')
    return scalar_text(value)


def _type_colours(dark: bool) -> dict[str, QColor]:
    # Two sets so that values stay readable on light and dark palettes alike.
    if dark:
        table = {"string": "#8fd18f", "number": "#8cc4ff", "boolean": "#e6a0ff", "null": "#b0b0b0"}
    else:
        table = {"string": "#1d7a1d", "number": "#1750a8", "boolean": "#8a1fa8", "null": "#707070"}
    return {k: QColor(v) for k, v in table.items()}


class BatchedTreeModel(QAbstractItemModel):
    """Read-only tree Key | Type | Value whose rows reach the view in batches (fetchMore).

    The shared plumbing of :class:`JsonTreeModel` (parsed values) and the lazy model over a
    file's index. Nodes have ``parent``, ``row``, ``key``, ``loaded`` and ``path()``; the
    subclass says how a node's children are made and how a node reads (the hooks below).
    ``self._holder`` is an invisible node whose only child (row 0) is the document."""

    _holder: Any

    def __init__(self, parent: Any = None, masker: Masker | None = None) -> None:
        super().__init__(parent)
        self.masker = masker  # the redacted view: values shown masked by key and content
        app = QGuiApplication.instance()
        base = QGuiApplication.palette().color(QPalette.ColorRole.Base) if app else QColor("white")
        self._colours = _type_colours(base.lightness() < 128)

    # --- hooks -----------------------------------------------------------------------
    def _child(self, node: Any, row: int) -> Any:
        raise NotImplementedError

    def _count(self, node: Any) -> int:
        """How many children ``node`` has in all (loaded or not)."""
        raise NotImplementedError

    def _has_children(self, node: Any) -> bool:
        raise NotImplementedError

    def _kind(self, node: Any) -> str:
        """The Type column: object, array, string, number, boolean or null."""
        raise NotImplementedError

    def _preview(self, node: Any) -> str:
        raise NotImplementedError

    def _string_tip(self, node: Any) -> str | None:
        """The tooltip of a string value (its start, display-safe), else None."""
        raise NotImplementedError

    def _value(self, node: Any) -> Any:
        raise NotImplementedError

    # --- structure -------------------------------------------------------------------
    def _node(self, index: Index) -> Any:
        return index.internalPointer() if index.isValid() else self._holder

    # index(), hasChildren() and flags() run once per row whenever the view lays out an
    # expanded node (100k calls for a 100k-element array), so they stay lean.
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if row < 0 or not 0 <= column < _NCOLUMNS:
            return QModelIndex()
        if parent.isValid():
            if parent.column() != 0:
                return QModelIndex()
            node = parent.internalPointer()
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
        loaded: int = self._node(parent).loaded
        return loaded

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return _NCOLUMNS

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
        if not parent.isValid():
            return True
        if parent.column() != 0:
            return False
        return self._has_children(parent.internalPointer())

    def canFetchMore(self, parent: Index) -> bool:
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent)
        return bool(node.loaded < self._count(node))

    def fetchMore(self, parent: Index) -> None:
        if self.canFetchMore(parent):
            node = self._node(parent)
            self._expose(node, parent, node.loaded + FETCH_BATCH)

    def _expose(self, node: Any, parent: Index, rows: int) -> None:
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

    def _index_of(self, node: Any) -> QModelIndex:
        return QModelIndex() if node is self._holder else self.createIndex(node.row, 0, node)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ITEM_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # --- data --------------------------------------------------------------------------
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
                return self._kind(node)
            return self._masked(node, self._preview(node))
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            tip = self._string_tip(node)
            return None if tip is None else self._masked(node, tip)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return display_safe(json_path(node.path()))
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return self._colours.get(self._kind(node))
        if role == ValueRole:
            return self._value(node)
        if role == PathRole:
            return node.path()
        return None

    def _masked(self, node: Any, text: str) -> str:
        if self.masker is None or self._kind(node) in ("object", "array"):
            return text
        key = node.key if isinstance(node.key, str) else None
        return self.masker.mask_cell(key, text)

    # --- paths -------------------------------------------------------------------------
    def root_index(self) -> QModelIndex:
        return self.index(0, 0)

    def path_of(self, index: Index) -> Path:
        path: Path = self._node(index).path() if index.isValid() else ()
        return path


class JsonTreeModel(BatchedTreeModel):
    """Read-only tree: Key | Type | Value. Holds the parsed value; never copies it."""

    def __init__(self, value: Any, parent: Any = None, masker: Masker | None = None) -> None:
        super().__init__(parent, masker)
        # An invisible holder: the document itself is its only child (row 0).
        self._holder = _Node(None, 0, None, [value])
        self._holder.loaded = 1

    def _child(self, node: _Node, row: int) -> _Node:
        children = node.children
        child = children.get(row) if children is not None else None
        return child if child is not None else node.child(row)

    def _count(self, node: _Node) -> int:
        return node.count()

    def _has_children(self, node: _Node) -> bool:
        value = node.value
        return isinstance(value, dict | list) and len(value) > 0

    def _kind(self, node: _Node) -> str:
        return type_name(node.value)

    def _preview(self, node: _Node) -> str:
        return preview_text(node.value)

    def _string_tip(self, node: _Node) -> str | None:
        return display_safe(node.value[:2000]) if isinstance(node.value, str) else None

    def _value(self, node: _Node) -> Any:
        return node.value

    def index_for_path(self, path: Path) -> QModelIndex:
        """The index of the node at ``path`` (materialising the nodes on the way)."""
        node = self._holder.child(0)
        for step in path:
            try:
                row = node.row_of_key(step)
                if not 0 <= row < node.count():
                    return QModelIndex()
            except (ValueError, KeyError):
                return QModelIndex()
            if row >= node.loaded:  # round up to whole batches, as fetchMore would
                self._expose(node, self._index_of(node), (row // FETCH_BATCH + 1) * FETCH_BATCH)
            node = node.child(row)
        return self._index_of(node)

    def value_of(self, index: Index) -> Any:
        return self._node(index).value if index.isValid() else None
