"""Table diff view: every row of B (and the removed rows of A) with changed cells old -> new,
or the changed rows only. The model reads cells from the Arrow tables as they are painted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from artifact_viewer.core.compare.table import TableDiff
from artifact_viewer.ui.compare.textdiff import ADDED, CHANGED, REMOVED

AnyIndex = QModelIndex | QPersistentModelIndex
SAME, CHANGE, ADD, REMOVE = 0, 1, 2, 3
_SIGN = {SAME: "", CHANGE: "~", ADD: "+", REMOVE: "-"}
_TINT = {CHANGE: CHANGED, ADD: ADDED, REMOVE: REMOVED}
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_ROLES = frozenset(
    int(r.value)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.BackgroundRole,
    )
)
#: view rows read from Arrow at once, and how many such pages are kept
PAGE_ROWS = 128
MAX_PAGES = 64


@dataclass(slots=True)
class TableRows:
    """Row plan for the view, made on a worker thread: status and source row per view row."""

    status: np.ndarray[Any, Any]  # int8 per view row
    source: np.ndarray[Any, Any]  # row in B (or in A for removed rows)
    change: np.ndarray[Any, Any]  # index into the changed rows, -1 elsewhere
    columns: list[tuple[str | None, str | None]]  # (A name, B name) per view column


def plan(diff: TableDiff, changes_only: bool) -> TableRows:
    rows = diff.rows
    assert rows is not None
    n_b = rows.table_b.num_rows
    status = np.zeros(n_b, dtype=np.int8)
    change = np.full(n_b, -1, dtype=np.int64)
    status[rows.added_b] = ADD
    status[rows.changed_b] = CHANGE
    change[rows.changed_b] = np.arange(len(rows.changed_b))
    source = np.arange(n_b, dtype=np.int64)
    if changes_only:
        keep = status != SAME
        status, source, change = status[keep], source[keep], change[keep]
    status = np.concatenate([status, np.full(len(rows.removed_a), REMOVE, dtype=np.int8)])
    source = np.concatenate([source, rows.removed_a])
    change = np.concatenate([change, np.full(len(rows.removed_a), -1, dtype=np.int64)])
    renamed_back = {new: old for old, new in diff.columns_renamed.items()}
    columns: list[tuple[str | None, str | None]] = []
    for name in rows.table_b.column_names:
        old = renamed_back.get(name, name if name in rows.table_a.column_names else None)
        columns.append((old, name))
    columns.extend((name, None) for name in diff.columns_removed)
    return TableRows(status, source, change, columns)


class TableDiffModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.diff: TableDiff | None = None
        self.rows: TableRows | None = None
        self._pages: dict[int, list[list[tuple[int, str]]]] = {}  # oldest first

    def set_rows(self, diff: TableDiff, rows: TableRows) -> None:
        self.beginResetModel()
        self.diff, self.rows = diff, rows
        self._pages = {}
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.rows is None else len(self.rows.status)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() or self.rows is None else len(self.rows.columns) + 1

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or self.rows is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            return None
        if section == 0:
            return ""
        old, new = self.rows.columns[section - 1]
        if old and new and old != new:
            return f"{old} -> {new}"
        return new or f"{old} (removed)"

    def cell(self, row: int, column: int) -> tuple[int, str]:
        """(status, text) of a cell: changed cells read ``old -> new``."""
        assert self.rows is not None
        if column == 0:
            status = int(self.rows.status[row])
            return status, _SIGN[status]
        page = self._pages.get(row // PAGE_ROWS)
        if page is None:
            page = self._page(row // PAGE_ROWS)
        return page[row % PAGE_ROWS][column - 1]

    def _page(self, number: int) -> list[list[tuple[int, str]]]:
        """The cells of view rows ``number * PAGE_ROWS`` on, read from Arrow a column at a
        time (a few calls per column, not one per cell: painting stays cheap)."""
        assert self.rows is not None and self.diff is not None and self.diff.rows is not None
        data = self.diff.rows
        start = number * PAGE_ROWS
        stop = min(start + PAGE_ROWS, len(self.rows.status))
        status = self.rows.status[start:stop]
        source = self.rows.source[start:stop]
        change = self.rows.change[start:stop]
        removed = status == REMOVE
        in_b = np.flatnonzero(~removed)
        in_a = np.flatnonzero(removed)
        changed = np.flatnonzero(status == CHANGE)
        cells: list[list[tuple[int, str]]] = [[] for _ in range(stop - start)]
        for old_name, new_name in self.rows.columns:
            texts: list[str] = [""] * (stop - start)
            kinds = [int(s) for s in status]
            if new_name is not None and len(in_b):
                values = data.table_b.column(new_name).take(pa.array(source[in_b])).to_pylist()
                for i, value in zip(in_b.tolist(), values, strict=True):
                    texts[i] = "" if value is None else str(value)
            if old_name is not None and len(in_a):
                values = data.table_a.column(old_name).take(pa.array(source[in_a])).to_pylist()
                for i, value in zip(in_a.tolist(), values, strict=True):
                    texts[i] = "" if value is None else str(value)
            if new_name is None:
                for i in in_b.tolist():
                    kinds[i] = SAME
            flags = data.changed_cells.get(new_name) if new_name is not None else None
            if len(changed):
                which = change[changed]
                hit = changed[flags[which]] if flags is not None and old_name else changed[:0]
                for i in changed.tolist():
                    kinds[i] = SAME
                if len(hit):
                    rows_a = data.changed_a[change[hit]]
                    olds = data.table_a.column(old_name).take(pa.array(rows_a)).to_pylist()
                    for i, old in zip(hit.tolist(), olds, strict=True):
                        texts[i] = f"{old} -> {texts[i]}"
                        kinds[i] = CHANGE
            for i in range(stop - start):
                cells[i].append((kinds[i], texts[i]))
        if len(self._pages) >= MAX_PAGES:
            self._pages.pop(next(iter(self._pages)))
        self._pages[number] = cells
        return cells

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Asked for every role of every painted cell: the roles not shown return first.
        if role not in _ROLES or self.rows is None or not index.isValid():
            return None
        row = index.row()
        status, text = self.cell(row, index.column())
        if role != _BACKGROUND:
            return text
        if status == CHANGE:
            return _TINT[CHANGE]
        row_status = int(self.rows.status[row])
        return _TINT[row_status] if row_status in (ADD, REMOVE) else None


class TableDiffView(QWidget):
    """The table with a 'Changes only' switch; rows are planned off the GUI thread."""

    def __init__(self, run: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run = run  # (fn, *args, on_result) -> starts background work
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.changes_only = QCheckBox("Changes only", self)
        self.changes_only.setChecked(True)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.changes_only)
        self.model = TableDiffModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setDefaultSectionSize(140)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.changes_only.toggled.connect(self._replan)
        self.diff: TableDiff | None = None

    def show_diff(self, diff: TableDiff, rows: TableRows) -> None:
        """Show ``diff`` (a partial one first, then the whole) with its planned rows."""
        self.diff = diff
        parts = [diff.one_line(), f"key: {diff.key or 'none (rows matched by content)'}"]
        if diff.columns_renamed:
            parts.append(
                "renamed: " + ", ".join(f"{a} -> {b}" for a, b in diff.columns_renamed.items())
            )
        deltas = [f"{k} {v:+,}" for k, v in diff.sum_deltas.items() if v]
        if deltas:
            parts.append("sums: " + ", ".join(deltas))
        parts.extend(diff.notes)
        self.summary.setText("; ".join(parts))
        self.model.set_rows(diff, rows)
        self.table.setColumnWidth(0, 28)
        if not self.changes_only.isChecked():
            self._replan(False)  # rows come planned as changes only

    def _replan(self, changes_only: bool) -> None:
        if self.diff is None:
            return
        diff = self.diff

        def work(progress: Any, cancel: Any) -> tuple[TableDiff, TableRows]:
            return diff, plan(diff, changes_only)

        self._run(work, on_result=self._on_plan)

    def _on_plan(self, planned: tuple[TableDiff, TableRows]) -> None:
        diff, rows = planned
        if diff is self.diff:  # not a plan for a diff shown before this one
            self.model.set_rows(diff, rows)
