"""The artifact list pane: a sortable table over :class:`ArtifactTableModel` with a caption."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.models import Artifact
from artifact_viewer.ui.models.artifact_table_model import (
    CONTEXT_COLUMNS,
    CREATED_COLUMN,
    ITEM_ROLE,
    ORDER_BY,
    ArtifactTableModel,
)

# Starting widths that fit typical values (a user's own widths are restored over these).
_WIDTHS = (200, 118, 120, 70, 100, 120, 140, 196, 140)  # run: "Nov 06 06:49 · dca1284f"
# Where each artifact comes from reads right after its name; MIME type (the Type column says
# much the same) starts hidden: the header's menu shows or hides any column.
_VISUAL_ORDER = (0, 6, 7, 8, 1, 2, 3, 4, 5)
_HIDDEN_AT_FIRST = (2,)


class ArtifactList(QWidget):
    """Table of artifacts for the current scope.

    Signals:
        artifactSelected(object): the current artifact (an :class:`Artifact`, or None).
    """

    artifactSelected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ArtifactTableModel(self)
        self.caption = QLabel(self)
        self.caption.setObjectName("listCaption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.view = QTableView(self)
        self.view.setObjectName("artifactTable")
        self.view.setAccessibleName("Artifacts")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Several rows for Save selected and Compare; the current row is what is previewed.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        # The name keeps a readable width (the list scrolls sideways when the context
        # columns do not fit); the last column takes what is left.
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(48)
        for col, width in enumerate(_WIDTHS):
            header.resizeSection(col, width)
        for visual, logical in enumerate(_VISUAL_ORDER):
            header.moveSection(header.visualIndex(logical), visual)
        for logical in _HIDDEN_AT_FIRST:
            header.setSectionHidden(logical, True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.view.setSortingEnabled(True)
        header.setSortIndicator(CREATED_COLUMN, Qt.SortOrder.DescendingOrder)
        header.sortIndicatorChanged.connect(self._on_sort_indicator)
        self.view.selectionModel().currentRowChanged.connect(self._on_current)
        self.model.modelAboutToBeReset.connect(self._on_about_to_reset)
        self.model.modelReset.connect(self._on_reset)
        self.model.rowsInserted.connect(self.update_caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.caption)
        layout.addWidget(self.view)
        # Shown over the empty table: why it is empty and what to do about it.
        self.empty_label = QLabel(self.view.viewport())
        self.empty_label.setObjectName("emptyListHint")
        self.empty_label.setWordWrap(True)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label.hide()
        self.view.viewport().installEventFilter(self)
        self.view.installEventFilter(self)
        self.empty_hint = ""
        self.scope_title = ""
        # The artifact that was current before a re-query; selected again if it is still listed.
        self._keep_id = ""

    def set_spans_runs(self, spans: bool) -> None:
        """Workflow, run and run status columns while the list spans runs; inside one run
        they would repeat one value on every row."""
        for col in CONTEXT_COLUMNS:
            self.view.setColumnHidden(col, not spans)

    @Slot(QPoint)
    def _header_menu(self, pos: QPoint) -> None:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for logical in range(1, self.model.columnCount()):
            title = str(self.model.headerData(logical, Qt.Orientation.Horizontal))
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(logical))
            action.toggled.connect(
                lambda on, c=logical: header.setSectionHidden(c, not on)  # noqa: B023
            )
        menu.popup(header.mapToGlobal(pos))

    def selected_ids(self) -> list[str]:
        """Ids of the selected rows in list order (the current artifact when none is)."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        ids = [a.id for r in rows if (a := self.model.artifact_at(r)) is not None]
        if not ids and (current := self.current_artifact()) is not None:
            ids = [current.id]
        return ids

    def current_artifact(self) -> Artifact | None:
        return self.model.artifact_at(self.view.currentIndex().row())

    def select_id(self, artifact_id: str) -> bool:
        row = self.model.row_of(artifact_id)
        if row is None:
            return False
        self.view.setCurrentIndex(self.model.index(row, 0))
        self.view.scrollTo(self.model.index(row, 0))
        return True

    @Slot()
    def update_caption(self) -> None:
        model = self.model
        if model.loading and not model.rowCount():
            text = "Loading…"
        elif not model.total:
            text = "No artifacts here yet."
        else:
            shown = model.rowCount()
            noun = "artifact" if model.total == 1 else "artifacts"
            text = f"{model.total:,} {noun}"
            if shown < model.total:
                text += f" (showing {shown:,}; scroll for more)"
        self.caption.setText(f"{self.scope_title}  —  {text}" if self.scope_title else text)
        empty = not model.loading and not model.total and bool(self.empty_hint)
        self.empty_label.setText(self.empty_hint if empty else "")
        self.empty_label.setVisible(empty)
        if empty:
            self._place_empty_label()

    def set_empty_hint(self, text: str) -> None:
        """What the empty table says (set per scope and filter by the browser)."""
        self.empty_hint = text
        self.update_caption()

    def _place_empty_label(self) -> None:
        area = self.view.viewport().rect().adjusted(24, 12, -24, -12)
        self.empty_label.setGeometry(area)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._place_empty_label()
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Home, Qt.Key.Key_End)
            and self.model.rowCount() > 0
        ):
            # A row list: Home and End go to the first and last row (Qt's table moves
            # between columns of one row instead).
            row = 0 if event.key() == Qt.Key.Key_Home else self.model.rowCount() - 1
            column = max(self.view.currentIndex().column(), 0)
            index = self.model.index(row, column)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                flags = QItemSelectionModel.SelectionFlag.Select
            self.view.selectionModel().setCurrentIndex(
                index, flags | QItemSelectionModel.SelectionFlag.Rows
            )
            self.view.scrollTo(index)
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_about_to_reset(self) -> None:
        current = self.current_artifact()
        if current is not None:
            self._keep_id = current.id

    @Slot()
    def _on_reset(self) -> None:
        self.update_caption()
        if self.model.loading:
            return  # rows are on their way; decide once they are in
        keep, self._keep_id = self._keep_id, ""
        if not (keep and self.select_id(keep)):
            self.artifactSelected.emit(None)

    @Slot(int, Qt.SortOrder)
    def _on_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        if ORDER_BY[column] is None:
            # The catalog cannot sort by cache state: put the indicator back.
            header = self.view.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(self.model.sort_column, self.model.sort_order)
            header.blockSignals(False)

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.artifactSelected.emit(current.data(ITEM_ROLE) if current.isValid() else None)
