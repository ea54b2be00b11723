"""The downloads of this session, one row each: bytes done and total, speed, time left, state."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.progress import RateMeter
from artifact_viewer.ui import formatting as fmt

AnyIndex = QModelIndex | QPersistentModelIndex
COLUMNS = ("Name", "Progress", "Speed", "Time left", "State")
RUNNING, DONE, CANCELLED, FAILED = "running", "done", "cancelled", "failed"
MAX_ROWS = 200  # the oldest finished rows go first beyond this
_STATE_TEXT = {RUNNING: "Downloading", DONE: "Done", CANCELLED: "Cancelled", FAILED: "Failed"}


@dataclass(eq=False)
class Transfer:
    """One download (or a run's downloads, for a pin) as the panel shows it."""

    key: int
    name: str
    token: CancelToken
    total: int | None = None
    done: int = 0
    state: str = RUNNING
    message: str = ""
    retry: Callable[[], None] | None = None
    meter: RateMeter = field(default_factory=RateMeter)

    @property
    def finished(self) -> bool:
        return self.state != RUNNING

    @property
    def can_retry(self) -> bool:
        return self.retry is not None and self.state in (CANCELLED, FAILED)

    def progress_text(self) -> str:
        if self.total:
            part = min(self.done, self.total)
            percent = 100 * part // self.total
            return f"{fmt.human_size(part)} of {fmt.human_size(self.total)} ({percent} %)"
        return fmt.human_size(self.done) if self.done else "—"

    def speed_text(self) -> str:
        rate = self.meter.rate if self.state == RUNNING else None
        return f"{fmt.human_size(int(rate))}/s" if rate is not None else "—"

    def time_left_text(self) -> str:
        if self.state != RUNNING:
            return "—"
        left = self.meter.seconds_left(self.total)
        return fmt.duration(left) if left is not None else "—"

    def state_text(self) -> str:
        text = _STATE_TEXT[self.state]
        return f"{text}: {self.message}" if self.message else text


class DownloadsModel(QAbstractTableModel):
    """Newest first. Fed by the download indicator; read by the downloads panel."""

    def __init__(self, parent: Any = None, *, clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self._rows: list[Transfer] = []
        self._next_key = 1
        self._clock = clock

    # -- feeding -------------------------------------------------------------------------
    def add(
        self,
        name: str,
        token: CancelToken,
        total: int | None = None,
        retry: Callable[[], None] | None = None,
    ) -> Transfer:
        transfer = Transfer(self._next_key, name, token, total, retry=retry)
        self._next_key += 1
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._rows.insert(0, transfer)
        self.endInsertRows()
        self._trim()
        return transfer

    def progress(self, transfer: Transfer, done: int, total: int | None) -> None:
        if transfer.finished:
            return
        transfer.done = done
        if total:
            transfer.total = total
        transfer.meter.add(done, self._clock())
        self._changed(transfer)

    def end(self, transfer: Transfer, state: str, message: str = "") -> None:
        if transfer.finished:
            return
        transfer.state = state
        transfer.message = message
        if state == DONE and transfer.total:
            transfer.done = transfer.total
        self._changed(transfer)

    def remove(self, transfer: Transfer) -> None:
        row = self.row_of(transfer)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def clear_finished(self) -> None:
        for transfer in [t for t in self._rows if t.finished]:
            self.remove(transfer)

    def _trim(self) -> None:
        while len(self._rows) > MAX_ROWS:
            oldest = next((t for t in reversed(self._rows) if t.finished), None)
            if oldest is None:
                return
            self.remove(oldest)

    def _changed(self, transfer: Transfer) -> None:
        row = self.row_of(transfer)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- reading -------------------------------------------------------------------------
    def row_of(self, transfer: Transfer) -> int | None:
        for row, item in enumerate(self._rows):
            if item is transfer:
                return row
        return None

    def transfer_at(self, row: int) -> Transfer | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @property
    def transfers(self) -> list[Transfer]:
        return list(self._rows)

    @property
    def running(self) -> list[Transfer]:
        return [t for t in self._rows if not t.finished]

    # -- Qt model API --------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        transfer = self.transfer_at(index.row())
        if transfer is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            texts = (
                transfer.name,
                transfer.progress_text(),
                transfer.speed_text(),
                transfer.time_left_text(),
                transfer.state_text(),
            )
            return texts[col] if 0 <= col < len(texts) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return transfer.key
        return None
