"""Table model of the artifact list: pages in lazily (``canFetchMore``/``fetchMore``) from the catalog.

The model never queries anything itself: it emits :attr:`pageWanted` and whoever owns the
data (the browser controller) answers with :meth:`add_page` from a worker's result. Each
new query bumps a generation number so late pages of an old query are dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QApplication

from artifact_viewer.core.models import Artifact
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.core.textsafe import visible_text
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.icons import cache_icon, icon, status_icon
from artifact_viewer.ui.models.navigator_model import run_status_text

if TYPE_CHECKING:
    from artifact_viewer.core.catalog.listing import ListedRun

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 3
CACHE_ROLE = Qt.ItemDataRole.UserRole + 6

_ITEM, _ID, _CACHE = int(ITEM_ROLE), int(ID_ROLE), int(CACHE_ROLE)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_TEXT_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ANSWERED = frozenset(
    (_ITEM, _ID, _CACHE, _DISPLAY, _DECORATION, _FOREGROUND, _BACKGROUND, _TOOLTIP, _TEXT_ALIGNMENT)
)
_RIGHT_ALIGNED = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

COLUMNS = ("Name", "Type", "MIME type", "Size", "Created", "Cache", "Workflow", "Run", "Run status")
# Column -> ArtifactQuery.order_by; None: not sortable in the catalog.
ORDER_BY: tuple[str | None, ...] = (
    "name",
    "type",
    "mime_type",
    "file_size",
    "created_at",
    None,
    None,
    "run_started",
    None,
)
CREATED_COLUMN = 4
CACHE_COLUMN = 5
# Where each artifact comes from: shown when a list spans runs (hidden inside one run).
CONTEXT_COLUMNS = (6, 7, 8)
PAGE_SIZE = 200
AnyIndex = QModelIndex | QPersistentModelIndex


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
        self._states: dict[str, CacheState] = {}
        self._noted: set[str] = set()  # artifacts with a note (a marker by the name)
        self._total = 0
        self._pending = False
        self.sort_column = CREATED_COLUMN
        self.sort_order = Qt.SortOrder.DescendingOrder
        self._workflow_names: dict[str, str] = {}
        self._runs: dict[str, ListedRun] = {}
        self.grouped = False  # rows come ordered by run: each run's rows share a band
        self._bands: list[int] = []

    def set_context(self, workflow_names: Mapping[str, str], runs: Mapping[str, ListedRun]) -> None:
        """Names and runs for the context columns (from the navigator's snapshot)."""
        self._workflow_names = dict(workflow_names)
        self._runs = dict(runs)
        if self._rows:
            self.dataChanged.emit(
                self.index(0, CONTEXT_COLUMNS[0]),
                self.index(len(self._rows) - 1, COLUMNS.index("Run status")),
            )

    def run_of(self, artifact: Artifact) -> ListedRun | None:
        return self._runs.get(artifact.workflow_run_id or "")

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
        self._bands = []
        self._noted = set()
        self._total = 0
        self._pending = True
        self.endResetModel()
        return self._generation

    def set_first_page(
        self,
        generation: int,
        total: int,
        rows: list[Artifact],
        states: Mapping[str, CacheState],
        noted: frozenset[str] = frozenset(),
    ) -> bool:
        if generation != self._generation:
            return False
        self.beginResetModel()
        self._rows = list(rows)
        self._bands = []
        self._extend_bands()
        self._row_of = {a.id: i for i, a in enumerate(self._rows)}
        self._states = dict(states)
        self._noted = set(noted)
        self._total = max(total, len(self._rows))
        self._pending = False
        self.endResetModel()
        return True

    def add_page(
        self,
        generation: int,
        offset: int,
        rows: list[Artifact],
        states: Mapping[str, CacheState],
        noted: frozenset[str] = frozenset(),
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
        self._extend_bands()
        self._states.update(states)
        self._noted.update(noted)
        self._total = max(self._total, len(self._rows))
        self.endInsertRows()
        return True

    def page_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._pending = False
            self._total = len(self._rows)  # stop fetching until the next query

    def set_states(self, states: Mapping[str, CacheState]) -> None:
        """Update cache badges of rows that are loaded."""
        for artifact_id, state in states.items():
            row = self._row_of.get(artifact_id)
            self._states[artifact_id] = state
            if row is not None:
                index = self.index(row, CACHE_COLUMN)
                self.dataChanged.emit(index, index)

    def set_noted(self, artifact_id: str, noted: bool) -> None:
        """Show or hide the note marker of a loaded row (after its note was saved or cleared)."""
        (self._noted.add if noted else self._noted.discard)(artifact_id)
        row = self._row_of.get(artifact_id)
        if row is not None:
            index = self.index(row, 0)
            self.dataChanged.emit(index, index)

    def has_note(self, artifact_id: str) -> bool:
        return artifact_id in self._noted

    def artifact_at(self, row: int) -> Artifact | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, artifact_id: str) -> int | None:
        return self._row_of.get(artifact_id)

    def cache_state(self, artifact_id: str) -> CacheState:
        return self._states.get(artifact_id, CacheState.NOT_CACHED)

    def state_of(self, artifact_id: str) -> str:
        """The cache state's name (``VERIFIED``...), as :data:`CACHE_ROLE` gives it."""
        return self.cache_state(artifact_id).name

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

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        # Asked for about seven roles of every cell at each repaint (a filter, a sort or a
        # page repaints the whole list): roles never answered return first, and the roles
        # are compared as plain ints. Indexes of a table have no parent.
        if role not in _ANSWERED or not index.isValid():
            return None
        row = index.row()
        rows = self._rows
        if not 0 <= row < len(rows):
            return None
        artifact = rows[row]
        col = index.column()
        if role == _DISPLAY:
            return self._display(artifact, col)
        if role == _ITEM:
            return artifact
        if role == _ID:
            return artifact.id
        if role == _CACHE:
            return self.state_of(artifact.id)
        if role == _DECORATION:
            if col == 7:
                run = self.run_of(artifact)
                return status_icon(run.status) if run is not None else None
            if col == 5:
                return cache_icon(self.cache_state(artifact.id))
            if col == 0 and artifact.id in self._noted:
                return icon("note")
            return None
        if role == _FOREGROUND:
            if col == 8:
                run = self.run_of(artifact)
                return fmt.status_colour(run.status, QApplication.palette()) if run else None
            return None
        if role == _BACKGROUND:
            return self._group_band(row) if self.grouped else None
        if role == _TEXT_ALIGNMENT:
            return _RIGHT_ALIGNED if col == 3 else None
        if role == _TOOLTIP:
            if col == 5:
                return fmt.CACHE_LABELS[self.cache_state(artifact.id)]
            if col == 3 and artifact.file_size is not None:
                return f"{artifact.file_size:,} bytes"
            if col == 0:
                name = visible_text(artifact.name)
                return f"{name}\nHas a note" if artifact.id in self._noted else name
            if col == 4:
                return fmt.resource_time(artifact, "created_at", fmt.local_time)
            if col in CONTEXT_COLUMNS:
                run = self.run_of(artifact)
                lines = [f"Workflow: {self._workflow_name(artifact)}"]
                lines.append(f"Run {artifact.workflow_run_id or '—'}")
                if run is not None:
                    lines.append(f"Status: {run_status_text(run)}")
                    lines.append(f"Started: {fmt.local_time(run.created_at)}")
                return "\n".join(lines)
        return None

    def _display(self, artifact: Artifact, col: int) -> str | None:
        if col == 0:
            return visible_text(artifact.name)
        if col == 1:
            return visible_text(artifact.type)
        if col == 2:
            return visible_text(artifact.mime_type)
        if col == 3:
            return fmt.human_size(artifact.file_size)
        if col == 4:
            return fmt.resource_time(artifact, "created_at", fmt.short_time)
        if col == 5:
            return fmt.CACHE_LABELS[self.cache_state(artifact.id)]
        if col == 6:
            return self._workflow_name(artifact)
        if col == 7:
            run = self.run_of(artifact)
            when = fmt.short_time(run.created_at) if run is not None else ""
            short = fmt.short_id(artifact.workflow_run_id)
            return f"{when} · {short}" if when else short
        if col == 8:
            run = self.run_of(artifact)
            return run_status_text(run) if run is not None else ""
        return None

    def _workflow_name(self, artifact: Artifact) -> str:
        wf = artifact.workflow_id or ""
        return self._workflow_names.get(wf) or fmt.short_id(wf)

    def _extend_bands(self) -> None:
        """Band of each row (0/1): it flips where the run changes. Kept as rows arrive, so
        painting any row is O(1) however far down the list is scrolled."""
        bands = self._bands
        for i in range(len(bands), len(self._rows)):
            if i == 0:
                bands.append(0)
            else:
                same = self._rows[i].workflow_run_id == self._rows[i - 1].workflow_run_id
                bands.append(bands[i - 1] if same else bands[i - 1] ^ 1)

    def _group_band(self, row: int) -> QBrush | None:
        """Every other run's rows are shaded, so the groups read apart."""
        if row >= len(self._bands) or not self._bands[row]:
            return None
        return QBrush(QApplication.palette().color(QPalette.ColorRole.AlternateBase))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting happens in the catalog: ask for a new query ordered by this column."""
        if not 0 <= column < len(ORDER_BY) or ORDER_BY[column] is None:
            return
        self.sort_column, self.sort_order = column, order
        self.sortWanted.emit(ORDER_BY[column], order == Qt.SortOrder.DescendingOrder)
