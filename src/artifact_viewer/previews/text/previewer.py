"""Text and log previewers: virtual view, line numbers, search, wrap, and (for logs) levels.

The file is memory-mapped in a worker and the first screen shows at once; a background
scan then indexes newlines (line numbers, line count) and, for logs, error markers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.previews.base import Previewer, PreviewSource
from artifact_viewer.previews.fmt import count, human_size
from artifact_viewer.previews.text.canvas import TextView
from artifact_viewer.previews.text.document import LineIndex, SearchResult, TextDocument
from artifact_viewer.previews.text.syntax import SYNTAX, Highlighter
from artifact_viewer.qt.worker import Progress, Task, run_in_pool


def open_and_index(path: Path, progress: Progress, cancel: CancelToken) -> None:
    """Worker: map the file, hand it over at once, then index its newlines chunk by chunk."""
    try:
        doc = TextDocument.open(path)
    except OSError as exc:
        raise PreviewError(f"Cannot read the file: {exc.strerror or exc}.") from exc
    progress.partial(("doc", doc))
    doc.scan_newlines(progress, cancel, lambda found, end: progress.partial(("lines", found, end)))


#: a worker step that makes the text to show from a file: (UTF-8 bytes and an encoding
#: label, or None to show the file itself); it may send ("note", anything) partials
Prepare = Callable[[Path, Progress, CancelToken], tuple[bytes | None, str]]


def open_prepared(path: Path, prepare: Prepare, progress: Progress, cancel: CancelToken) -> None:
    """Worker: like :func:`open_and_index`, over the text ``prepare`` makes of the file."""
    data, label = prepare(path, progress, cancel)
    cancel.raise_if_cancelled()
    if data is None:
        open_and_index(path, progress, cancel)
        return
    doc = TextDocument(path, data, 0, "utf-8", label)
    progress.partial(("doc", doc))
    doc.scan_newlines(progress, cancel, lambda found, end: progress.partial(("lines", found, end)))


def _next(offsets: np.ndarray, after: int) -> int | None:
    """First offset at or after ``after``, wrapping to the first one."""
    if offsets.size == 0:
        return None
    i = int(np.searchsorted(offsets, after, side="left"))
    return int(offsets[i if i < offsets.size else 0])


def _previous(offsets: np.ndarray, before: int) -> int | None:
    """Last offset before ``before``, wrapping to the last one."""
    if offsets.size == 0:
        return None
    i = int(np.searchsorted(offsets, before, side="left")) - 1
    return int(offsets[i if i >= 0 else -1])


def document_lines(doc: TextDocument, batch: int = 4096) -> Iterator[str]:
    """Every display line of ``doc`` with a newline, a batch of lines per piece."""
    offset, lines = doc.start, []
    while offset < doc.size:
        text, offset = doc.line_at(offset)
        lines.append(text)
        if len(lines) >= batch:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def let_go(
    held: list[object], stopped: list[threading.Event], _progress: object, cancel: CancelToken
) -> None:
    """Worker: free a document the view no longer shows (``held``: it and its line index).

    Unmapping a 1 GB file whose pages were read and freeing its newline offsets (~100 MB
    of arrays) takes 0.05-0.1 s; on the GUI thread that is a frozen window. The scans
    that were stopped for it (``stopped``: set once their workers let go) are waited for
    first, so none still holds a view of the mapping when it is closed.
    """
    for event in stopped:
        event.wait(LET_GO_WAIT_S)
    for thing in held:
        if isinstance(thing, TextDocument):
            thing.close()
        elif isinstance(thing, LineIndex):
            thing.release()
    held.clear()


#: how long freeing a document waits for the stopped scans that still read it
LET_GO_WAIT_S = 10.0


def _ignore(_outcome: object) -> None:
    """Nothing to report: the document was let go."""


#: the wrap setting per view kind ("log", "text", "xml"), kept across files
_WRAP: dict[str, bool] = {}


class TextPreviewer(Previewer):
    """Plain text of any size. Subclass :class:`LogPreviewer` adds level colours and error jumps."""

    kind = "text"
    title = "Raw text"
    levels = False
    #: colouring of each line: "xml", "json" or None (see text/syntax.py)
    syntax: str | None = None
    #: emitted with the number of error markers once the background scan is done (logs)
    errorsFound = Signal(int)
    #: what a prepare step sent along (see :meth:`load_prepared`)
    noted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._search_task: Task | None = None
        self._errors_task: Task | None = None
        self._doc: TextDocument | None = None
        self._index: LineIndex | None = None
        self._prepare: Prepare | None = None
        self._syntax_name: str | None = None
        self._errors: np.ndarray | None = None
        self._hits: SearchResult | None = None
        self._hits_case = False
        self._progress_text = ""
        # Cleared while a search runs: the background error scan waits for it, so the
        # search the user asked for gets the CPU first.
        self._no_search = threading.Event()
        self._no_search.set()
        # the workers of the tasks stopped since the document was last let go
        self._stopped: list[threading.Event] = []

        self.view = TextView(self)
        self.view.set_levels(self.levels)
        self.view.set_syntax(SYNTAX.get(self.syntax) if self.syntax else None)
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText("Find (Ctrl+F)")
        self.find_edit.setClearButtonEnabled(True)
        self.case_box = QCheckBox("Match case", self)
        self.case_box.setToolTip("Also on when the query has a capital letter")
        self.prev_hit = self._button("◀", "Previous match (Shift+F3)", self.previous_hit)
        self.next_hit = self._button("▶", "Next match (F3, Enter)", self.next_hit_)
        self.hits_label = QLabel(self)
        self.prev_error = self._button("◀ Error", "Previous error (Shift+F8)", self.previous_error)
        self.next_error = self._button("Error ▶", "Next error (F8)", self.next_error_)
        self.wrap_box = QCheckBox("Wrap", self)
        self.top_button = self._button(
            "Top", "Go to the first line (Home)", self.view.scroll_to_start
        )
        self.end_button = self._button("End", "Go to the last line (End)", self.view.scroll_to_end)
        self.status = QLabel(self)
        self.status.setContentsMargins(6, 2, 6, 2)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        for widget in (
            self.find_edit,
            self.case_box,
            self.prev_hit,
            self.next_hit,
            self.hits_label,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (
            self.prev_error,
            self.next_error,
            self.wrap_box,
            self.top_button,
            self.end_button,
        ):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        for widget in (self.prev_error, self.next_error):
            widget.setVisible(self.levels)
            widget.setEnabled(False)

        self.find_edit.returnPressed.connect(self.next_hit_)
        self.find_edit.textChanged.connect(self._on_query_edited)
        self.case_box.toggled.connect(self._on_query_edited)
        self.wrap_box.toggled.connect(self.view.set_wrap)
        self.wrap_box.toggled.connect(self._remember_wrap)
        self.wrap_box.setChecked(_WRAP.get(self.kind, False))
        self._shortcut(QKeySequence.StandardKey.Find, self.focus_find)
        self._shortcut(QKeySequence(Qt.Key.Key_F3), self.next_hit_)
        self._shortcut(QKeySequence("Shift+F3"), self.previous_hit)
        if self.levels:
            self._shortcut(QKeySequence(Qt.Key.Key_F8), self.next_error_)
            self._shortcut(QKeySequence("Shift+F8"), self.previous_error)

    @Slot(bool)
    def _remember_wrap(self, on: bool) -> None:
        """The next file shown in this kind of view wraps (or not) the same way."""
        _WRAP[self.kind] = on

    def _button(self, text: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _shortcut(self, keys: QKeySequence | QKeySequence.StandardKey, slot: object) -> None:
        shortcut = QShortcut(keys, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # --- loading -------------------------------------------------------------------------

    def load(self, source: PreviewSource) -> None:
        self.cancel()
        self._let_go()
        self._errors = None
        self._hits = None
        self.view.set_syntax(self._syntax_for(source))
        self.status.setText("Opening…")
        self._task = run_in_pool(
            self._opener(source),
            on_result=self._on_indexed,
            on_error=self._on_error,
            on_progress=self._on_progress,
            on_partial=self._on_partial,
        )

    def load_prepared(self, source: PreviewSource, prepare: Prepare, syntax: str | None) -> None:
        """Show the text ``prepare`` makes of ``source`` (e.g. indented markup) in this
        view, coloured as ``syntax`` ("xml", "json" or None); later loads do the same."""
        self._prepare, self._syntax_name = prepare, syntax
        self.load(source)

    def _syntax_for(self, source: PreviewSource) -> Highlighter | None:
        """The colouring for ``source``: the class's own, else JSON or XML by label or name
        (the raw view of a JSON or XML file is coloured, with line numbers and search)."""
        if self._syntax_name or self.syntax:
            return SYNTAX.get(self._syntax_name or self.syntax or "")
        mime = (source.mime or "").split(";")[0].strip().lower()
        suffix = source.suffix
        if mime.endswith(("json", "ndjson")) or suffix in (".json", ".jsonl", ".ndjson"):
            return SYNTAX["json"]
        if mime.endswith("xml") or suffix in (".xml", ".xsd", ".svg"):
            return SYNTAX["xml"]
        return None

    def _opener(self, source: PreviewSource) -> Callable[[Progress, CancelToken], None]:
        """The worker that opens the document: it sends ``("doc", TextDocument)`` and then
        ``("lines", ...)`` batches as partial results (see :func:`open_and_index`)."""
        if self._prepare is not None:
            return partial(open_prepared, source.path, self._prepare)
        return partial(open_and_index, source.path)

    def cancel(self) -> None:
        self._stopped = [event for event in self._stopped if not event.is_set()]
        for task in (self._task, self._search_task, self._errors_task):
            if task is not None:
                task.cancel()
                self._stopped.append(task.worker_let_go)
        self._task = self._search_task = self._errors_task = None
        self._no_search.set()

    def release(self) -> None:
        """Going away: the document is freed on the pool (see :func:`let_go`)."""
        self._let_go()

    def _let_go(self) -> None:
        doc, index = self._doc, self._index
        self._doc = self._index = None
        self.view.set_document(None)
        stopped = [event for event in self._stopped if not event.is_set()]
        self._stopped = []
        if doc is not None:
            run_in_pool(let_go, [doc, index], stopped, on_result=_ignore, on_error=_ignore)

    def document(self) -> TextDocument | None:
        return self._doc

    def dump_chunks(self) -> Iterator[str]:
        """The displayed lines (a line over the display limit is shown, and written, in
        pieces), each ending in a newline."""
        doc = self._doc
        if doc is None:
            return
        yield from document_lines(doc)

    def line_index(self) -> LineIndex | None:
        return self._index

    def error_offsets(self) -> np.ndarray | None:
        return self._errors

    @Slot(object)
    def _on_partial(self, message: object) -> None:
        assert isinstance(message, tuple)
        if message[0] == "note":
            self.noted.emit(message[1])
        elif message[0] == "doc":
            self._doc = message[1]
            self._doc.masker = self.masker()
            self._index = self._doc.new_index()
            self.view.set_document(self._doc, self._index)
            self._update_status()
            self.ready.emit()
        elif message[0] == "lines" and self._index is not None:
            self._index.add(message[1], message[2])
            self.view.index_changed()
            self._update_status()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self._progress_text = f"indexing {100 * done // total}%" if total else "indexing…"
        self._update_status()
        self.progress.emit(done, total)

    @Slot(object)
    def _on_indexed(self, _nothing: object) -> None:
        self._task = None
        self._progress_text = ""
        self._update_status()
        self.finished.emit()
        if self.levels and self._doc is not None:
            # After "finished": the line view is complete; error markers are extra.
            self._progress_text = "finding errors…"
            self._update_status()
            self._errors_task = run_in_pool(
                partial(self._doc.scan_errors, may_run=self._no_search),
                on_result=self._on_errors,
                on_error=self._on_errors_failed,
            )

    @Slot(object)
    def _on_errors(self, errors: object) -> None:
        assert isinstance(errors, np.ndarray)
        self._errors_task = None
        self._errors = errors
        self._progress_text = ""
        for button in (self.prev_error, self.next_error):
            button.setEnabled(errors.size > 0)
        self._update_status()
        self.errorsFound.emit(int(errors.size))

    @Slot(object)
    def _on_errors_failed(self, exc: BaseException) -> None:
        self._errors_task = None
        self._progress_text = f"error scan failed: {user_message(exc)}"
        self._update_status()

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.status.setText("Could not open the file.")
        self.failed.emit(user_message(exc))

    def _update_status(self) -> None:
        doc, index = self._doc, self._index
        if doc is None:
            return
        parts = [doc.encoding_label, human_size(doc.size)]
        if index is not None:
            lines = index.line_count()
            parts.insert(
                1,
                count(lines, "line")
                if lines is not None
                else f"~{count(index.estimated_lines(), 'line')}",
            )
        if self._errors is not None:
            parts.append(count(int(self._errors.size), "error marker"))
        if self._progress_text:
            parts.append(self._progress_text)
        self.status.setText(" · ".join(parts))

    # --- search --------------------------------------------------------------------------

    @Slot()
    def focus_find(self) -> None:
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    @Slot()
    def _on_query_edited(self) -> None:
        if self._search_task is not None:
            self._search_task.cancel()
            self._search_task = None
            self._no_search.set()
        self._hits = None
        self.hits_label.setText("")
        query = self.find_edit.text()
        self.view.set_highlight(query, self.case_box.isChecked() or query != query.lower())

    def start_search(self) -> None:
        query = self.find_edit.text()
        if self._doc is None or not query or self._search_task is not None:
            return
        self.hits_label.setText("Searching…")
        # Smart case: a capital letter in the query means the case matters.
        self._hits_case = self.case_box.isChecked() or query != query.lower()
        self._no_search.clear()
        self._search_task = run_in_pool(
            self._doc.search,
            query,
            self._hits_case,
            on_result=self._on_search_done,
            on_error=self._on_search_failed,
        )

    @Slot(object)
    def _on_search_done(self, result: object) -> None:
        assert isinstance(result, SearchResult)
        self._search_task = None
        self._no_search.set()
        self._hits = result
        if result.total == 0:
            self.hits_label.setText("No matches")
            return
        self.next_hit_()

    @Slot(object)
    def _on_search_failed(self, exc: BaseException) -> None:
        self._search_task = None
        self._no_search.set()
        self.hits_label.setText(user_message(exc))

    def search_result(self) -> SearchResult | None:
        return self._hits

    def _reference(self) -> int:
        current = self.view.current_offset()
        return current if current is not None else self.view.top_offset()

    def _jump(self, offset: int | None) -> None:
        if offset is not None:
            self.view.scroll_to(offset)

    @Slot()
    def next_hit_(self) -> None:
        if self._hits is None or self._hits.query != self.find_edit.text():
            self.start_search()
            return
        doc = self._doc
        current = self.view.current_offset()
        after = (
            self.view.top_offset() if current is None or doc is None else doc.line_at(current)[1]
        )
        self._jump_hit(_next(self._hits.offsets, after))

    @Slot()
    def previous_hit(self) -> None:
        if self._hits is None or self._hits.query != self.find_edit.text():
            self.start_search()
            return
        self._jump_hit(_previous(self._hits.offsets, self._reference()))

    def _jump_hit(self, offset: int | None) -> None:
        hits = self._hits
        if hits is None or offset is None:
            return
        self._jump(offset)
        self.view.reveal(offset, len(hits.query))
        position = int(np.searchsorted(hits.offsets, offset)) + 1
        more = "+" if hits.total > hits.offsets.size else ""
        self.hits_label.setText(f"{position:,} of {hits.offsets.size:,}{more}")

    # --- errors --------------------------------------------------------------------------

    @Slot()
    def next_error_(self) -> None:
        if self._errors is None or self._doc is None:
            return
        current = self.view.current_offset()
        after = self.view.top_offset() if current is None else self._doc.line_at(current)[1]
        self._jump(_next(self._errors, after))

    @Slot()
    def previous_error(self) -> None:
        if self._errors is not None:
            self._jump(_previous(self._errors, self._reference()))


class LogPreviewer(TextPreviewer):
    """A log: text view plus level colours and jumps between error lines (F8 / Shift+F8)."""

    kind = "log"
    title = "Log"
    levels = True
