"""Virtual table model over Arrow record batches: cells are formatted only when asked for."""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from artifact_viewer.previews.table.cells import format_value
from artifact_viewer.previews.table.load import TableData
from artifact_viewer.previews.table.stats import kind_of
from artifact_viewer.previews.table.types import is_numeric

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

Index = QModelIndex | QPersistentModelIndex

#: the Python value of a cell (None for null)
ValueRole = Qt.ItemDataRole.UserRole + 1
# Roles as plain ints: data() runs for every role of every visible cell on each paint,
# and comparing ints is much cheaper than looking enum members up each time.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_VALUE = int(ValueRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_HORIZONTAL = Qt.Orientation.Horizontal
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
# Cell texts kept for repaints (a few screenfuls): while rows stream in, the view
# repaints the same cells every second, and a dict lookup beats an Arrow conversion.
_TEXT_CACHE = 4096
#: the background of a cell a ragged row lacks, or of its extra fields
_RAGGED_BRUSH = QBrush(QColor(255, 170, 0, 70))


class ArrowTableModel(QAbstractTableModel):
    """Rows of a :class:`TableData`, optionally through ``order`` (view row -> data row)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.masker: Masker | None = None  # the redacted view: cells shown masked
        self._data: TableData | None = None
        self._starts: list[int] = [0]
        self._total = 0
        self._order: np.ndarray | None = None
        self._numeric: list[bool] = []
        self._texts: dict[tuple[int, int], str] = {}  # (data row, column) -> cell text

    # --- state --------------------------------------------------------------------------
    @property
    def table_data(self) -> TableData | None:
        return self._data

    @property
    def total_rows(self) -> int:
        return self._total

    @property
    def order(self) -> np.ndarray | None:
        return self._order

    def appends(self, data: TableData) -> bool:
        """True when ``data`` is the shown data plus rows read since (no reset needed)."""
        old = self._data
        return (
            old is not None
            and self._order is None
            and old.schema.equals(data.schema)
            and len(data.batches) >= len(old.batches)
            and all(a is b for a, b in zip(old.batches, data.batches, strict=False))
        )

    def set_data(self, data: TableData) -> None:
        """Show ``data``; rows read since the last call are appended without a reset."""
        grows = self.appends(data)
        starts = [0]
        for batch in data.batches:
            starts.append(starts[-1] + batch.num_rows)
        if grows and starts[-1] > self._total:
            self.beginInsertRows(QModelIndex(), self._total, starts[-1] - 1)
            self._data, self._starts, self._total = data, starts, starts[-1]
            self.endInsertRows()
            return
        if grows:
            self._data, self._starts = data, starts
            return
        self.beginResetModel()
        self._data, self._starts, self._total = data, starts, starts[-1]
        self._order = None
        self._numeric = [is_numeric(t) for t in data.kinds]
        self._numeric += [False] * (len(data.schema) - len(self._numeric))
        # The first screen's texts were made by the loader: its first paint only looks up
        # (masked here in the redacted view: a screenful of cells).
        mask = self.masker.mask_cell if self.masker is not None else None
        self._texts = {
            (row, col): mask(data.names[col], text) if mask is not None else text
            for col, texts in enumerate(data.first_texts)
            for row, text in enumerate(texts)
        }
        self.endResetModel()

    def take_contents(self) -> list[object]:
        """Show nothing, and hand over what was shown (the table, the kept cell texts, the
        row order) for the caller to free where it likes."""
        contents: list[object] = [self._data, self._texts, self._order]
        self._texts = {}
        self.clear()
        return contents

    def clear(self) -> None:
        """Show nothing (while another file loads)."""
        self.beginResetModel()
        self._data, self._starts, self._total, self._order = None, [0], 0, None
        self._numeric = []
        self._texts = {}
        self.endResetModel()

    def set_order(self, order: np.ndarray | None) -> None:
        """Show only/also reordered rows (a sort and/or filter result); None: all, in order."""
        self.beginResetModel()
        self._order = order
        self.endResetModel()

    def source_row(self, row: int) -> int:
        return int(self._order[row]) if self._order is not None else row

    def value(self, row: int, column: int) -> Any:
        """The Python value at a view position."""
        return self._value_at(self.source_row(row), column)

    def _value_at(self, src: int, column: int) -> Any:
        assert self._data is not None
        k = bisect_right(self._starts, src) - 1
        return self._data.batches[k].column(column)[src - self._starts[k]].as_py()

    def head_texts(self, column: int, rows: int) -> list[str]:
        """Texts of the first ``rows`` cells of ``column`` in view order (in one Arrow call
        when the view shows the file's order)."""
        data = self._data
        if data is None:
            return []
        rows = min(rows, self.rowCount())
        if self._order is not None or not data.batches or data.batches[0].num_rows < rows:
            return [self.text(r, column) for r in range(rows)]
        if self.masker is not None:
            return [self.text(r, column) for r in range(rows)]
        values = data.batches[0].column(column).slice(0, rows).to_pylist()
        return [format_value(v) for v in values]

    def text(self, row: int, column: int) -> str:
        """The cell's display text (kept for the next paint of the same cell)."""
        src = self.source_row(row)
        key = (src, column)
        text = self._texts.get(key)
        if text is None:
            if len(self._texts) >= _TEXT_CACHE:
                self._texts.clear()
            text = format_value(self._value_at(src, column))
            if self.masker is not None and self._data is not None:
                text = self.masker.mask_cell(self._data.names[column], text)
            self._texts[key] = text
        return text

    # --- Qt model -----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() or self._data is None:
            return 0
        return len(self._order) if self._order is not None else self._total

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() or self._data is None:
            return 0
        return len(self._data.schema)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        # Unused roles first and fast: a paint asks for about seven roles per cell.
        if role == _DISPLAY:
            if self._data is None or not index.isValid():
                return None
            return self.text(index.row(), index.column())
        if role == _ALIGNMENT:
            if self._data is None or not index.isValid():
                return None
            return _RIGHT if self._numeric[index.column()] else _LEFT
        if role == _TOOLTIP:
            if self._data is None or not index.isValid():
                return None
            ragged = self.ragged_problem(index.row(), index.column())
            if ragged is not None:
                return ragged
            value = self.value(index.row(), index.column())
            if isinstance(value, str) and (len(value) > 40 or "\n" in value):
                return self.text(index.row(), index.column()) if self.masker else value[:2000]
            return None
        if role == _VALUE and self._data is not None and index.isValid():
            return self.value(index.row(), index.column())
        if (
            role == _BACKGROUND
            and self._data is not None
            and self._data.ragged
            and index.isValid()
            and self.ragged_problem(index.row(), index.column())
        ):
            return _RAGGED_BRUSH
        return None

    def ragged_problem(self, row: int, column: int) -> str | None:
        """What a marked cell stands for: a field its row lacks, or the row's extra fields."""
        data = self._data
        if data is None or not data.ragged:
            return None
        src = self.source_row(row)
        problem = data.ragged.get(src)
        if problem is None:
            return None
        line = f"Row {src + 1} of the data has {problem}"
        if column >= data.expected_columns:
            if self._value_at(src, column) is None:
                return None
            return f"{line}: the fields beyond the header's, joined by the delimiter"
        if self._value_at(src, column) is None:
            return f"{line}: this field is missing in the file (shown empty)"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        # Roles first: the headers ask for about eight roles per section they measure.
        if (role != _DISPLAY and role != _TOOLTIP) or self._data is None:
            return None
        if orientation == _HORIZONTAL:
            if not 0 <= section < len(self._data.names):
                return None
            if role == _DISPLAY:
                return self._data.names[section]
            kinds = self._data.kinds
            kind = kind_of(kinds[section]) if section < len(kinds) else "text"
            return f"{self._data.names[section]} (as written; looks like {kind})"
        if role == _DISPLAY and 0 <= section < self.rowCount():
            return str(self.source_row(section) + 1)  # the row's number in the file's data
        if role == _TOOLTIP and 0 <= section < self.rowCount() and self._data.ragged:
            problem = self._data.ragged.get(self.source_row(section))
            if problem is not None:
                return f"This row has {problem} (marked cells)"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS
