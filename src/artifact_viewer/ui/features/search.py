"""Content search in the window: a pane (Ctrl+Shift+F) whose results follow the query as
it is typed, and Enter on a hit opens the artifact there (cell, node, line, page).

The index is kept in step with the cache by a background :class:`Indexer` listening to the
library's blob events. Queries run on the window's pool, debounced; a result that arrives
after a newer query was started is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence

from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.ui.extensions import WindowSlots
from artifact_viewer.ui.search.pane import SearchPane

if TYPE_CHECKING:  # the window paints before the library (and httpx) is imported
    from artifact_viewer.core.library import Library

    # The search engine (and SQLCipher's binding) is imported when a library opens.
    from artifact_viewer.core.search import Indexer, SearchIndex, SearchQuery
    from artifact_viewer.core.search.finder import Hit, SearchResult

DEBOUNCE_MS = 100  # after the last key: the first results paint within ~150 ms
#: "Searching…" is said when an answer takes longer than this (not for every key)
SEARCHING_NOTE_MS = 250
#: the first answer: more than a screenful, found and listed fast; then up to LIMIT
FIRST_LIMIT = 50
LIMIT = 200


@dataclass(frozen=True, slots=True)
class Searcher:
    library: Library
    index: SearchIndex
    indexer: Indexer


def open_searcher(library: Library, _progress: ProgressFn, _cancel: object) -> Searcher:
    """The library's index and its indexer, not started yet (runs on the pool: opening
    checks the file; the GUI thread starts the indexer if the window still wants it)."""
    from artifact_viewer.core.search import Indexer, SearchIndex
    from artifact_viewer.core.search.index import INDEX_FILE

    index = SearchIndex(
        library.catalog.path.with_name(INDEX_FILE), library.catalog.path, app_paths()
    )
    return Searcher(library, index, Indexer(index, library.blobs))


def run_search(
    searcher: Searcher,
    query: SearchQuery,
    seq: int,
    limit: int,
    _progress: ProgressFn,
    cancel: Any,
) -> tuple[int, SearchResult, int, int]:
    from artifact_viewer.core.search.finder import search

    result = search(searcher.index, query, limit=limit, cancel=cancel)
    # How many files wait is said with the last answer (the first one must be quick).
    last = result.complete or limit >= LIMIT
    return seq, result, searcher.indexer.pending() if last else 0, limit


def find_artifact(library: Library, hit: Hit, _progress: ProgressFn, _cancel: object) -> Any:
    return hit, library.artifact(hit.artifact_id)


def _reveal_hit(previewer: Any, hit: Hit) -> bool:
    """Move ``previewer`` to ``hit``, its first matched words highlighted where it can."""
    from artifact_viewer.ui.search.reveal import reveal

    match = hit.snippet[hit.marks[0][0] : hit.marks[0][1]] if hit.marks else ""
    return reveal(previewer, hit.location, match)


def close_searcher(searcher: Searcher) -> None:
    searcher.library.blob_events.unsubscribe(searcher.indexer)
    searcher.indexer.stop(timeout=2.0)
    searcher.index.close()


class SearchFeature(QObject):
    """Installs the Search contents pane and its Ctrl+Shift+F action."""

    def __init__(self) -> None:
        super().__init__()
        self.slots: WindowSlots | None = None
        self.searcher: Searcher | None = None
        self._seq = 0
        self._query: SearchQuery | None = None
        # (the hit, its file went to the preview) while a hit is opening
        self._pending_reveal: tuple[Hit, bool] | None = None
        self._retry: tuple[Any, Hit] | None = None
        self._closed = False

    def install(self, slots: WindowSlots) -> None:
        self.slots = slots
        self.pane = SearchPane()
        redaction = slots.redaction()
        self.pane.set_masker(redaction.active_masker())
        redaction.changed.connect(lambda _on: self.pane.set_masker(redaction.active_masker()))
        self.dock = slots.add_pane(
            "search", "Search contents", self.pane, area=Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.action = QAction("Find in &Contents…", slots.window)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(self.focus_box)
        slots.menu("&Edit").addAction(self.action)
        slots.window.addAction(self.action)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse one may fire 5 ms late
        self.timer.timeout.connect(self.start_search)
        self._searching = QTimer(self)
        self._searching.setSingleShot(True)
        self._searching.setInterval(SEARCHING_NOTE_MS)
        self._searching.timeout.connect(lambda: self.pane.show_status("Searching…"))
        self.pane.queryChanged.connect(lambda _text: self.timer.start())
        self.pane.hitActivated.connect(self.open_hit)
        slots.events.libraryChanged.connect(self._on_library)
        slots.events.shuttingDown.connect(self._on_shutting_down)
        slots.preview_host().loadingChanged.connect(self._on_preview_loading)
        slots.preview_shown().connect(self._on_preview_shown)
        slots.window.installEventFilter(self)  # closing the window stops the indexer
        slots.set_content_matcher(self.content_ids)  # the filter box's text: terms
        library = slots.services.library()
        if library is not None:
            self._on_library(library)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close:
            self._closed = True
            self._shutdown()
        return False

    @Slot()
    def _on_shutting_down(self) -> None:
        self._closed = True
        if self.slots is not None:
            self.slots.window.removeEventFilter(self)
        self._shutdown()

    @Slot()
    def focus_box(self) -> None:
        self.dock.show()
        self.dock.raise_()
        self.pane.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.pane.box.selectAll()

    # -- the library's index ---------------------------------------------------------------

    @Slot(object)
    def _on_library(self, library: object) -> None:
        from artifact_viewer.core.library import Library

        self._shutdown()
        self.pane.clear_results("")
        if not isinstance(library, Library) or self.slots is None:
            return
        self.slots.services.ops.run(
            open_searcher, library, on_result=self._on_opened, on_error=self._on_error
        )

    @Slot(object)
    def _on_opened(self, searcher: Searcher) -> None:
        current = self.slots.services.library() if self.slots is not None else None
        if self._closed or current is not searcher.library:
            close_searcher(searcher)  # the window closed or moved on to another library
            return
        self._shutdown()  # one searcher at a time, however often the library was announced
        searcher.library.blob_events.subscribe(searcher.indexer)
        searcher.indexer.start()
        self.searcher = searcher
        if self.slots is not None:
            self.slots.set_content_matcher(self.content_ids)  # a text: filter is applied again
        if searcher.index.rebuilt:
            self.pane.show_status(searcher.index.rebuilt)
        if self.pane.box.text().strip():
            self.start_search()

    @Slot()
    def _shutdown(self) -> None:
        searcher, self.searcher = self.searcher, None
        if searcher is not None:
            close_searcher(searcher)

    # -- the filter box's text: terms ----------------------------------------------------------

    def content_ids(self, words: tuple[str, ...], _progress: Any, cancel: Any) -> frozenset[str]:
        """The artifacts whose cached file holds every word (runs on the pool)."""
        searcher = self.searcher
        if searcher is None:
            raise CacheError(
                "The search index is not open yet: text: terms match nothing until it is."
            )
        from artifact_viewer.core.search.finder import artifacts_with_content

        ids, _complete = artifacts_with_content(searcher.index, words, cancel)
        return ids

    # -- searching ---------------------------------------------------------------------------

    @Slot()
    def start_search(self) -> None:
        from artifact_viewer.core.search import QueryError, parse_query

        text = self.pane.box.text().strip()
        self._seq += 1
        self._searching.stop()
        if not text:
            self.pane.clear_results("")
            return
        try:
            query = parse_query(text)
            query.fts_expression()
        except QueryError as exc:
            self.pane.clear_results(exc.user_message())
            return
        if self.searcher is None or self.slots is None:
            self.pane.show_status("The search index is opening…")
            return
        self._searching.start()  # "Searching…" only if the answer takes a while
        self._query = query
        self._run(query, FIRST_LIMIT)

    def _run(self, query: SearchQuery, limit: int) -> None:
        if self.searcher is None or self.slots is None:
            return
        self.slots.services.ops.run(
            run_search,
            self.searcher,
            query,
            self._seq,
            limit,
            on_result=self._on_result,
            on_error=self._on_error,
        )

    @Slot(object)
    def _on_result(self, outcome: tuple[int, SearchResult, int, int]) -> None:
        seq, result, pending, limit = outcome
        if seq != self._seq:
            return  # an older query: a newer one is on its way
        self._searching.stop()
        if limit < LIMIT:  # the first screenful: shown now, the rest asked for
            self.pane.show_result(result, pending)
            if not result.complete and self._query is not None:
                self._run(self._query, LIMIT)
        else:
            self.pane.extend_result(result, pending)

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._searching.stop()
        message = getattr(exc, "user_message", None)
        self.pane.show_status(message() if callable(message) else f"Search failed: {exc}")

    # -- opening a hit -----------------------------------------------------------------------

    @Slot(object)
    def open_hit(self, hit: Hit) -> None:
        if self.searcher is None or self.slots is None:
            return
        self.slots.services.ops.run(
            find_artifact,
            self.searcher.library,
            hit,
            on_result=self._on_artifact,
            on_error=self._on_error,
        )

    @Slot(object)
    def _on_artifact(self, found: tuple[Hit, Any]) -> None:
        hit, artifact = found
        if artifact is None or self.slots is None:
            self.pane.show_status(f"{hit.display_name} is no longer in the catalog.")
            return
        self._pending_reveal = (hit, False)
        if self.slots.open_artifact(artifact):  # showing already: move there now
            self._pending_reveal = (hit, True)
            self._on_preview_loading(self.slots.preview_host().is_loading())

    @Slot(str)
    def _on_preview_shown(self, artifact_id: str) -> None:
        pending = self._pending_reveal
        if pending is not None and pending[0].artifact_id == artifact_id:
            self._pending_reveal = (pending[0], True)

    @Slot(bool)
    def _on_preview_loading(self, loading: bool) -> None:
        pending = self._pending_reveal
        if loading or pending is None or not pending[1] or self.slots is None:
            return
        self._pending_reveal = None
        previewer = self.slots.preview_host().previewer()
        if _reveal_hit(previewer, pending[0]):
            return
        finished = getattr(previewer, "finished", None)
        if finished is not None and getattr(previewer, "complete", True) is False:
            # A table streams its rows after the first screen: try again once all are in.
            self._retry = (previewer, pending[0])
            finished.connect(self._reveal_when_finished)
            return
        self.pane.show_status("Opened; this view cannot show the exact place of the match.")

    @Slot()
    def _reveal_when_finished(self) -> None:
        retry, self._retry = self._retry, None
        if retry is None:
            return
        previewer, hit = retry
        previewer.finished.disconnect(self._reveal_when_finished)
        if not _reveal_hit(previewer, hit):
            self.pane.show_status("Opened; this view cannot show the exact place of the match.")
