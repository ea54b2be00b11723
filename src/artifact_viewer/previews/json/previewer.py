"""JSON previewer: lazy tree, search with next/previous, copy value/path.

The file's text is the "Raw text" view (coloured, with line numbers and search): one raw
view for JSON, not a second one here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt, QTimer, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.previews.base import Previewer, PreviewSource, loading_stack
from artifact_viewer.previews.fmt import count, human_size
from artifact_viewer.previews.json import lazy
from artifact_viewer.previews.json.lazymodel import LazyJsonTreeModel
from artifact_viewer.previews.json.model import FETCH_BATCH, JsonTreeModel
from artifact_viewer.previews.json.parse import (
    JsonDoc,
    JsonSyntaxError,
    LazyDoc,
    dismantle,
    is_jsonl_hint,
    open_json_file,
)
from artifact_viewer.previews.json.paths import (
    Path,
    dump_value,
    jq_path,
    json_path,
    leaves,
    search,
)
from artifact_viewer.previews.json.raw import JsonErrorPanel
from artifact_viewer.qt.buttons import tool_button
from artifact_viewer.qt.elided import ElidedLabel
from artifact_viewer.qt.worker import Task, run_in_pool

log = logging.getLogger(__name__)

_PAGE_LOADING, _PAGE_DOC, _PAGE_ERROR = range(3)
#: a search hit deeper than this many levels is shown in a subtree view
DEEP_VIEW = 32
#: hits this many rows down an array or object are shown in a subtree of their own
FAR_ROW = 5_000


#: documents from this size (bytes of JSON) are freed on the pool when the view goes away
_DISMANTLE_ABOVE = 8 << 20


def _dismantle(doc: JsonDoc, _progress: object, _cancel: object) -> int:
    return dismantle(doc.value)


def _ignore(_outcome: object) -> None:
    """Nothing to show: the view that held the document is gone."""


class JsonPreviewer(Previewer):
    """Tree of a JSON (or JSON Lines) document; a Raw tab shows the highlighted text."""

    kind = "json"
    title = "Tree"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc: JsonDoc | LazyDoc | None = None
        self._source: PreviewSource | None = None
        self._tasks: dict[str, Task] = {}
        self._hits: list[Path] = []
        self._hit = -1
        self._ready_sent = False
        self.error_text = ""
        self._problem = ""
        # the file's text shown under a syntax error (the view's content then)
        self._error_excerpt = ""
        # the parent whose rows a far jump grew (trimmed again on the way back)
        self._far_parent: QPersistentModelIndex | None = None

        # Long names and notes must not make the whole preview wider than its pane:
        # they end in an ellipsis, whole in the tooltip.
        self.info = ElidedLabel()
        self.info.setMinimumWidth(40)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search keys and values (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.prev_button = tool_button("▲", "Previous match (Shift+F3)")
        self.next_button = tool_button("▼", "Next match (F3)")
        self.hit_label = QLabel()
        self.search_box.setMinimumWidth(140)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        bar.addWidget(self.info, 1)
        bar.addWidget(self.search_box)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.hit_label)

        self.tree = QTreeView()
        self.tree.setUniformRowHeights(True)  # lets the view skip measuring every row
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.subtree_label = QLabel()
        whole = tool_button("Show whole document")
        whole.clicked.connect(self.show_whole_document)
        self.subtree_bar = QWidget()
        sub_layout = QHBoxLayout(self.subtree_bar)
        sub_layout.setContentsMargins(4, 0, 4, 0)
        sub_layout.addWidget(self.subtree_label, 1)
        sub_layout.addWidget(whole)
        self.subtree_bar.setVisible(False)
        # A lenient read ("not strict JSON: ...") is said here, in full, above the tree.
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setContentsMargins(6, 2, 6, 2)
        self.note.setVisible(False)
        self.page = _tab_page(self.subtree_bar, self.tree)

        self.error_panel = JsonErrorPanel()
        self.loading, self.stack = loading_stack(self.page, self.error_panel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addWidget(self.stack, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._start_search)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self.next_hit)
        self.next_button.clicked.connect(self.next_hit)
        self.prev_button.clicked.connect(self.previous_hit)
        self.add_action("Find", QKeySequence.StandardKey.Find, self._focus_search)
        self.add_action("Next match", QKeySequence.StandardKey.FindNext, self.next_hit)
        self.add_action("Previous match", QKeySequence.StandardKey.FindPrevious, self.previous_hit)
        self.copy_value_action = self.add_action(
            "Copy value", QKeySequence.StandardKey.Copy, self.copy_value, self.tree
        )
        self.copy_path_action = self.add_action(
            "Copy path", QKeySequence("Ctrl+Shift+C"), self.copy_path, self.tree
        )
        self.copy_jq_action = self.add_action("Copy jq path", None, self.copy_jq_path, self.tree)
        self._set_search_enabled(False)

    # --- loading -------------------------------------------------------------------------
    def load(self, source: PreviewSource) -> None:
        self.cancel()
        self._source = source
        self._doc = None
        self._ready_sent = False
        self.error_text = self._problem = self._error_excerpt = ""
        self._hits, self._hit = [], -1
        self._far_parent = None
        self._set_view_root(QModelIndex())
        self.tree.setModel(None)
        self.note.setVisible(False)
        self.info.setText(source.name or source.path.name)
        self.stack.setCurrentIndex(_PAGE_LOADING)
        self._set_search_enabled(False)
        hint = is_jsonl_hint(source.suffix, source.mime)
        self._tasks["parse"] = run_in_pool(
            open_json_file,
            source.path,
            hint,
            on_result=self._parsed,
            on_error=self._parse_failed,
            on_progress=self.progress.emit,
            on_partial=self._parsed_early,
        )

    def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
        self._search_timer.stop()

    def release(self) -> None:
        """Going away: a big document is emptied on the pool (see ``dismantle``), so the
        window does not freeze while millions of values are freed."""
        doc, self._doc = self._doc, None
        if isinstance(doc, JsonDoc) and doc.size >= _DISMANTLE_ABOVE:
            run_in_pool(_dismantle, doc, on_result=_ignore, on_error=_ignore)

    @Slot(object)
    def _parsed_early(self, doc: JsonDoc | LazyDoc) -> None:
        self._show(doc)

    @Slot(object)
    def _parsed(self, doc: JsonDoc | LazyDoc) -> None:
        self._tasks.pop("parse", None)
        model = self.tree.model()
        if (
            isinstance(doc, LazyDoc)
            and isinstance(self._doc, LazyDoc)
            and isinstance(model, LazyJsonTreeModel)
        ):
            # The first screen showed the part indexed first: the same tree, now whole.
            self._doc = doc
            model.extend(doc.index, doc.root_edges)
            self.info.setText(self._info_text(doc))
            if self.search_box.text():
                self._start_search()
        elif doc is not self._doc:
            self._show(doc)
        self.finished.emit()

    def _show(self, doc: JsonDoc | LazyDoc) -> None:
        self._doc = doc
        model: JsonTreeModel | LazyJsonTreeModel
        if isinstance(doc, LazyDoc):
            source = doc.tree if doc.tree is not None else doc.index
            doc.tree = None  # the model owns it now (the GUI thread's)
            model = LazyJsonTreeModel(source, self, masker=self.masker())
        else:
            model = JsonTreeModel(doc.value, self, masker=self.masker())
        old = self.tree.model()
        self.subtree_bar.setVisible(False)
        self.tree.setModel(model)
        if old is not None:
            old.deleteLater()
        header = self.tree.header()
        # No ResizeToContents: it measures every loaded row on each change.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 260)
        header.resizeSection(1, self.fontMetrics().horizontalAdvance("boolean") + 24)
        root = model.root_index()
        if model.canFetchMore(root):  # the view fetches on expand only once laid out
            model.fetchMore(root)
        self.tree.expand(root)
        self.tree.setCurrentIndex(root)
        self.info.setText(self._info_text(doc))
        strict = self.problem()
        self.note.setText(strict)
        self.note.setVisible(bool(strict))
        self.stack.setCurrentIndex(_PAGE_DOC)
        self._set_search_enabled(True)
        if self.search_box.text():
            self._start_search()
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()

    def _info_text(self, doc: JsonDoc | LazyDoc) -> str:
        name = self._source.name or self._source.path.name if self._source else ""
        if isinstance(doc, LazyDoc):
            model = self.tree.model()
            n = (
                model.member_count(model.root_index())
                if isinstance(model, LazyJsonTreeModel)
                else 0
            )
            root = lazy.root_member(doc.index)
            more = "" if doc.complete else "+ (reading…)"
            what = ("key", "item") if root.kind == lazy.OBJECT else ("item", "item")
            shape = f"{root.kind}, {count(n, what[0])}{more}"
            parts = [name, shape, human_size(doc.size), *doc.notes]
            return " · ".join(p for p in parts if p)
        value = doc.value
        if doc.lines:
            shape = f"JSON Lines, {count(len(value), 'record')}"
        elif isinstance(value, dict):
            shape = f"object, {count(len(value), 'key')}"
        elif isinstance(value, list):
            shape = f"array, {count(len(value), 'item')}"
        else:
            shape = "single value"
        parts = [name, shape, human_size(doc.size), *doc.notes]
        return " · ".join(p for p in parts if p)

    @Slot(object)
    def _parse_failed(self, exc: BaseException) -> None:
        self._tasks.pop("parse", None)
        self.stack.setCurrentIndex(_PAGE_ERROR)
        if isinstance(exc, JsonSyntaxError):
            where = f"Line {exc.line}, column {exc.column} (character {exc.pos})."
            if exc.first_line > 1:
                where += f" The text below starts at line {exc.first_line}."
            self.error_panel.show_error(exc.message, where, exc.text, exc.text_pos)
            message = exc.message
        else:
            message = exc.user_message() if isinstance(exc, PreviewError) else user_message(exc)
            self.error_panel.show_error(message)
        self.error_text = message
        self.info.setText(self._source.name or self._source.path.name if self._source else "")
        if isinstance(exc, JsonSyntaxError) and exc.pos > 0:
            # Broken somewhere inside: the message, the position and the raw text there are
            # the most useful view of the file, so this panel is the content.
            self._problem = exc.message
            self._error_excerpt = exc.text
            self.ready.emit()
            self.finished.emit()
        else:
            self.failed.emit(message)

    def problem(self) -> str:
        """A syntax error shown over the text, or a lenient read ("not strict JSON")."""
        if self._problem:
            return self._problem
        if self._doc is not None:
            return "; ".join(n for n in self._doc.notes if n.lower().startswith("not strict"))
        return ""

    def dump_chunks(self) -> Iterator[str]:
        """``path<TAB>literal`` per leaf in document order (paths as Copy path gives them);
        for a file shown as text under its syntax error, that text."""
        if self._doc is None:
            if self._error_excerpt:
                masker = self.masker()
                if masker is not None:
                    yield masker.mask_text(self._error_excerpt) + "\n"
                    return
                yield (
                    self._error_excerpt
                    if self._error_excerpt.endswith("\n")
                    else (self._error_excerpt + "\n")
                )
            return
        batch: list[str] = []
        masker = self.masker()
        doc = self._doc
        every = lazy.leaves(doc.index) if isinstance(doc, LazyDoc) else leaves(doc.value)
        for path, text, key in every:
            if masker is not None:  # the redacted view: values masked as the tree shows them
                text = masker.mask_cell(key, text)
            batch.append(f"{path}\t{text}\n")
            if len(batch) >= 4096:
                yield "".join(batch)
                batch = []
        if batch:
            yield "".join(batch)

    # --- search -------------------------------------------------------------------------
    def _set_search_enabled(self, on: bool) -> None:
        for w in (self.search_box, self.prev_button, self.next_button):
            w.setEnabled(on)

    @Slot()
    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    @Slot()
    def _start_search(self) -> None:
        self._search_timer.stop()
        old = self._tasks.pop("search", None)
        if old is not None:
            old.cancel()
        query = self.search_box.text()
        self._hits, self._hit = [], -1
        if not query or self._doc is None:
            self.hit_label.setText("")
            return
        self.hit_label.setText("searching…")
        doc = self._doc
        self._tasks["search"] = run_in_pool(
            _search_lazy_task if isinstance(doc, LazyDoc) else _search_task,
            doc.index if isinstance(doc, LazyDoc) else doc.value,
            query,
            on_result=self._search_done,
            on_error=self._search_failed,
        )

    @Slot(object)
    def _search_done(self, hits: list[Path]) -> None:
        self._tasks.pop("search", None)
        self._hits = hits
        self._hit = -1
        if hits:
            self.next_hit()
        else:
            self.hit_label.setText("no matches")

    @Slot(object)
    def _search_failed(self, exc: BaseException) -> None:
        self._tasks.pop("search", None)
        self.hit_label.setText("search failed")
        log.warning("JSON search failed: %s", user_message(exc))

    @property
    def hits(self) -> list[Path]:
        return list(self._hits)

    @Slot()
    def next_hit(self) -> None:
        self._step(+1)

    @Slot()
    def previous_hit(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self._search_timer.isActive() or "search" in self._tasks:
            if self._search_timer.isActive():
                self._start_search()
            return
        if not self._hits:
            return
        self._hit = (self._hit + delta) % len(self._hits)
        self.select_path(self._hits[self._hit])
        more = "+" if len(self._hits) >= 10_000 else ""
        self.hit_label.setText(f"{self._hit + 1} / {len(self._hits)}{more}")

    def select_path(self, path: Path) -> bool:
        """Expand down to ``path``, select it and scroll it into view."""
        model = self.tree.model()
        if not isinstance(model, JsonTreeModel | LazyJsonTreeModel):
            return False
        index = model.index_for_path(path)
        if not index.isValid():
            return False
        parent = index.parent()
        chain: list[QModelIndex] = []
        while parent.isValid():
            chain.append(parent)
            parent = parent.parent()
        # Expanding thousands of nested levels costs the view quadratic time: deep hits
        # are shown inside their nearest ancestors, as a subtree with its own root.
        far = self._far_member(index, chain)
        if len(chain) > DEEP_VIEW:
            self._set_view_root(chain[DEEP_VIEW - 1])
            chain = chain[: DEEP_VIEW - 1]
        elif far is not None:
            # Laying out every row before a hit far down a huge array stalls the window
            # (each row is a call into Python): the member holding it becomes the root.
            self._set_view_root(far)
            self._far_parent = QPersistentModelIndex(far.parent())
            chain = chain[: chain.index(far)] if far in chain else []
        elif self.tree.rootIndex().isValid():
            self._set_view_root(QModelIndex())  # laid out lazily, after the trim below
            self._trim_far_rows(model, [index, *chain])
        for ancestor in reversed(chain):
            self.tree.expand(ancestor)
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _trim_far_rows(
        self, model: JsonTreeModel | LazyJsonTreeModel, chain: list[QModelIndex]
    ) -> None:
        """Back in the whole document: drop the rows a far hit had added, keeping those the
        new selection needs, so the view does not lay them all out."""
        parent, self._far_parent = self._far_parent, None
        if parent is None or not parent.isValid():
            return
        keep = FETCH_BATCH
        for ancestor in chain:
            # PySide6's stubs lack QModelIndex(QPersistentModelIndex), which the binding has.
            if ancestor.parent() == QModelIndex(parent):  # type: ignore[call-overload]
                keep = max(keep, (ancestor.row() // FETCH_BATCH + 1) * FETCH_BATCH)
        model.trim(QModelIndex(parent), keep)  # type: ignore[call-overload]  # as above

    @staticmethod
    def _far_member(index: QModelIndex, chain: list[QModelIndex]) -> QModelIndex | None:
        """The outermost container on the way to ``index`` (itself included) that sits
        FAR_ROW or more rows down its parent; None when every step is near the top."""
        for node in [*reversed(chain), index]:
            if node.row() >= FAR_ROW and node.model().hasChildren(node):
                return node
        return None

    def _set_view_root(self, index: QModelIndex) -> None:
        model = self.tree.model()
        self.tree.setRootIndex(index)
        if index.isValid() and isinstance(model, JsonTreeModel | LazyJsonTreeModel):
            self.subtree_label.setText(f"Showing the subtree at {json_path(model.path_of(index))}")
            self.subtree_bar.setVisible(True)
        else:
            self.subtree_bar.setVisible(False)

    @Slot()
    def show_whole_document(self) -> None:
        self._set_view_root(QModelIndex())
        current = self.tree.currentIndex()
        if current.isValid():
            self.tree.scrollTo(current)

    # --- copy ---------------------------------------------------------------------------
    def _current(self) -> QModelIndex:
        return self.tree.currentIndex()

    @Slot()
    def copy_value(self) -> None:
        model = self.tree.model()
        index = self._current()
        if isinstance(model, LazyJsonTreeModel) and index.isValid():
            # The value's text as the file has it, read off the GUI thread when big.
            start, end = model.span_of(index)
            if end - start > 1 << 16:
                self._tasks["copy"] = run_in_pool(
                    _read_text_task,
                    model.file_index,
                    start,
                    end,
                    on_result=self._copy_ready,
                    on_error=self._copy_failed,
                )
            else:
                self._copy_ready(_read_text_task(model.file_index, start, end, None, None))
            return
        if not isinstance(model, JsonTreeModel) or not index.isValid():
            return
        value = model.value_of(index)
        if isinstance(value, dict | list) and len(value) > 256:
            # Big subtrees are serialised off the GUI thread.
            self._tasks["copy"] = run_in_pool(
                _dump_task, value, on_result=self._copy_ready, on_error=self._copy_failed
            )
        else:
            self._copy_ready(_dump_task(value, None, None))

    @Slot(object)
    def _copy_ready(self, text: str) -> None:
        self._tasks.pop("copy", None)
        masker = self.masker()
        if masker is not None:
            text = masker.mask_text(text)
        QGuiApplication.clipboard().setText(text)

    @Slot(object)
    def _copy_failed(self, exc: BaseException) -> None:
        self._tasks.pop("copy", None)
        self.info.setText(f"Could not copy: {user_message(exc)}")

    @Slot()
    def copy_path(self) -> None:
        self._copy_path_as(json_path)

    @Slot()
    def copy_jq_path(self) -> None:
        self._copy_path_as(jq_path)

    def _copy_path_as(self, fmt: Any) -> None:
        model = self.tree.model()
        index = self._current()
        if isinstance(model, JsonTreeModel | LazyJsonTreeModel) and index.isValid():
            QGuiApplication.clipboard().setText(fmt(model.path_of(index)))

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if not index.isValid():
            return
        self.tree.setCurrentIndex(index)
        menu = QMenu(self)
        menu.addAction(self.copy_value_action)
        menu.addAction(self.copy_path_action)
        menu.addAction(self.copy_jq_action)
        menu.popup(self.tree.viewport().mapToGlobal(pos))


def _tab_page(note: QWidget, view: QWidget) -> QWidget:
    """A tab: a (usually hidden) note line above the view, which takes all the height."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(note)
    layout.addWidget(view, 1)
    return page


def _dump_task(value: Any, progress: Any, cancel: Any) -> str:
    try:
        return dump_value(value)
    except RecursionError:
        raise PreviewError("This value is nested too deeply to copy as JSON text.") from None


def _search_task(value: Any, query: str, progress: Any, cancel: Any) -> list[Path]:
    return search(value, query, cancel, progress)


def _search_lazy_task(index: lazy.JsonIndex, query: str, progress: Any, cancel: Any) -> list[Path]:
    return lazy.search(index, query, cancel, progress)


def _read_text_task(index: lazy.JsonIndex, start: int, end: int, _p: Any, _c: Any) -> str:
    return index.read(start, end).decode("utf-8", "replace")
