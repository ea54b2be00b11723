"""The downloads panel: every download of the session with bytes, speed and time left;
Cancel, Retry and Clear finished act on it."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.ui.models.downloads_model import Transfer
from artifact_viewer.ui.panes.download_indicator import DownloadIndicator


class DownloadsPanel(QWidget):
    """A table over the indicator's log, and buttons for the selected download."""

    def __init__(self, indicator: DownloadIndicator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("downloadsPanel")
        self.indicator = indicator
        self.model = indicator.log
        self.table = QTableView(self)
        self.table.setObjectName("downloadsTable")
        self.table.setAccessibleName("Downloads")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)  # one Tab stop; arrows move inside
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, self.model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.cancel_button = QPushButton("&Cancel", self)
        self.cancel_button.setToolTip("Stop the selected download")
        self.retry_button = QPushButton("&Retry", self)
        self.retry_button.setToolTip("Start the selected cancelled or failed download again")
        self.clear_button = QPushButton("C&lear finished", self)
        self.clear_button.setToolTip("Remove finished, cancelled and failed downloads")
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.clear_button.clicked.connect(self.model.clear_finished)
        self.table.doubleClicked.connect(self._on_double_click)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        for signal in (
            self.model.dataChanged,
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.modelReset,
        ):
            signal.connect(self.update_buttons)
        self.update_buttons()

    def selected(self) -> Transfer | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.transfer_at(rows[0].row())

    def select(self, transfer: Transfer) -> None:
        row = self.model.row_of(transfer)
        if row is not None:
            self.table.selectRow(row)

    @Slot()
    def update_buttons(self, *_args: object) -> None:
        transfer = self.selected()
        self.cancel_button.setEnabled(transfer is not None and not transfer.finished)
        self.retry_button.setEnabled(transfer is not None and transfer.can_retry)
        self.clear_button.setEnabled(any(t.finished for t in self.model.transfers))

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, *_args: object) -> None:
        self.update_buttons()

    @Slot()
    def cancel_selected(self) -> None:
        transfer = self.selected()
        if transfer is not None:
            self.indicator.cancel_transfer(transfer)

    @Slot()
    def retry_selected(self) -> None:
        transfer = self.selected()
        if transfer is not None and self.indicator.retry(transfer):
            self.table.selectRow(0)  # the new attempt

    @Slot(QModelIndex)
    def _on_double_click(self, index: QModelIndex) -> None:
        transfer = self.model.transfer_at(index.row())
        if transfer is not None and transfer.can_retry:
            self.indicator.retry(transfer)
