"""The compare page: progress and Cancel while a comparison runs, then the view for its kind.

Every comparison, and everything big a view needs (rendered diff text, images, the table's
row plan), is made on a worker thread by :mod:`artifact_viewer.ui.compare.work`; the
widgets here only show results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import (
    QBrush,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.compare import BinaryDiff, JsonDiff, PdfDiff, RunDiff, RunPair
from artifact_viewer.ui.compare.imagediff import ImageDiffView, ImagePair
from artifact_viewer.ui.compare.jsontree import JsonDiffView
from artifact_viewer.ui.compare.pdfdiff import PdfDiffView
from artifact_viewer.ui.compare.tablediff import TableDiffView, TableRows
from artifact_viewer.ui.compare.textdiff import ADDED, CHANGED, REMOVED, Rendered, TextDiffView
from artifact_viewer.ui.compare.work import Prepared

_STATUS = {"identical": "same", "changed": "changed", "onlyA": "only in A", "onlyB": "only in B"}
_STATUS_TINT = {"changed": CHANGED, "onlyA": REMOVED, "onlyB": ADDED}

Runner = Callable[..., Any]


class RunDiffView(QWidget):
    """The pairs of two runs with their status and one-line summary; open one to see its diff."""

    pairOpened = Signal(object)
    pairRequested = Signal(str, str)  # an artifact only in A, one only in B: pair them

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.pair_button = QPushButton("Pair selected", self)
        self.pair_button.setToolTip(
            "Select one artifact only in A and one only in B (Ctrl-click) to compare them"
        )
        self.pair_button.setEnabled(False)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.tree.setHeaderLabels(["Status", "Name", "Summary"])
        self.tree.setColumnWidth(0, 90)
        self.tree.setColumnWidth(1, 260)
        self.tree.itemActivated.connect(self._open)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.pair_button.clicked.connect(self._pair_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.pair_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        self.pairs: list[RunPair] = []

    def show_diff(self, diff: RunDiff) -> None:
        self.summary.setText(diff.one_line() + "  (open a changed pair to see its diff)")
        self.tree.clear()
        self.pairs = list(diff.pairs)
        for index, pair in enumerate(diff.pairs):
            item = QTreeWidgetItem(self.tree, [_STATUS[pair.status], pair.name, pair.one_line()])
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            tint = _STATUS_TINT.get(pair.status)
            if tint is not None:
                item.setBackground(0, QBrush(tint))

    def chosen_pair(self) -> tuple[str, str] | None:
        """(A id, B id) when the selection is one item only in A and one only in B."""
        chosen = [
            self.pairs[int(item.data(0, Qt.ItemDataRole.UserRole))]
            for item in self.tree.selectedItems()
        ]
        only_a = [p.a for p in chosen if p.status == "onlyA" and p.a is not None]
        only_b = [p.b for p in chosen if p.status == "onlyB" and p.b is not None]
        if len(chosen) == 2 and len(only_a) == 1 and len(only_b) == 1:
            return only_a[0].id, only_b[0].id
        return None

    @Slot()
    def _selection_changed(self) -> None:
        self.pair_button.setEnabled(self.chosen_pair() is not None)

    @Slot()
    def _pair_selected(self) -> None:
        chosen = self.chosen_pair()
        if chosen is not None:
            self.pairRequested.emit(*chosen)

    @Slot(QTreeWidgetItem, int)
    def _open(self, item: QTreeWidgetItem, _column: int) -> None:
        pair = self.pairs[int(item.data(0, Qt.ItemDataRole.UserRole))]
        if pair.diff is not None:
            self.pairOpened.emit(pair)


class CompareView(QWidget):
    """Header (title, progress, Cancel, back), then one page per result kind."""

    backRequested = Signal()
    cancelRequested = Signal()

    def __init__(self, run: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.pairs_button = QPushButton("All pairs", self)
        self.back_button = QPushButton("Back to preview", self)
        bar = QHBoxLayout()
        bar.addWidget(self.title, 1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.pairs_button)
        bar.addWidget(self.back_button)
        self.message = QLabel(self)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table = TableDiffView(run, self)
        self.json = JsonDiffView(self)
        self.text = TextDiffView(self)
        self.image = ImageDiffView(self)
        self.pdf = PdfDiffView(run, self)
        self.binary = QPlainTextEdit(self)
        self.binary.setReadOnly(True)
        self.runs = RunDiffView(self)
        self.pages = QStackedWidget(self)
        for page in (
            self.message,
            self.table,
            self.json,
            self.text,
            self.image,
            self.pdf,
            self.binary,
            self.runs,
        ):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.back_button.clicked.connect(self.backRequested)
        self.pairs_button.clicked.connect(lambda: self.pages.setCurrentWidget(self.runs))
        self.pairs_button.hide()
        self.runs.pairOpened.connect(self.open_pair)
        self.pair_opener: Callable[[RunPair], None] | None = None
        self.set_busy(False)

    def set_busy(self, busy: bool, title: str = "") -> None:
        if title:
            self.title.setText(title)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.progress.setRange(0, 0)
            self.message.setText("Comparing…")
            self.pages.setCurrentWidget(self.message)
            self.pairs_button.hide()

    @Slot(int, int)
    def on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def show_message(self, text: str) -> None:
        self.set_busy(False)
        self.message.setText(text)
        self.pages.setCurrentWidget(self.message)

    def current_page(self) -> QWidget | None:
        return self.pages.currentWidget()

    def show_partial(self, prepared: Prepared) -> None:
        """A first look at a comparison still running: shown, with progress and Cancel kept."""
        if isinstance(prepared.extra, TableRows):
            self.table.show_diff(prepared.diff, prepared.extra)  # type: ignore[arg-type]
            self.pages.setCurrentWidget(self.table)

    def show_prepared(self, prepared: Prepared) -> None:
        """Show a finished comparison (its view data already made off the GUI thread)."""
        self.set_busy(False)
        diff = prepared.diff
        if diff.notes and not isinstance(diff, RunDiff):
            self.title.setText(f"{self.title.text()}  —  {' '.join(diff.notes)}")
        if isinstance(diff, RunDiff):
            self.runs.show_diff(diff)
            self.pages.setCurrentWidget(self.runs)
            return
        self.pairs_button.setVisible(prepared.in_run)
        extra = prepared.extra
        if isinstance(extra, TableRows):
            self.table.show_diff(diff, extra)  # type: ignore[arg-type]
            self.pages.setCurrentWidget(self.table)
        elif isinstance(diff, JsonDiff):
            self.json.show_diff(diff, extra)
            self.pages.setCurrentWidget(self.json)
        elif isinstance(extra, Rendered):
            self.text.show_rendered(extra, diff.one_line())
            self.pages.setCurrentWidget(self.text)
        elif isinstance(extra, ImagePair):
            self.image.show_pair(extra)
            self.pages.setCurrentWidget(self.image)
        elif isinstance(diff, PdfDiff):
            self.pdf.show_diff(diff, extra if extra is not None else [])
            self.pages.setCurrentWidget(self.pdf)
        elif isinstance(diff, BinaryDiff):
            lines = [diff.one_line(), *diff.notes, ""]
            lines += [f"Size A: {diff.size_a:,} bytes", f"Size B: {diff.size_b:,} bytes"]
            lines += [f"SHA-256 A: {diff.sha256_a}", f"SHA-256 B: {diff.sha256_b}"]
            if diff.first_difference is not None:
                lines += [
                    f"First difference at byte {diff.first_difference:,}:",
                    f"  A @{diff.hex_offset:,}: {diff.hex_a}",
                    f"  B @{diff.hex_offset:,}: {diff.hex_b}",
                ]
            self.binary.setPlainText("\n".join(lines))
            self.pages.setCurrentWidget(self.binary)
        else:
            self.show_message(diff.one_line())

    @Slot(object)
    def open_pair(self, pair: RunPair) -> None:
        if self.pair_opener is not None:
            self.pair_opener(pair)
