"""CSV/TSV previewer: virtual table, background load, sort, filter, column stats, copy."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.previews.base import Previewer, PreviewSource, loading_stack
from artifact_viewer.previews.onscreen import paint_coming
from artifact_viewer.previews.table.load import BLOCK_SIZE, TableData, load_table
from artifact_viewer.previews.table.model import ArrowTableModel
from artifact_viewer.previews.table.panel import StatsPanel
from artifact_viewer.previews.table.query import Query, cell_text, cells_tsv, run_query
from artifact_viewer.previews.table.stats import table_stats
from artifact_viewer.previews.table.types import TypedColumns
from artifact_viewer.qt.buttons import tool_button
from artifact_viewer.qt.worker import Task, run_in_pool

log = logging.getLogger(__name__)

#: selections up to this many cells are copied at once; bigger ones in the background
_SYNC_COPY_CELLS = 2_000
_MAX_COPY_CELLS = 2_000_000
_PAGE_LOADING, _PAGE_TABLE, _PAGE_ERROR = range(3)


class _TableView(QTableView):
    """A table view that takes rows appended below a full screen without repainting it."""

    #: the first screen of rows has been painted (and the events queued by then ran)
    firstPainted = Signal()  # noqa: N815 (Qt's naming)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: set after the next paint that shows rows (the loader waits for it)
        self.shown: threading.Event | None = None
        self._painted: threading.Event | None = None
        # A child timer, not QTimer.singleShot: it dies with the view, never firing late.
        self._paint_timer = QTimer(self, singleShot=True, interval=0)
        self._paint_timer.timeout.connect(self._after_first_paint)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        shown = self.shown
        if shown is not None and self.model() is not None and self.model().rowCount():
            self.shown = None
            # Set once the events already queued ran: a paint into a pixmap (a grab) is
            # followed by the window's own paint of the same screen, which should not
            # compete with the whole-file read either.
            self._painted = shown
            self._paint_timer.start()

    @Slot()
    def _after_first_paint(self) -> None:
        if self._painted is not None:
            self._painted.set()
            self._painted = None
            self.firstPainted.emit()

    def append_rows(self, append: Callable[[], None]) -> None:
        """Run ``append``, which adds rows at the end of the model.

        Qt lays the whole view out again, repainting every visible cell, whenever the row
        count changes; while a big file streams in that is a GUI stall every second. Rows
        added below a full screen change only the scrollbars, so the header's count signal
        is held back and just the geometry is updated.
        """
        if self.rowAt(self.viewport().height() - 1) < 0:  # room left: new rows show
            append()
            return
        header = self.verticalHeader()
        was_blocked = header.blockSignals(True)
        try:
            append()
        finally:
            header.blockSignals(was_blocked)
        self.updateGeometries()


class TablePreviewer(Previewer):
    """Shows a delimited text file as a table; the first rows appear while the rest loads."""

    kind = "table"
    title = "Table"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: PreviewSource | None = None
        self._tasks: dict[str, Task] = {}
        self._complete = False
        self._sent_ready = False
        self._first_shown = False
        self._finish_pending = False
        self._query = Query()
        self._applied = Query()
        self._running = Query()
        # lower-cased text columns of the loaded table, filled by filter queries
        self._text_cache: dict[int, Any] = {}
        # typed columns of the loaded table, for sorting and stats (worked out on first use)
        self._typed: TypedColumns | None = None
        self.message = ""

        self.info = QLabel()
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Long names and notes must not make the whole preview wider than its pane.
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.info.setMinimumWidth(40)
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter rows (Ctrl+F)")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setMinimumWidth(120)
        self.column_box = QComboBox()
        self.column_box.setToolTip("Filter in one column or in all")
        self.column_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.header_button = tool_button("Header row", checkable=True)
        self.header_button.setToolTip("Use the first row as column names")
        self.header_button.setEnabled(False)
        self.stats_button = tool_button("Stats", checkable=True)
        self.stats_button.setToolTip("Column statistics and histogram")
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        bar.addWidget(self.info, 1)
        bar.addWidget(self.filter_box)
        bar.addWidget(self.column_box)
        bar.addWidget(self.header_button)
        bar.addWidget(self.stats_button)

        self.model = ArrowTableModel(self)
        self.view = _TableView()
        self.view.firstPainted.connect(self._send_ready)
        # ready is sent after the first screen is painted; this covers a view never painted
        self._ready_timer = QTimer(self, singleShot=True, interval=500)
        self._ready_timer.timeout.connect(self._send_ready)
        self.view.setModel(self.model)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        # Fixed row heights: the view never measures rows it is not showing.
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(False)
        header.setResizeContentsPrecision(200)
        header.sectionClicked.connect(self._header_clicked)
        self.stats = StatsPanel()
        self.stats.columnSelected.connect(self._stats_column)
        self.stats.setVisible(False)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.stats)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.error_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.loading, self.stack = loading_stack(self.splitter, self.error_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

        self._filter_timer = QTimer(self, singleShot=True, interval=300)
        self._filter_timer.timeout.connect(self._query_changed)
        self.filter_box.textChanged.connect(self._filter_timer.start)
        self.filter_box.returnPressed.connect(self._query_changed)
        self.column_box.currentIndexChanged.connect(self._query_changed)
        self.stats_button.toggled.connect(self._toggle_stats)
        self.header_button.clicked.connect(self._header_toggled)
        for text, keys, slot in (
            ("Copy", QKeySequence.StandardKey.Copy, self.copy_selection),
            ("Find", QKeySequence.StandardKey.Find, self._focus_filter),
        ):
            action = QAction(text, self)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    # --- loading ------------------------------------------------------------------------
    def load(self, source: PreviewSource) -> None:
        self.model.masker = self.masker()
        self._load(source, None)

    def _load(self, source: PreviewSource, header: bool | None) -> None:
        self.cancel()
        self._source = source
        self.header_button.setEnabled(False)
        self.model.clear()
        self.view.verticalHeader().setMinimumWidth(0)
        self._complete = False
        self._sent_ready = False
        self._first_shown = False
        self._finish_pending = False
        self.message = ""
        self._query = self._applied = Query()
        self.stats.clear()
        self.filter_box.blockSignals(True)
        self.filter_box.clear()
        self.filter_box.blockSignals(False)
        self.view.horizontalHeader().setSortIndicatorShown(False)
        self.stack.setCurrentIndex(_PAGE_LOADING)
        self.info.setText(source.name or source.path.name)
        # The whole-file read starts once the first screen is painted (see load_table).
        shown = self.view.shown = threading.Event()
        self._tasks["load"] = run_in_pool(
            functools.partial(load_table, shown=shown),
            source.path,
            source.suffix,
            header,
            on_result=self._loaded,
            on_error=self._load_failed,
            on_progress=self._load_progress,
            on_partial=self._show,
        )

    def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
        self._filter_timer.stop()
        self._ready_timer.stop()

    def release(self) -> None:
        """Going away: the table (a 1 GB file is ~1.5 GB of Arrow buffers) and what was
        worked out from it are freed on the pool, not on the GUI thread."""
        held = [*self.model.take_contents(), self._text_cache, self._typed]
        self._text_cache = {}
        self._typed = None
        run_in_pool(_let_go, held, on_result=_ignore, on_error=_ignore)

    @property
    def complete(self) -> bool:
        return self._complete

    @Slot(int, int)
    def _load_progress(self, done: int, total: int) -> None:
        self.progress.emit(done, total)
        if total and not self._complete and self.model.table_data is not None:
            self._update_info(f"loading {100 * done // total}%")

    @Slot(object)
    def _show(self, data: TableData) -> None:
        first = self.model.table_data is None or not self._first_shown
        if not first and self.model.appends(data):
            self.view.append_rows(lambda: self.model.set_data(data))
        else:
            self.model.set_data(data)
        if first:
            self._fill_column_box(data.names)
            self.header_button.setChecked(data.fmt.header)
            self.header_button.setEnabled(True)
            self._fit_columns()
            self._fit_row_numbers(data)
            self.stack.setCurrentIndex(_PAGE_TABLE)
            if not paint_coming(self, self.view) and self.view.shown is not None:
                self.view.shown.set()  # a view nobody shows never paints: nothing to wait for
        self._update_info()
        if first:
            self._first_shown = True
            if self.view.isVisible():
                # Sent after that paint, so the first screen's layout and its paint are
                # separate turns of the event loop, and whoever waits sees rows at once.
                self._ready_timer.start()
            else:
                self._send_ready()

    @Slot()
    def _send_ready(self) -> None:
        self._ready_timer.stop()
        if self._sent_ready or not self._first_shown:
            return
        self._sent_ready = True
        self.ready.emit()
        if self._finish_pending:
            self._finish_pending = False
            self.finished.emit()

    def _fit_row_numbers(self, data: TableData) -> None:
        """Make the row-number column as wide as the whole file's row count will need.

        Estimated from the bytes read so far: each time the numbers grew a digit, the
        view would move sideways and repaint every cell while the file streams in.
        """
        rows = data.rows
        if data.complete or rows == 0 or not data.batches:
            return
        # Each batch stands for about one input block (the bytes read so far include
        # the reader's read-ahead, which would make the estimate far too low).
        estimate = 3 * rows * data.size // (2 * len(data.batches) * BLOCK_SIZE)
        extra = len(str(estimate)) - len(str(rows))
        if extra > 0:
            header = self.view.verticalHeader()
            metrics = header.fontMetrics()
            digit = max(metrics.horizontalAdvance(d) for d in "0123456789")
            header.setMinimumWidth(header.sizeHint().width() + extra * digit)

    def _fit_columns(self, sample: int = 40, measured: int = 4) -> None:
        """Column widths from the header and the first rows (Qt's resizeColumnsToContents
        asks the model for far more cells, and the vertical header for every row).

        Only the few longest texts of each column are measured: this runs on the first
        screen of a file, where every millisecond of the GUI thread shows.
        """
        metrics = self.view.fontMetrics()
        header = self.view.horizontalHeader()
        # Each resize would tell the view, which then schedules a second full repaint of
        # the first screen; the widths are set before that screen is painted at all.
        was_blocked = header.blockSignals(True)
        try:
            for col in range(self.model.columnCount()):
                texts = self.model.head_texts(col, sample)
                texts.sort(key=len, reverse=True)
                name = str(self.model.headerData(col, Qt.Orientation.Horizontal))
                width = max(metrics.horizontalAdvance(t) for t in [name, *texts[:measured]]) + 24
                header.resizeSection(col, min(max(width, 60), 320))
        finally:
            header.blockSignals(was_blocked)
        self.view.updateGeometries()

    @Slot(object)
    def _loaded(self, data: TableData) -> None:
        self._tasks.pop("load", None)
        self._complete = True
        self._text_cache = {}  # a fresh dict: a running query may still fill the old one
        self._typed = None
        self._show(data)
        if self._query != self._applied:
            self._run_query()
        if self.stats_button.isChecked():
            self._compute_stats()
        if self._sent_ready:
            self.finished.emit()
        else:
            self._finish_pending = True  # finished follows ready

    @Slot(object)
    def _load_failed(self, exc: BaseException) -> None:
        self._tasks.pop("load", None)
        self.message = exc.user_message() if isinstance(exc, PreviewError) else user_message(exc)
        self.error_label.setText(self.message)
        self.stack.setCurrentIndex(_PAGE_ERROR)
        self.failed.emit(self.message)

    def _fill_column_box(self, names: list[str]) -> None:
        self.column_box.blockSignals(True)
        self.column_box.clear()
        self.column_box.addItem("All columns")
        for name in names:
            self.column_box.addItem(name)
        self.column_box.blockSignals(False)

    def _update_info(self, extra: str = "") -> None:
        data = self.model.table_data
        if data is None:
            return
        total, shown = self.model.total_rows, self.model.rowCount()
        rows = f"{total:,} rows" if shown == total else f"{total:,} rows ({shown:,} shown)"
        fmt = data.fmt
        parts = [
            rows,
            f"{len(data.names)} columns",
            f"{fmt.delimiter_name}-separated",
            fmt.encoding.upper(),
            "header" if fmt.header else "no header",
            *data.notes,
        ]
        if extra:
            parts.append(extra)
        self.info.setText(" · ".join(parts))

    @Slot(bool)
    def _header_toggled(self, on: bool) -> None:
        """Read the file again with (or without) its first row as column names."""
        if self._source is not None:
            self._load(self._source, on)

    # --- sort & filter ------------------------------------------------------------------
    @Slot(int)
    def _header_clicked(self, column: int) -> None:
        q = self._query
        # ascending -> descending -> file order
        if q.sort_column != column:
            sort, desc = column, False
        elif not q.descending:
            sort, desc = column, True
        else:
            sort, desc = None, False
        self._query = Query(q.text, q.column, sort, desc)
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(sort is not None)
        if sort is not None:
            order = Qt.SortOrder.DescendingOrder if desc else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(sort, order)
        self._run_query()

    @Slot()
    def _query_changed(self) -> None:
        self._filter_timer.stop()
        idx = self.column_box.currentIndex()
        column = idx - 1 if idx > 0 else None
        q = self._query
        self._query = Query(self.filter_box.text(), column, q.sort_column, q.descending)
        if self._query != self._applied:
            self._run_query()

    def sort_by(self, column: int | None, descending: bool = False) -> None:
        q = self._query
        self._query = Query(q.text, q.column, column, descending)
        self._run_query()

    def _run_query(self) -> None:
        old = self._tasks.pop("query", None)
        if old is not None:
            old.cancel()
        data = self.model.table_data
        if data is None or not self._complete:
            self._update_info("sorting and filtering start when loading finishes")
            return
        self._update_info("working…")
        self._running = self._query
        table = self._typed_columns(data).table
        self._tasks["query"] = run_in_pool(
            functools.partial(run_query, typed=self._typed),
            table,
            self._running,
            self._text_cache,
            on_result=self._query_done,
            on_error=self._query_failed,
        )

    def _typed_columns(self, data: TableData) -> TypedColumns:
        """Typed columns over the complete table (one table object, so they are kept)."""
        if self._typed is None:
            self._typed = TypedColumns(data.table())
        return self._typed

    @Slot(object)
    def _query_done(self, order: np.ndarray | None) -> None:
        # Only the latest query's task is alive (older ones were cancelled), so the
        # result belongs to ``_running``.
        self._tasks.pop("query", None)
        self._applied = self._running
        self.model.set_order(order)
        self._update_info()

    @Slot(object)
    def _query_failed(self, exc: BaseException) -> None:
        self._tasks.pop("query", None)
        self._update_info(f"could not filter: {user_message(exc)}")

    @Slot()
    def _focus_filter(self) -> None:
        self.filter_box.setFocus()
        self.filter_box.selectAll()

    # --- stats --------------------------------------------------------------------------
    @Slot(bool)
    def _toggle_stats(self, on: bool) -> None:
        self.stats.setVisible(on)
        if on and self._complete and not self.stats.stats and "stats" not in self._tasks:
            self._compute_stats()

    def _compute_stats(self) -> None:
        data = self.model.table_data
        if data is None:
            return
        self.stats.set_status("Computing statistics…")
        typed = self._typed_columns(data)
        self._tasks["stats"] = run_in_pool(
            functools.partial(table_stats, typed=typed),
            typed.table,
            list(data.names),
            on_result=self._stats_ready,
            on_error=self._stats_failed,
        )

    @Slot(object)
    def _stats_ready(self, stats: list[Any]) -> None:
        self._tasks.pop("stats", None)
        self.stats.set_stats(stats)
        current = self.view.currentIndex()
        if current.isValid():
            self.stats.show_column(current.column())

    @Slot(object)
    def _stats_failed(self, exc: BaseException) -> None:
        self._tasks.pop("stats", None)
        self.stats.set_status(f"Statistics failed: {user_message(exc)}")

    @Slot(int)
    def _stats_column(self, column: int) -> None:
        self.view.scrollTo(self.model.index(max(self.view.rowAt(0), 0), column))

    # --- copy ---------------------------------------------------------------------------
    @Slot()
    def copy_selection(self) -> None:
        """Selected cells as TSV (their bounding box, in view order) to the clipboard."""
        ranges = self.view.selectionModel().selection()
        data = self.model.table_data
        if data is None or ranges.isEmpty():
            return
        spans = [ranges.at(i) for i in range(ranges.count())]
        top = min(r.top() for r in spans)
        bottom = max(r.bottom() for r in spans)
        cols = sorted({c for r in spans for c in range(r.left(), r.right() + 1)})
        cells = (bottom - top + 1) * len(cols)
        if cells > _MAX_COPY_CELLS:
            self._update_info(f"selection too large to copy ({cells:,} cells)")
            return
        if cells <= _SYNC_COPY_CELLS or self.model.masker is not None:
            if self.model.masker is not None and cells > _SYNC_COPY_CELLS:
                self._update_info("copied masked cells (redacted view)")
            lines = [
                "\t".join(_tsv_field(self._copy_text(r, c)) for c in cols)
                for r in range(top, bottom + 1)
            ]
            QGuiApplication.clipboard().setText("\n".join(lines) + "\n")
            return
        order = self.model.order
        rows = np.arange(top, bottom + 1, dtype=np.int64)
        if order is not None:
            rows = order[top : bottom + 1]
        self._tasks["copy"] = run_in_pool(
            cells_tsv, data.table(), rows, cols, on_result=self._copied, on_error=self._copy_failed
        )

    def _copy_text(self, row: int, column: int) -> str:
        """A cell as copied: masked like it is shown while the redacted view is on."""
        if self.model.masker is not None:
            return self.model.text(row, column)
        return cell_text(self.model.value(row, column))

    @Slot(object)
    def _copied(self, text: str) -> None:
        self._tasks.pop("copy", None)
        QGuiApplication.clipboard().setText(text)

    @Slot(object)
    def _copy_failed(self, exc: BaseException) -> None:
        self._tasks.pop("copy", None)
        self._update_info(f"could not copy: {user_message(exc)}")

    # --- text form -----------------------------------------------------------------------
    def dump_chunks(self) -> Iterator[str]:
        """The table as TSV: the column names, then every row in view order, each cell the
        file's full text (quoted like a copy when it holds a tab, newline or quote)."""
        data = self.model.table_data
        if data is None:
            return
        yield "\t".join(_tsv_field(name) for name in data.names) + "\n"
        masker, names = self.model.masker, data.names
        table = data.table()
        order = self.model.order
        if order is not None:
            table = table.take(order)
        for batch in table.to_batches(max_chunksize=16_384):
            if masker is None and batch.num_columns:
                yield _tsv_rows(batch)
                continue
            columns = [column.to_pylist() for column in batch.columns]
            if masker is not None:  # the redacted view: cells masked as shown
                columns = [
                    [masker.mask_cell(names[c], cell_text(v)) for v in column]
                    for c, column in enumerate(columns)
                ]
            yield "".join(
                "\t".join(_tsv_field(cell_text(col[r])) for col in columns) + "\n"
                for r in range(batch.num_rows)
            )


def _let_go(held: list[object], _progress: object, _cancel: object) -> None:
    """Worker: drop the last references to a table the view no longer shows."""
    held.clear()


def _ignore(_outcome: object) -> None:
    """Nothing to report: the table was let go."""


def _tsv_rows(batch: pa.RecordBatch) -> str:
    """The rows of ``batch`` as TSV lines, quoted as :func:`_tsv_field` does (in Arrow)."""
    columns = []
    for column in batch.columns:
        text = pc.fill_null(pc.cast(column, pa.string()), "")
        needs = pc.match_substring_regex(text, '[\t\n\r"]')
        quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
        columns.append(pc.if_else(needs, quoted, text))
    rows = pc.binary_join_element_wise(*columns, "\t") if len(columns) > 1 else columns[0]
    return "\n".join(rows.to_pylist()) + "\n"


def _tsv_field(text: str) -> str:
    """Quote a field the way spreadsheets expect when it holds a tab, newline or quote."""
    if any(ch in text for ch in '\t\n\r"'):
        return '"' + text.replace('"', '""') + '"'
    return text
