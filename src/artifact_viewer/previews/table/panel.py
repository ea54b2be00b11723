"""Column statistics panel for the table previewer: a stats grid and a histogram."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.previews.table.cells import format_value
from artifact_viewer.previews.table.stats import ColumnStats

STAT_COLUMNS = ("Column", "Type", "Nulls", "Distinct", "Min", "Max", "Mean")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = format_value(value)
    return text if len(text) <= 40 else text[:40] + "…"


class HistogramWidget(QWidget):
    """Bars for one numeric column's histogram, painted in the palette's colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._edges: np.ndarray | None = None
        self._counts: np.ndarray | None = None
        self._title = ""

    def set_histogram(
        self, title: str, edges: np.ndarray | None, counts: np.ndarray | None
    ) -> None:
        self._title, self._edges, self._counts = title, edges, counts
        self.update()

    @property
    def bars(self) -> int:
        return 0 if self._counts is None else len(self._counts)

    def text_layout(self) -> list[tuple[QRectF, str]]:
        """Where the title and the axis texts go: the title with the tallest bar's count on
        the top line, the range's ends under the bars; no two ever overlap (a text that
        does not fit is elided, or joined into one "low – high" text)."""
        metrics = self.fontMetrics()
        line = metrics.height()
        rect = QRectF(self.rect()).adjusted(8, 4, -8, -4)
        if self._counts is None or self._edges is None or not len(self._counts):
            return []
        gap = 12
        placed: list[tuple[QRectF, str]] = []
        peak = max(int(self._counts.max()), 1)
        peak_text = f"tallest bar: {peak:,} rows"
        peak_width = metrics.horizontalAdvance(peak_text)
        title_room = rect.width()
        if peak_width + gap + metrics.horizontalAdvance("Mmmmmm…") <= rect.width():
            title_room = rect.width() - peak_width - gap
            peak_rect = QRectF(rect.right() - peak_width, rect.top(), peak_width, line)
            placed.append((peak_rect, peak_text))
        title = metrics.elidedText(self._title, Qt.TextElideMode.ElideRight, int(title_room))
        title_width = metrics.horizontalAdvance(title)
        placed.insert(0, (QRectF(rect.left(), rect.top(), title_width, line), title))
        below_top = rect.bottom() - line
        low, high = f"{self._edges[0]:.6g}", f"{self._edges[-1]:.6g}"
        low_w, high_w = metrics.horizontalAdvance(low), metrics.horizontalAdvance(high)
        if low_w + gap + high_w <= rect.width():
            placed.append((QRectF(rect.left(), below_top, low_w, line), low))
            placed.append((QRectF(rect.right() - high_w, below_top, high_w, line), high))
        else:
            both = metrics.elidedText(
                f"{low} – {high}", Qt.TextElideMode.ElideRight, int(rect.width())
            )
            both_w = metrics.horizontalAdvance(both)
            placed.append((QRectF(rect.left(), below_top, both_w, line), both))
        return placed

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        pal = self.palette()
        text_colour = pal.color(QPalette.ColorRole.Text)
        painter.setPen(text_colour)
        line = painter.fontMetrics().height()
        rect = QRectF(self.rect()).adjusted(8, 4, -8, -4)
        if self._counts is None or self._edges is None or not len(self._counts):
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "Select a numeric column")
            painter.end()
            return
        plot = rect.adjusted(0, line + 4, 0, -line - 2)
        peak = max(int(self._counts.max()), 1)
        width = plot.width() / len(self._counts)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
        for i, count in enumerate(self._counts):
            h = plot.height() * int(count) / peak
            painter.drawRect(
                QRectF(plot.left() + i * width + 1, plot.bottom() - h, max(width - 2, 1), h)
            )
        painter.setPen(text_colour)
        for where, text in self.text_layout():
            painter.drawText(where, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextDontClip, text)
        painter.end()


class StatsPanel(QWidget):
    """One row per column of the file; the selected numeric column's histogram below.

    Signals:
        columnSelected(int): the user picked a column in the stats grid.
    """

    columnSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = QLabel("Statistics are computed when the file has loaded.")
        self.status.setWordWrap(True)
        # A handful of rows (one per file column): plain items are fine here.
        self.grid = QTableWidget(0, len(STAT_COLUMNS))
        self.grid.setHorizontalHeaderLabels(STAT_COLUMNS)
        self.grid.verticalHeader().setVisible(False)
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.currentCellChanged.connect(self._row_changed)
        self.histogram = HistogramWidget()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(self.grid, 2)
        layout.addWidget(self.histogram, 1)
        self._stats: list[ColumnStats] = []

    @property
    def stats(self) -> list[ColumnStats]:
        return list(self._stats)

    def clear(self, message: str = "Statistics are computed when the file has loaded.") -> None:
        self._stats = []
        self.grid.setRowCount(0)
        self.histogram.set_histogram("", None, None)
        self.status.setText(message)
        self.status.setVisible(True)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_stats(self, stats: list[ColumnStats]) -> None:
        self._stats = stats
        self.grid.setRowCount(len(stats))
        for row, s in enumerate(stats):
            cells = (
                s.name,
                s.kind,
                str(s.nulls),
                str(s.distinct),
                _short(s.minimum) if s.minimum is not None else "",
                _short(s.maximum) if s.maximum is not None else "",
                f"{s.mean:.6g}" if s.mean is not None else "",
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.grid.setItem(row, col, item)
        self.set_status("")
        if stats:
            self.show_column(0)

    def show_column(self, column: int) -> None:
        if not 0 <= column < len(self._stats):
            return
        if self.grid.currentRow() != column:
            self.grid.setCurrentCell(column, 0)
        s = self._stats[column]
        title = f"{s.name}: {s.count - s.nulls} values"
        self.histogram.set_histogram(title, s.edges, s.counts)

    @Slot(int, int, int, int)
    def _row_changed(self, row: int, col: int, old_row: int, old_col: int) -> None:
        if row >= 0 and row != old_row:
            self.show_column(row)
            self.columnSelected.emit(row)
