"""The Search contents pane: the query box, what the search found or why it did not run,
and the hits grouped by run. Emits ``hitActivated(object)`` (a Hit) on Enter/double-click."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTreeView, QVBoxLayout, QWidget

from artifact_viewer.ui.search.results import (
    HIT_ROLE,
    SnippetDelegate,
    append_hits,
    results_model,
)

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker
    from artifact_viewer.core.search.finder import Hit, SearchResult


class SearchPane(QWidget):
    """Signals: ``queryChanged(str)`` as the box changes; ``hitActivated(object)``."""

    queryChanged = Signal(str)
    hitActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPane")
        self.masks_values = True  # snippets are masked in the redacted view, never covered
        self.masker: Masker | None = None  # set by the feature while the view is on
        self._last: tuple[SearchResult, int] | None = None  # what is listed
        self.box = QLineEdit()
        self.box.setObjectName("contentSearchBox")
        self.box.setPlaceholderText(
            'Search inside cached artifacts: words, "a phrase", -exclude, type: run: status:'
        )
        self.box.setClearButtonEnabled(True)
        self._shown = 0  # hits listed
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.model = QStandardItemModel(self)
        self.view = QTreeView()
        self.view.setObjectName("searchResults")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setItemDelegateForColumn(2, SnippetDelegate(self.view))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.box)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        self.box.textChanged.connect(self.queryChanged)
        self.box.returnPressed.connect(self._first_hit)
        self.view.activated.connect(self._activated)

    def set_masker(self, masker: Masker | None) -> None:
        """Mask the snippets (the redacted view) or not; the results listed are redrawn."""
        self.masker = masker
        if self._last is not None:
            self.show_result(*self._last)

    def show_result(self, result: SearchResult, pending: int) -> None:
        self._last = (result, pending)
        results_model(result.hits, self.model, self.masker)
        self._shown = len(result.hits)
        self.view.expandAll()
        header = self.view.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self._say(result, pending)

    def extend_result(self, result: SearchResult, pending: int) -> None:
        """The same query with more hits: those not listed yet are added below (what is
        selected or scrolled to stays)."""
        if result.hits[: self._shown] != self.hits():  # the index changed in between
            self.show_result(result, pending)
            return
        more = result.hits[self._shown :]
        self._last = (result, pending)
        append_hits(more, self.model, self.masker)
        self._shown = len(result.hits)
        for row in range(self.model.rowCount()):
            self.view.expand(self.model.index(row, 0))
        self._say(result, pending)

    def _say(self, result: SearchResult, pending: int) -> None:
        count = len(result.hits)
        parts = [f"{count}{'' if result.complete else '+'} match{'es' if count != 1 else ''}"]
        if pending:
            parts.append(f"{pending} cached file(s) still being indexed")
        parts += result.notes
        self.show_status(" · ".join(parts))

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def clear_results(self, text: str = "") -> None:
        self._last = None
        self.model.clear()
        self._shown = 0
        self.show_status(text)

    def hits(self) -> list[Hit]:
        """The hits listed, in order (for tests and keyboard users)."""
        from artifact_viewer.core.search.finder import Hit

        out: list[Hit] = []
        for r in range(self.model.rowCount()):
            parent = self.model.item(r, 0)
            for c in range(parent.rowCount()):
                hit = parent.child(c, 0).data(HIT_ROLE)
                if isinstance(hit, Hit):
                    out.append(hit)
        return out

    @Slot()
    def _first_hit(self) -> None:
        """Enter in the box moves to the first hit (Enter there opens it)."""
        if self.model.rowCount() and self.model.item(0, 0).rowCount():
            first = self.model.index(0, 0, self.model.index(0, 0))
            self.view.setCurrentIndex(first)
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        from artifact_viewer.core.search.finder import Hit

        hit = index.data(HIT_ROLE)
        if isinstance(hit, Hit):
            self.hitActivated.emit(hit)
