"""Tree model over a :class:`~artifact_viewer.previews.json.lazy.JsonIndex`: rows are read
from the file when a view asks for them; only the rows shown have Python objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from artifact_viewer.previews.json import lazy
from artifact_viewer.previews.json.lazy import JsonIndex
from artifact_viewer.previews.json.lazytree import LazyNode, LazyTree
from artifact_viewer.previews.json.model import FETCH_BATCH, BatchedTreeModel
from artifact_viewer.previews.json.paths import Path, display_safe

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

Index = QModelIndex | QPersistentModelIndex


class LazyJsonTreeModel(BatchedTreeModel):
    """Read-only tree over an indexed file: Key | Type | Value, as :class:`JsonTreeModel`.

    Takes the index, or a :class:`LazyTree` a worker has already read the first rows of."""

    def __init__(
        self, source: JsonIndex | LazyTree, parent: Any = None, masker: Masker | None = None
    ) -> None:
        super().__init__(parent, masker)
        self.tree = source if isinstance(source, LazyTree) else LazyTree(source)
        self._holder = self.tree.holder

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

    # --- hooks of the shared model ----------------------------------------------------------
    def _child(self, node: LazyNode, row: int) -> LazyNode:
        return self.tree.child(node, row)

    def _count(self, node: LazyNode) -> int:
        return self.tree.count(node)

    def _has_children(self, node: LazyNode) -> bool:
        return self.tree.has_children(node)

    def _kind(self, node: LazyNode) -> str:
        return node.kind

    def _preview(self, node: LazyNode) -> str:
        return self.tree.preview(node)

    def _string_tip(self, node: LazyNode) -> str | None:
        if node.kind != lazy.STRING:
            return None
        text, _more = lazy.string_prefix(self.file_index, node.start, node.end, 2000)
        return display_safe(text)

    def _value(self, node: LazyNode) -> Any:
        return self.tree.scalar(node)

    # --- paths -----------------------------------------------------------------------------
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

    def span_of(self, index: Index) -> tuple[int, int]:
        """Where the value at ``index`` is in the file (start, end)."""
        node = self._node(index) if index.isValid() else self.tree.root
        return node.start, node.end

    def member_count(self, index: Index) -> int:
        return self.tree.count(self._node(index))
