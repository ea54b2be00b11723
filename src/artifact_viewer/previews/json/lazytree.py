"""The nodes of a tree read from a :class:`~artifact_viewer.previews.json.lazy.JsonIndex`:
only members a view has asked for exist, each holding where its value is in the file.

Kept apart from the Qt model so that a worker can prepare the first screen's rows (their
member lists and Value texts) before the view asks for them on the GUI thread.

Qt-free: no PySide6 here or in what it imports (an import contract in pyproject.toml).
"""

from __future__ import annotations

import json

import numpy as np

from artifact_viewer.previews.json import lazy
from artifact_viewer.previews.json.lazy import JsonIndex, Member, NotIndexable
from artifact_viewer.previews.json.paths import Path, display_safe, node_path

CONTAINERS = (lazy.OBJECT, lazy.ARRAY)
#: characters of a string shown in the Value column
PREVIEW_CHARS = 200


class LazyNode:
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
        self, parent: LazyNode | None, row: int, key: str | int | None, found: Member | None
    ) -> None:
        self.parent = parent
        self.row = row
        self.key = key
        self.start = found.start if found else 0
        self.end = found.end if found else 0
        self.kind = found.kind if found else lazy.ARRAY
        self.level: int = parent.level + 1 if parent is not None else 0
        self.children: dict[int, LazyNode] | None = None
        self.edges: np.ndarray | None = None
        self.loaded = 0  # rows exposed to views so far (grows by fetchMore)
        self.preview: str | None = None  # the Value column, once shown

    def path(self) -> Path:
        return node_path(self)


class LazyTree:
    """The holder (an invisible parent), the document under it, and the members read."""

    def __init__(self, index: JsonIndex) -> None:
        self.file_index = index
        self.holder = LazyNode(None, 0, None, None)
        self.holder.loaded = 1
        self.holder.children = {0: LazyNode(self.holder, 0, None, lazy.root_member(index))}
        self.holder.edges = np.zeros(2, dtype=np.int64)

    @property
    def root(self) -> LazyNode:
        assert self.holder.children is not None
        return self.holder.children[0]

    def extend(self, index: JsonIndex, root_edges: np.ndarray | None = None) -> None:
        """The whole file is indexed now (the tree showed the part read first);
        ``root_edges``: the document's member edges when already found (on a worker)."""
        self.file_index = index
        root = self.root
        root.end = index.root_end
        root.edges = root_edges
        root.preview = None

    def prime(self, rows: int) -> None:
        """Read the document's first ``rows`` members and their Value texts now."""
        root = self.root
        self.preview(root)
        for row in range(min(rows, self.count(root))):
            self.preview(self.child(root, row))

    # --- members ---------------------------------------------------------------------------
    def edges(self, node: LazyNode) -> np.ndarray:
        if node.edges is None:
            if node.kind not in CONTAINERS:
                node.edges = np.zeros(0, dtype=np.int64)
            else:
                ix = self.file_index
                end = node.end if ix.complete or node.level != 1 else ix.size
                node.edges = ix.members(node.start, end, node.level)
        return node.edges

    def count(self, node: LazyNode) -> int:
        if node is self.holder:
            return 1
        return max(0, len(self.edges(node)) - 1)

    def child(self, node: LazyNode, row: int) -> LazyNode:
        if node.children is None:
            node.children = {}
        child = node.children.get(row)
        if child is None:
            child = self.peek(node, row)
            node.children[row] = child
        return child

    def peek(self, node: LazyNode, row: int) -> LazyNode:
        """Member ``row`` of ``node``: the kept one when it exists, else a loose one."""
        if node.children is not None and row in node.children:
            return node.children[row]
        try:
            found = lazy.member(self.file_index, self.edges(node), row, node.kind == lazy.OBJECT)
        except NotIndexable:
            found = Member(row, 0, 0, lazy.NULL)
        return LazyNode(node, row, found.key, found)

    def has_children(self, node: LazyNode) -> bool:
        if node.kind not in CONTAINERS:
            return False
        if node.edges is not None:
            return len(node.edges) > 1
        # Without scanning the container: is anything between its brackets?
        inner = self.file_index.read(node.start + 1, min(node.end, node.start + 64))
        stripped = inner.lstrip(b" \t\r\n")
        if stripped:
            return stripped[:1] not in (b"]", b"}")
        return self.count(node) > 0

    # --- the Value column ----------------------------------------------------------------
    def scalar(self, node: LazyNode) -> str | None:
        """A scalar's text (strings decoded, other literals as written); None for containers."""
        if node.kind in CONTAINERS:
            return None
        raw = self.file_index.read(node.start, node.end)
        if node.kind == lazy.STRING:
            return lazy.decode_string(raw)
        return raw.decode("utf-8", "replace")

    def literal(self, node: LazyNode, limit: int) -> str:
        """A scalar for the Value column: strings quoted and cut at ``limit`` characters."""
        ix = self.file_index
        if node.kind == lazy.STRING:
            text, more = lazy.string_prefix(ix, node.start, node.end, limit)
            quoted = json.dumps(text, ensure_ascii=False)
            return quoted[:-1] + '…"' if more else quoted
        raw = lazy.scalar_literal(ix, node.start, node.end, 200)
        return raw.decode("utf-8", "replace") + ("…" if node.end - node.start > 200 else "")

    def preview(self, node: LazyNode) -> str:
        """``{12 keys}  id: 7, …``, ``[3 items]  1, 2, 3``, a quoted string or a literal."""
        if node.preview is None:
            node.preview = self._preview(node)
        return node.preview

    def _preview(self, node: LazyNode) -> str:
        if node.kind not in CONTAINERS:
            return display_safe(self.literal(node, PREVIEW_CHARS))
        n = self.count(node)
        if node.kind == lazy.OBJECT:
            head = f"{{{n} key{'s' if n != 1 else ''}}}"
        else:
            more = "+" if not self.file_index.complete and node.level == 1 else ""
            head = f"[{n}{more} item{'s' if n != 1 else ''}]"
        return display_safe(f"{head}  {self.summary(node)}") if n else head

    def summary(self, node: LazyNode, width: int = 80) -> str:
        """The first few members, e.g. ``id: 7, name: "Ann", …``."""
        parts: list[str] = []
        size = 0
        n = self.count(node)
        for row in range(min(n, 6)):
            child = self.peek(node, row)
            if child.kind in CONTAINERS:
                first_record = row == 0 and node.kind == lazy.ARRAY and child.kind == lazy.OBJECT
                if first_record and self.count(child):
                    text = "{" + self.summary(child, width // 2) + "}"
                else:
                    text = "{…}" if child.kind == lazy.OBJECT else "[…]"
            else:
                text = self.literal(child, 24)
            part = f"{child.key}: {text}" if node.kind == lazy.OBJECT else text
            parts.append(part)
            size += len(part) + 2
            if size > width:
                break
        more = len(parts) < n
        return ", ".join(parts) + (", …" if more else "")

    # --- paths -------------------------------------------------------------------------------
    def row_of_key(self, node: LazyNode, key: str) -> int:
        for row in range(self.count(node)):
            if self.peek(node, row).key == key:
                return row
        return -1
