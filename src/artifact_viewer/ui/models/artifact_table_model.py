"""Table model of the artifact list: pages in lazily (``canFetchMore``/``fetchMore``) from the catalog.

The model never queries anything itself: it emits :attr:`pageWanted` and whoever owns the
data (the browser controller) answers with :meth:`add_page` from a worker's result. Each
new query bumps a generation number so late pages of an old query are dropped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from artifact_viewer.core.models import Artifact
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.icons import cache_icon

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 3
CACHE_ROLE = Qt.ItemDataRole.UserRole + 6

COLUMNS = ("Name", "Type", "MIME type", "Size", "Created", "Cache")
# Column -> ArtifactQuery.order_by; None: not sortable in the catalog.
ORDER_BY: tuple[str | None, ...] = ("name", "type", "mime_type", "file_size", "created_at", None)
CREATED_COLUMN = 4
PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex


def state_name(state: Any) -> str:
    """A CacheState (or its text) as its upper-case name: VERIFIED, MISMATCH..."""
    name = getattr(state, "name", None)
    return str(name if name else state or "NOT_CACHED").upper()


class ArtifactTableModel(QAbstractTableModel):
    """Rows of :class:`Artifact` plus each one's cache state.

    Signals:
        pageWanted(generation, offset, limit): load the next page and call :meth:`add_page`.
        sortWanted(order_by, descending): the user clicked a sortable header.
    """

    pageWanted = Signal(int, int, int)
    sortWanted = Signal(str, bool)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._rows: list[Artifact] = []
        self._row_of: dict[str, int] = {}
        self._states: dict[str, str] = {}
        self._total = 0
        self._pending = False
        self.sort_column = CREATED_COLUMN
        self.sort_order = Qt.SortOrder.DescendingOrder

    # -- feeding -------------------------------------------------------------------------
    @property
    def generation(self) -> int:
        return self._generation

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        return self._pending

    def begin_query(self) -> int:
        """Forget the rows; returns the new generation. The first page is on its way."""
        self.beginResetModel()
        self._generation += 1
        self._rows, self._row_of, self._states = [], {}, {}
        self._total = 0
        self._pending = True
        self.endResetModel()
        return self._generation

    def set_first_page(
        self, generation: int, total: int, rows: list[Artifact], states: dict[str, Any]
    ) -> bool:
        if generation != self._generation:
            return False
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {a.id: i for i, a in enumerate(self._rows)}
        self._states = {k: state_name(v) for k, v in states.items()}
        self._total = max(total, len(self._rows))
        self._pending = False
        self.endResetModel()
        return True

    def add_page(
        self, generation: int, offset: int, rows: list[Artifact], states: dict[str, Any]
    ) -> bool:
        """Append a page; False (and nothing changes) when it belongs to an older query."""
        if generation != self._generation or offset != len(self._rows):
            return False
        self._pending = False
        fresh = [a for a in rows if a.id not in self._row_of]
        if not fresh:
            # The catalog shrank under us: stop asking for rows that are not there.
            self._total = len(self._rows)
            return True
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        for i, artifact in enumerate(fresh):
            self._row_of[artifact.id] = first + i
        self._rows.extend(fresh)
        self._states.update({k: state_name(v) for k, v in states.items()})
        self._total = max(self._total, len(self._rows))
        self.endInsertRows()
        return True

    def page_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._pending = False
            self._total = len(self._rows)  # stop fetching until the next query

    def set_states(self, states: dict[str, Any]) -> None:
        """Update cache badges of rows that are loaded."""
        for artifact_id, state in states.items():
            row = self._row_of.get(artifact_id)
            self._states[artifact_id] = state_name(state)
            if row is not None:
                index = self.index(row, len(COLUMNS) - 1)
                self.dataChanged.emit(index, index)

    def artifact_at(self, row: int) -> Artifact | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, artifact_id: str) -> int | None:
        return self._row_of.get(artifact_id)

    def state_of(self, artifact_id: str) -> str:
        return self._states.get(artifact_id, "NOT_CACHED")

    # -- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._pending and len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent):
            return
        self._pending = True
        self.pageWanted.emit(self._generation, len(self._rows), PAGE_SIZE)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        artifact = self.artifact_at(index.row())
        if artifact is None:
            return None
        col = index.column()
        if role == ITEM_ROLE:
            return artifact
        if role == ID_ROLE:
            return artifact.id
        if role == CACHE_ROLE:
            return self.state_of(artifact.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(artifact, col)
        if role == Qt.ItemDataRole.DecorationRole and col == 5:
            return cache_icon(self.state_of(artifact.id))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 5:
                return fmt.CACHE_LABELS.get(self.state_of(artifact.id), "")
            if col == 3 and artifact.file_size is not None:
                return f"{artifact.file_size:,} bytes"
            if col == 0:
                return artifact.name
            if col == 4:
                return fmt.local_time(artifact.created_at)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, artifact: Artifact, col: int) -> str | None:
        if col == 0:
            return artifact.name
        if col == 1:
            return artifact.type or ""
        if col == 2:
            return artifact.mime_type or ""
        if col == 3:
            return fmt.human_size(artifact.file_size)
        if col == 4:
            return fmt.short_time(artifact.created_at)
        if col == 5:
            return fmt.CACHE_LABELS.get(self.state_of(artifact.id), "")
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting happens in the catalog: ask for a new query ordered by this column."""
        if not 0 <= column < len(ORDER_BY) or ORDER_BY[column] is None:
            return
        self.sort_column, self.sort_order = column, order
        self.sortWanted.emit(ORDER_BY[column], order == Qt.SortOrder.DescendingOrder)
