"""The navigator pane: a filterable, sortable tree of workflows and runs that keeps its state."""

from __future__ import annotations

from typing import Any, Literal

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.ui.models.filter_spec import FilterSpec
from artifact_viewer.ui.models.navigator_model import (
    ALL,
    ID_ROLE,
    ITEM_ROLE,
    KIND_ROLE,
    OFFLINE,
    RUN,
    SORT_ROLE,
    NavigatorModel,
    TreeData,
    Visibility,
    filter_visibility,
)

AnyIndex = QModelIndex | QPersistentModelIndex

# Runs the tree lays out per event-loop turn while a filter opens the workflows holding
# matches, or a cleared one reopens those open before it (a thousand open runs laid out at
# once stalled the window).
REOPEN_RUNS_PER_TURN = 300


class NavigatorProxy(QSortFilterProxyModel):
    """Filters by the filter box and sorts with the fixed nodes on top.

    Every term reacts alike: a run stays when it holds an artifact the whole filter matches
    (``run_ids``, from the catalog), or, with only run terms (status, run, workflow, dates,
    or words naming it), when the run itself matches. Workflows stay while a run does.
    Which rows stay is a :class:`Visibility` worked out beforehand (off the GUI thread by
    the browser); the proxy only looks each row up.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._spec = FilterSpec()
        self._run_ids: set[str] | None = None
        self._visible: Visibility | None = None
        self.setSortRole(SORT_ROLE)

    @property
    def spec(self) -> FilterSpec:
        return self._spec

    @property
    def run_ids(self) -> set[str] | None:
        return self._run_ids

    def set_spec(
        self,
        spec: FilterSpec,
        run_ids: set[str] | None = None,
        visible: Visibility | None | Literal["compute"] = "compute",
    ) -> None:
        """Filter by ``spec``; ``visible`` is what :func:`filter_visibility` makes of it for
        the source's tree (worked out here when not given)."""
        self._spec = spec
        self._run_ids = run_ids
        if visible == "compute":
            model = self.sourceModel()
            tree = model.tree if isinstance(model, NavigatorModel) else TreeData()
            visible = filter_visibility(tree, spec, run_ids)
        self._visible = visible
        # One layout change, not a row removal per hidden run: with a thousand runs in an
        # open workflow the tree view relaid itself out per removal (seconds, not ms).
        self.invalidate()

    def expect_tree(self, data: TreeData) -> None:
        """The source is about to show ``data``: what the filter keeps of it, ready for the
        reset that follows (runs new to the tree are judged too)."""
        if self._visible is not None:
            self._visible = filter_visibility(data, self._spec, self._run_ids)

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        model = self.sourceModel()
        if self._visible is None or not isinstance(model, NavigatorModel):
            return True
        return model.shown(source_parent, source_row, self._visible)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: N802 (Qt's name)
        """Answered from the source: the base class would filter every run of each workflow
        to say whether it has any (seconds at start for 10k runs), though a workflow is only
        shown while one of its runs is."""
        if not parent.isValid():
            return self.rowCount(parent) > 0
        source = self.mapToSource(parent)
        model = self.sourceModel()
        if isinstance(model, NavigatorModel):
            return model.node_has_children(source)
        return bool(model.hasChildren(source))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The navigator model sorts itself (one Python sort per level); the proxy keeps
        its order and only filters."""
        model = self.sourceModel()
        if isinstance(model, NavigatorModel):
            model.sort(column, order)
            super().sort(-1, Qt.SortOrder.AscendingOrder)  # -1: the source order as it is
        else:
            super().sort(column, order)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        model = self.sourceModel()
        if isinstance(model, NavigatorModel):
            (lk, lv), (rk, rv) = model.sort_key(left), model.sort_key(right)
        else:
            lk, rk = model.data(left, KIND_ROLE), model.data(right, KIND_ROLE)
            lv, rv = model.data(left, SORT_ROLE), model.data(right, SORT_ROLE)
        fixed = (ALL, OFFLINE)
        if lk in fixed or rk in fixed:
            # Keep "All artifacts" and "Available offline" first in either sort order.
            lrank = 0 if lk in fixed else 1
            rrank = 0 if rk in fixed else 1
            less = bool(lv < rv) if lrank == rrank else lrank < rrank
            descending = self.sortOrder() == Qt.SortOrder.DescendingOrder
            return less != descending
        try:
            return bool(lv < rv)
        except TypeError:
            return str(lv) < str(rv)


class Navigator(QWidget):
    """Tree of "All artifacts", "Available offline" and workflows -> runs.

    Signals:
        scopeSelected(kind, id, obj): the user picked a node (kind is all/offline/workflow/run).
    """

    scopeSelected = Signal(str, str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = NavigatorModel(self)
        self.proxy = NavigatorProxy(self)
        self.proxy.setSourceModel(self.model)
        self.view = QTreeView(self)
        self.view.setObjectName("navigatorTree")
        self.view.setAccessibleName("Workflows and runs")
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)
        self.view.setIndentation(14)
        self.view.setAlternatingRowColors(True)
        # Ctrl/Shift-click selects several runs (to export them together); the scope still
        # follows the current row.
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 112), (2, 94), (3, 94), (4, 60)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        header.setMinimumSectionSize(40)
        # The run's time is in its name; Started, Ended and Duration are there to add from the
        # header's menu (they are remembered with the header).
        for col in (2, 3, 4):
            header.setSectionHidden(col, True)
        # Runs' actions (pin, save, compare, export...) on right-click; features add theirs.
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.view.selectionModel().currentChanged.connect(self._on_current)
        # Workflow and fixed rows span every column; re-apply whenever proxy rows move. After
        # a filter or a sort (a layout change) they are set on the next event-loop turn:
        # spanning a row lays the whole tree out at once (every run of every open workflow),
        # which then happens apart from the filter's own work instead of in the same turn.
        self._span_timer = QTimer(self)
        self._span_timer.setSingleShot(True)
        self._span_timer.setInterval(0)
        self._span_timer.timeout.connect(self._apply_spans)
        self.proxy.modelReset.connect(self._apply_spans)
        self.proxy.layoutChanged.connect(self._span_timer.start)
        self.proxy.rowsInserted.connect(self._apply_spans)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        # The workflows open before a filter opened every one holding a match.
        self._expanded_unfiltered: list[str] | None = None
        # Workflows a cleared filter still has to reopen, a few per event-loop turn.
        self._reopening: list[QPersistentModelIndex] = []
        self._reopen_timer = QTimer(self)
        self._reopen_timer.setSingleShot(True)
        self._reopen_timer.setInterval(0)
        self._reopen_timer.timeout.connect(self._reopen_step)

    @Slot(QPoint)
    def _header_menu(self, pos: QPoint) -> None:
        header = self.view.header()
        menu = QMenu(self)
        model = self.view.model()
        for col in range(1, model.columnCount()):
            title = str(model.headerData(col, Qt.Orientation.Horizontal))
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(col))
            action.toggled.connect(
                lambda on, c=col: header.setSectionHidden(c, not on)  # noqa: B023
            )
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(header.mapToGlobal(pos))

    # -- state ---------------------------------------------------------------------------
    def set_tree(self, data: TreeData) -> None:
        """Swap in new data, keeping expanded workflows and the current node."""
        expanded = self.expanded_ids()
        self._stop_reopening()  # counted in ``expanded``: opened with the rest below
        current = self.current()
        self.view.selectionModel().blockSignals(True)
        try:
            self.proxy.expect_tree(data)
            self.model.set_tree(data)
            self._apply_spans()
            self.set_expanded_ids(expanded)
            if current is not None:
                self.select(current[0], current[1], emit=False)
        finally:
            self.view.selectionModel().blockSignals(False)

    def expanded_ids(self) -> list[str]:
        """The open workflows, with those a cleared filter is still reopening."""
        reopening = {p.row() for p in self._reopening if p.isValid()}
        out = []
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.view.isExpanded(index) or row in reopening:
                out.append(str(self.proxy.data(index, ID_ROLE)))
        return out

    def set_expanded_ids(self, ids: list[str]) -> None:
        wanted = set(ids)
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.proxy.data(index, ID_ROLE) in wanted:
                self.view.expand(index)

    def current(self) -> tuple[str, str] | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        return str(index.data(KIND_ROLE)), str(index.data(ID_ROLE))

    def selected_runs(self) -> list[str]:
        """Ids of the runs among the selected rows, in tree order."""
        rows = sorted(
            self.view.selectionModel().selectedRows(0),
            key=lambda i: (self.view.visualRect(i).top(), i.row()),
        )
        ids = [str(i.data(ID_ROLE)) for i in rows if i.data(KIND_ROLE) == RUN]
        return list(dict.fromkeys(ids))

    def select(self, kind: str, ident: str, *, emit: bool = True) -> bool:
        """Make the node current (expanding its parent); False when it is not in the tree.
        With ``emit`` False it is only marked: no scopeSelected, nothing is listed again."""
        source = self.model.find(kind, ident)
        if not source.isValid():
            return False
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            return False
        if index.parent().isValid():
            self.view.expand(index.parent())
        self.view.scrollTo(index)
        if emit:
            self.view.setCurrentIndex(index)
            return True
        selection = self.view.selectionModel()
        blocked = selection.blockSignals(True)  # marked only: no scopeSelected
        try:
            selection.setCurrentIndex(
                index, selection.SelectionFlag.ClearAndSelect | selection.SelectionFlag.Rows
            )
        finally:
            selection.blockSignals(blocked)
        self.view.viewport().update()
        return True

    @Slot()
    def _apply_spans(self) -> None:
        # Only rows not spanning yet: each call lays the view out again, which walks every
        # expanded run (10k runs made a start take seconds).
        self._span_timer.stop()
        root = QModelIndex()
        for row in range(self.proxy.rowCount()):
            if not self.view.isFirstColumnSpanned(row, root):
                self.view.setFirstColumnSpanned(row, root, True)

    def set_filter(
        self,
        spec: FilterSpec,
        run_ids: set[str] | None = None,
        visible: Visibility | None | Literal["compute"] = "compute",
    ) -> None:
        """Show what ``spec`` keeps; ``visible`` comes precomputed from a worker (see
        :func:`filter_visibility`) or is worked out here."""
        filtered = not self.proxy.spec.empty
        if not spec.empty and not filtered:
            self._expanded_unfiltered = self.expanded_ids()
        elif spec.empty and filtered and self._expanded_unfiltered is not None:
            self._collapse_to(self._expanded_unfiltered)
            self._expanded_unfiltered = None
        reopen: list[QPersistentModelIndex] = []
        if spec.empty and filtered:
            reopen = self._close_for_reopening()
        elif not spec.empty:
            self._stop_reopening()  # the filter opens every workflow holding a match
            self._close_for_reopening()
        self.proxy.set_spec(spec, run_ids, visible)
        if not spec.empty:
            self._expand_top_rows()
        elif reopen:
            self._reopening = reopen
            self._reopen_timer.start()

    def _expand_top_rows(self) -> None:
        """Open every workflow (what ``expandAll`` shows: runs hold no rows), the first few
        hundred runs' worth now and the rest a few per event-loop turn. Right after the
        filter's layout change the view only notes the ones opened now and lays the tree
        out once, on the next turn; ``expandAll`` would lay every run out here and now."""
        budget = REOPEN_RUNS_PER_TURN
        later: list[QPersistentModelIndex] = []
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.view.isExpanded(index):
                continue
            if budget > 0:
                self.view.expand(index)
                budget -= self.proxy.rowCount(index)
            else:
                later.append(QPersistentModelIndex(index))
        if later:
            self._reopening = later
            self._reopen_timer.start()

    def _close_for_reopening(self) -> list[QPersistentModelIndex]:
        """Before a filter changes: when the open workflows hold more runs than one turn
        lays out, close them (all but the current run's) to reopen a few per turn."""
        parent = self.view.currentIndex().parent()
        keep = parent.row() if parent.isValid() else -1
        opened = []
        runs = 0
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.view.isExpanded(index) and row != keep:
                opened.append(index)
                runs += self.model.rowCount(self.proxy.mapToSource(index))
        if runs <= REOPEN_RUNS_PER_TURN:
            return []
        for index in opened:
            self.view.collapse(index)
        return [QPersistentModelIndex(index) for index in opened]

    @Slot()
    def _reopen_step(self) -> None:
        budget = REOPEN_RUNS_PER_TURN
        while self._reopening and budget > 0:
            kept = self._reopening.pop(0)
            if kept.isValid():
                index = self.proxy.index(kept.row(), 0)
                self.view.expand(index)
                budget -= self.proxy.rowCount(index)
        if self._reopening:
            self._reopen_timer.start()

    def _stop_reopening(self) -> None:
        self._reopen_timer.stop()
        self._reopening = []

    def _collapse_to(self, ids: list[str]) -> None:
        """Close the workflows a filter opened (the user's own stay open, and so does the
        current run's): before the filter clears, so thousands of runs are not laid out."""
        keep = set(ids)
        current = self.view.currentIndex()
        if current.parent().isValid():
            keep.add(str(current.parent().data(ID_ROLE)))
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.view.isExpanded(index) and str(index.data(ID_ROLE)) not in keep:
                self.view.collapse(index)

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.scopeSelected.emit(
                str(current.data(KIND_ROLE)), str(current.data(ID_ROLE)), current.data(ITEM_ROLE)
            )
