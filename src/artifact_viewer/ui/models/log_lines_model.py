"""The log of a timeline as a virtual list: lines read from a memory-mapped file on demand
(by their start offsets), coloured by level. Any size opens at once."""

from __future__ import annotations

import mmap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication

from artifact_viewer.ui import formatting as fmt

if TYPE_CHECKING:
    # The line starts come from the run's timeline (numpy arrays); the model is made
    # empty at start-up without importing numpy.
    import numpy as np

    from artifact_viewer.core.timeline import LogIndex

MAX_CHARS = 2000  # a line longer than this is cut in the list (tooltips say so)
Index = QModelIndex | QPersistentModelIndex


class LogLinesModel(QAbstractListModel):
    """One row per line of the log file; ``index`` gives levels and times."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._map: mmap.mmap | None = None
        self._size = 0
        self._starts: np.ndarray | Sequence[int] = ()
        self._index: LogIndex | None = None
        self._font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        palette = QGuiApplication.palette()
        self._error = QColor(fmt.error_colour(palette))
        self._warning = QColor(fmt.warning_colour(palette))

    def set_log(
        self, path: Path | None, starts: np.ndarray | Sequence[int], index: LogIndex | None
    ) -> None:
        self.beginResetModel()
        self.close()
        if path is not None and len(starts):
            with path.open("rb") as fh:
                self._size = path.stat().st_size
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        self._starts = starts if self._map is not None else ()
        self._index = index
        self.endResetModel()

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None

    def line_text(self, row: int) -> str:
        if self._map is None or not 0 <= row < len(self._starts):
            return ""
        start = int(self._starts[row])
        end = int(self._starts[row + 1]) if row + 1 < len(self._starts) else self._size
        raw = self._map[start : min(end, start + MAX_CHARS * 4)]
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + "…"

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._starts)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.line_text(row).replace("\t", "    ")
        if role == Qt.ItemDataRole.FontRole:
            return QFont(self._font)
        if role == Qt.ItemDataRole.ForegroundRole and self._index is not None:
            level = self._index.level_of(row)
            return self._error if level == "error" else self._warning if level else None
        if role == Qt.ItemDataRole.ToolTipRole and self._index is not None:
            t = self._index.line_time(row)
            if t is None:
                return f"Line {row + 1}"
            own = "" if self._index.has_own_time(row) else " (from the line above)"
            from artifact_viewer.ui.models.filmstrip_model import clock_text

            return f"Line {row + 1}, {clock_text(t)}{own}"
        return None
