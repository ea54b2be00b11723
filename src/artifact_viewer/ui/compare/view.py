"""The compare page: progress and Cancel while a comparison runs, then the view for its kind.

Every comparison, and everything big a view needs (rendered diff text, images, the table's
row plan), is made on a worker thread by :mod:`artifact_viewer.ui.compare.work`; the
widgets here only show results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QBrush,
    QGuiApplication,
    QKeySequence,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.compare import BinaryDiff, JsonDiff, PdfDiff, RunDiff, RunPair
from artifact_viewer.core.compare.jsondiff import json_path
from artifact_viewer.ui.compare.imagediff import ImageDiffView, ImagePair
from artifact_viewer.ui.compare.tablediff import TableDiffView, TableRows
from artifact_viewer.ui.compare.textdiff import ADDED, CHANGED, REMOVED, Rendered, TextDiffView
from artifact_viewer.ui.compare.work import Prepared

#: JSON changes shown in the tree at most (the CLI's --json lists them all)
MAX_JSON_CHANGES = 2000
_JSON_TINT = {"add": ADDED, "remove": REMOVED, "replace": CHANGED}
_STATUS = {"identical": "same", "changed": "changed", "onlyA": "only in A", "onlyB": "only in B"}
_STATUS_TINT = {"changed": CHANGED, "onlyA": REMOVED, "onlyB": ADDED}

Runner = Callable[..., Any]


def _short(value: Any, limit: int = 120) -> str:
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text if len(text) <= limit else text[: limit - 1] + "…"


PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def json_model(diff: JsonDiff) -> QStandardItemModel:
    """The changed paths as a two-column tree model (path step, change), marked by kind.

    Made on a worker thread and moved to the GUI thread: the view only swaps it in."""
    model = QStandardItemModel()
    model.setHorizontalHeaderLabels(["Path", "Change"])
    nodes: dict[tuple[str | int, ...], QStandardItem] = {}
    root = model.invisibleRootItem()
    for change in diff.items[:MAX_JSON_CHANGES]:
        parent = root
        for depth in range(len(change.path)):
            prefix = change.path[: depth + 1]
            node = nodes.get(prefix)
            if node is None:
                step = prefix[-1]
                node = QStandardItem(f"[{step}]" if isinstance(step, int) else step)
                node.setData(json_path(prefix), PATH_ROLE)
                node.setEditable(False)
                parent.appendRow([node, _cell("")])
                nodes[prefix] = node
            parent = node
        if change.op == "add":
            text = f"added: {_short(change.new)}"
        elif change.op == "remove":
            text = f"removed: {_short(change.old)}"
        else:
            text = f"{_short(change.old)} -> {_short(change.new)}"
        holder = parent.parent() or root if change.path else root
        row = parent.row() if change.path else holder.rowCount()
        label = parent.text() if change.path else "$"
        existing = holder.child(row, 1) if change.path else None
        if existing is not None and not existing.text():
            step_item, change_item = parent, existing
        else:  # a removal and an addition at one index (or the root): one row each
            step_item, change_item = QStandardItem(label), _cell("")
            step_item.setEditable(False)
            holder.appendRow([step_item, change_item])
        step_item.setData(json_path(change.path), PATH_ROLE)
        change_item.setText(text)
        brush = QBrush(_JSON_TINT[change.op])
        step_item.setBackground(brush)
        change_item.setBackground(brush)
    app = QCoreApplication.instance()
    if app is not None:
        model.moveToThread(app.thread())
    return model


def _cell(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    return item


class JsonDiffView(QWidget):
    """Changed paths as a tree, marked by kind; copy the path of a change (Ctrl+C)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.tree = QTreeView(self)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.copy_action = QAction("Copy path", self.tree)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(self.copy_path)
        self.tree.addAction(self.copy_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.model: QStandardItemModel | None = None

    def show_diff(self, diff: JsonDiff, model: QStandardItemModel | None = None) -> None:
        note = (
            f" (first {MAX_JSON_CHANGES:,} shown; the CLI's --json lists all)"
            if len(diff.items) > MAX_JSON_CHANGES
            else ""
        )
        self.summary.setText(diff.one_line() + note)
        self.model = model if model is not None else json_model(diff)
        self.model.setParent(self)
        self.tree.setModel(self.model)
        self.tree.setColumnWidth(0, 320)
        if self.model.rowCount() <= 50:
            self.tree.expandToDepth(1)

    def selected_path(self) -> str:
        index = self.tree.currentIndex()
        if not index.isValid():
            return ""
        return str(index.siblingAtColumn(0).data(PATH_ROLE) or "")

    @Slot()
    def copy_path(self) -> None:
        path = self.selected_path()
        if path:
            QGuiApplication.clipboard().setText(path)


class PdfDiffView(QWidget):
    """Changed pages on the left, the selected page's text diff on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.pages = QListWidget(self)
        self.text = TextDiffView(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.pages)
        split.addWidget(self.text)
        split.setSizes([160, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.pages.currentRowChanged.connect(self._show_page)
        self._rendered: list[Rendered] = []
        self._diff: PdfDiff | None = None

    def show_diff(self, diff: PdfDiff, rendered: list[Rendered]) -> None:
        self._diff, self._rendered = diff, rendered
        self.summary.setText(diff.one_line())
        self.pages.clear()
        names = {"add": "only in B", "remove": "only in A", "change": "changed"}
        for page in diff.pages:
            self.pages.addItem(f"Page {page.page} ({names[page.op]})")
        if diff.pages:
            self.pages.setCurrentRow(0)

    @Slot(int)
    def _show_page(self, row: int) -> None:
        if self._diff is not None and 0 <= row < len(self._rendered):
            self.text.show_rendered(self._rendered[row], self._diff.pages[row].text.one_line())


class RunDiffView(QWidget):
    """The pairs of two runs with their status and one-line summary; open one to see its diff."""

    pairOpened = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(["Status", "Name", "Summary"])
        self.tree.setColumnWidth(0, 90)
        self.tree.setColumnWidth(1, 260)
        self.tree.itemActivated.connect(self._open)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
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
        self.pdf = PdfDiffView(self)
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
            self.pdf.show_diff(diff, list(extra or []))
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
