"""Keeps the navigator and the artifact list fed from the library, off the GUI thread.

The catalog answers first (so everything works offline); when the API is reachable the
scope is refreshed in the background and the list re-read when that lands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, NetworkError, user_message
from artifact_viewer.core.models import WORKFLOW_RUN_STATUSES
from artifact_viewer.core.store_models import ArtifactQuery, CacheState
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.controllers.ops import Ops
from artifact_viewer.ui.messages import MessageBridge
from artifact_viewer.ui.models.artifact_table_model import PAGE_SIZE
from artifact_viewer.ui.models.filter_spec import FilterSpec
from artifact_viewer.ui.models.navigator_model import (
    ALL,
    OFFLINE,
    RUN,
    WORKFLOW,
    TreeData,
    Visibility,
    filter_visibility,
)
from artifact_viewer.ui.panes.artifact_list import ArtifactList
from artifact_viewer.ui.panes.navigator import Navigator

if TYPE_CHECKING:
    from artifact_viewer.core.catalog.listing import ListedRun
    from artifact_viewer.core.catalog.notes import ImportMark
    from artifact_viewer.core.library import Library
    from artifact_viewer.qt.worker import Progress

log = logging.getLogger(__name__)

# Runs in these states produce no artifacts until their status changes (which a refresh
# notices): once listed, they need no new listing. Any other status may be adding files.
_QUIET = frozenset({"PENDING", "COMPLETED", "FAILED", "COMPLETED_WITH_NO_ACTION_TAKEN"})


@dataclass(frozen=True, slots=True)
class Page:
    generation: int
    offset: int
    total: int
    rows: list[Any]
    states: dict[str, CacheState]
    noted: frozenset[str] = frozenset()  # artifacts with a note


# -- work functions (run on the pool; they only touch the library) -------------------------
@dataclass(frozen=True, slots=True)
class FilterRuns:
    spec: FilterSpec
    run_ids: set[str]
    tree: TreeData | None = None  # the navigator snapshot ``visible`` was worked out for
    visible: Visibility | None = None


@dataclass(frozen=True, slots=True)
class ContentIds:
    """The artifacts whose cached file holds every one of ``words`` (the ``text:`` terms)."""

    words: tuple[str, ...]
    ids: frozenset[str]
    note: str = ""  # why none could be found (words too short, no index)


def content_matching(
    matcher: Callable[[tuple[str, ...], Progress, CancelToken], frozenset[str]],
    words: tuple[str, ...],
    progress: Progress,
    cancel: CancelToken,
) -> ContentIds:
    try:
        return ContentIds(words, frozenset(matcher(words, progress, cancel)))
    except ArtifactViewerError as exc:  # e.g. a word too short for the index
        return ContentIds(words, frozenset(), user_message(exc))


def runs_matching(
    library: Library,
    spec: FilterSpec,
    query: ArtifactQuery,
    tree: TreeData | None,
    _p: Progress,
    _c: CancelToken,
) -> FilterRuns:
    """The runs holding a match, and what the navigator keeps of ``tree`` (its snapshot):
    both worked out here, so the GUI thread only swaps the answer in."""
    run_ids = library.run_ids_matching(query)
    visible = filter_visibility(tree, spec, run_ids) if tree is not None else None
    return FilterRuns(spec, run_ids, tree, visible)


class TreeSource(Protocol):
    """What the navigator's tree is read from once a library is open."""

    def workflows(self) -> list[Any]: ...
    def runs(self) -> list[Any]: ...
    def offline_runs(self) -> list[Any]: ...
    def is_pinned(self, run_id: str) -> bool: ...
    def import_marks(self) -> dict[str, ImportMark]: ...


def load_tree(library: TreeSource, _progress: Progress, _cancel: CancelToken) -> TreeData:
    offline = list(library.offline_runs())
    pinned = {r.id for r in offline if library.is_pinned(r.id)}
    return _tree_data(
        list(library.workflows()),
        library.runs(),
        offline,
        pinned,
        _imported_runs(library.import_marks()),
    )


def _tree_data(
    workflows: list[Any],
    all_runs: Iterable[ListedRun],
    offline: list[ListedRun],
    pinned: set[str],
    imported: dict[str, str],
) -> TreeData:
    """The snapshot: runs grouped under their workflow, newest first (the navigator's first
    order, so it does not sort them again), with each workflow's failed runs counted."""
    runs: dict[str, list[ListedRun]] = {}
    failed: dict[str, int] = {}
    for run in all_runs:
        wf_id = run.workflow_id or ""
        group = runs.get(wf_id)
        if group is None:
            group = runs[wf_id] = []
            failed[wf_id] = 0
        group.append(run)
        if run.status == "FAILED":
            failed[wf_id] += 1
    for items in runs.values():
        items.sort(key=_started, reverse=True)
    return TreeData(workflows, runs, offline, pinned, imported, failed, newest_first=True)


def _started(run: ListedRun) -> float:
    return run.created_timestamp


def load_cached_tree(
    catalog_path: Path, progress: Progress, cancel: CancelToken
) -> TreeData | None:
    """The navigator's tree read from the catalog file alone: what start-up lists before
    the library (and with it the HTTP stack and the keyring) is opened. None when there is
    no catalog yet. Runs are read as the rows show them (:class:`RunRow`, straight from the
    catalog's columns), not decoded whole: the tree is the one :func:`load_tree` gives."""
    if not catalog_path.is_file():
        return None
    from artifact_viewer.core.catalog import Catalog

    catalog = Catalog(catalog_path)
    try:
        listing = catalog.run_listing()
        return _tree_data(
            catalog.workflows(),
            listing.runs,
            list(listing.offline),
            listing.pinned,
            _imported_runs(catalog.import_marks("workflow_runs")),
        )
    finally:
        catalog.close()


def _imported_runs(marks: dict[str, ImportMark]) -> dict[str, str]:
    """Run id -> a line saying which bundle it came from (runs imported from a bundle)."""
    return {
        run_id: f"Imported from {m.source}"
        + (f" (exported {m.exported_at})" if m.exported_at else "")
        for run_id, m in marks.items()
    }


def _noted(library: Library, artifact_ids: list[str]) -> frozenset[str]:
    """The artifacts among ``artifact_ids`` that have a note."""
    return library.noted_artifacts(artifact_ids)


def load_page(
    library: Library,
    query: ArtifactQuery,
    generation: int,
    first: bool,
    _p: Progress,
    _c: CancelToken,
) -> Page:
    rows = list(library.artifacts(query))
    total = -1
    if first:
        short = query.limit is not None and len(rows) < query.limit and not query.offset
        # A first page that is not full holds every match: no second pass to count them.
        total = len(rows) if short else library.count_artifacts(replace(query, limit=None))
    states = library.cache_states([a.id for a in rows]) if rows else {}
    noted = _noted(library, [a.id for a in rows])
    return Page(generation, query.offset, total, rows, dict(states), noted)


class _EarlyRead:
    """A cached-tree read started before anyone asked for it: its answer waits for
    :meth:`deliver` (or is handed on at once if that came first)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._outcome: tuple[bool, Any] | None = None
        self._handlers: tuple[Callable[[Any], None], Callable[[BaseException], None]] | None = None

    def done(self, data: TreeData | None) -> None:
        self._settle(True, data)

    def failed(self, exc: BaseException) -> None:
        self._settle(False, exc)

    def _settle(self, ok: bool, value: Any) -> None:
        self._outcome = (ok, value)
        self._hand_on()

    def deliver(
        self, on_result: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        self._handlers = (on_result, on_error)
        self._hand_on()

    def _hand_on(self) -> None:
        if self._outcome is None or self._handlers is None:
            return
        (ok, value), (on_result, on_error) = self._outcome, self._handlers
        self._outcome = self._handlers = None
        if ok:
            on_result(value)
        else:
            on_error(value)


@dataclass(frozen=True, slots=True)
class TreeRefresh:
    """Outcome of refreshing workflows and runs: which runs may have new artifacts."""

    catalog_empty: bool
    stale_runs: list[str]


def _run_mark(run: Any) -> tuple[Any, ...]:
    return (run.status, run.updated_at, run.completed_at, run.current_state_name)


def refresh_tree(library: Library, _p: Progress, _c: CancelToken) -> TreeRefresh:
    """Refresh workflows and runs, and name the runs whose artifact lists may be out of date:
    new or changed since the last refresh, running or awaiting input, or never listed."""
    before = {run.id: _run_mark(run) for run in library.runs()}
    library.refresh_workflows()
    library.refresh_runs()
    stale = [
        run.id
        for run in library.runs()
        if before.get(run.id) != _run_mark(run)
        or run.status not in _QUIET
        or library.artifacts_synced_at(run_id=run.id) is None
    ]
    return TreeRefresh(library.count_artifacts(ArtifactQuery()) == 0, stale)


def refresh_runs_artifacts(
    library: Library, run_ids: list[str], progress: Progress, cancel: CancelToken
) -> str:
    """List the artifacts of each given run (one request or a few pages each)."""
    for done, run_id in enumerate(run_ids):
        cancel.raise_if_cancelled()
        progress(done, len(run_ids))
        library.refresh_artifacts(run_id=run_id)
    progress(len(run_ids), len(run_ids))
    return f"{ALL}:{ALL}"


def refresh_scope(library: Library, kind: str, ident: str, _p: Progress, _c: CancelToken) -> str:
    if kind == RUN:
        library.refresh_artifacts(run_id=ident)
    elif kind == WORKFLOW:
        library.refresh_runs(workflow_id=ident)
        library.refresh_artifacts(workflow_id=ident)
    elif kind == ALL:
        library.refresh_artifacts()
    return f"{kind}:{ident}"


def _known_status(term: str) -> str:
    """``failed`` -> ``FAILED``, ``awaiting`` -> ``AWAITING_USER_INPUT``; unknown terms as typed."""
    wanted = term.upper().replace(" ", "_")
    for status in WORKFLOW_RUN_STATUSES:
        if status == wanted:
            return status
    return next((s for s in WORKFLOW_RUN_STATUSES if wanted in s), wanted)


class Browser(QObject):
    """Owns the current scope, filter and sort order; answers the models' page requests.

    Signals:
        treeLoaded(): the navigator shows fresh data.
        listLoaded(): the first page of the current query is in.
        scopeChanged(kind, id): a new scope is being listed.
        offlineDetected(): an API call failed for lack of a network.
        reachable(): an API refresh just succeeded.
        refreshed(): an explicit refresh finished (successfully or not).
    """

    treeLoaded = Signal()
    listLoaded = Signal()
    scopeChanged = Signal(str, str)
    offlineDetected = Signal()
    reachable = Signal()
    refreshed = Signal()

    def __init__(
        self,
        *,
        ops: Ops,
        bridge: MessageBridge,
        navigator: Navigator,
        artifacts: ArtifactList,
        library: Library | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.ops = ops
        self.bridge = bridge
        self.navigator = navigator
        self.artifacts = artifacts
        self.scope: tuple[str, str] = (ALL, ALL)
        self.spec = FilterSpec()
        self.order_by = "created_at"
        self._sort_before_grouping: tuple[str, bool] = ("created_at", True)
        self.descending = True
        self._refreshed_scopes: set[str] = set()
        self._query = ArtifactQuery()
        self._runs_task: Any = None
        self._navigator_spec: FilterSpec | None = None  # to filter the tree by, after the list
        # A new connection's refresh waits for its first page (see refresh_at_start).
        self._refresh_when_listed = False
        self._listed_generation = 0
        self._early: _EarlyRead | None = None  # the cached tree, read before it is asked for
        # text: terms: who answers them (content search), and the answer for the filter
        self.content_matcher: Any = None
        self._content: ContentIds | None = None
        self.connected = True  # False while only the local catalog is open (no key yet)
        self.online = bool(getattr(library, "online", False))
        artifacts.model.pageWanted.connect(self._on_page_wanted)
        artifacts.model.sortWanted.connect(self._on_sort_wanted)
        navigator.scopeSelected.connect(self._on_scope_selected)

    def set_library(self, library: Library | None, *, online: bool, connected: bool) -> None:
        """Show this library's catalog (a new connection replaces the old one)."""
        self.library = library
        self.online = online
        self.connected = connected
        self._content = None

    # -- tree --------------------------------------------------------------------------
    def refresh_at_start(self) -> None:
        """The refresh a new connection starts with (the same as F5), once the first page of
        the cached catalog is listed: the first listing never waits behind the network."""
        if self.library is None:
            return
        if self.artifacts.model.generation and self._listed_generation == (
            self.artifacts.model.generation
        ):
            self.refresh()
        else:
            self._refresh_when_listed = True

    def refreshed_at_start(self, result: TreeRefresh) -> None:
        """A new connection whose workflows and runs were refreshed as it opened: go on as
        the refresh it starts with would once the API answered (list what was found), on
        the next event-loop turn, as that answer would arrive: whoever reacts to the new
        connection hears :attr:`refreshed` after it is attached."""
        library = self.library
        if library is None:
            return
        self._refresh_when_listed = False

        def answered() -> None:
            if self.library is library:
                self._on_refreshed(result)

        QTimer.singleShot(0, self, answered)

    def _start_refresh_after_listing(self) -> None:
        if self._refresh_when_listed:
            self._refresh_when_listed = False
            self.refresh()

    def read_cached(self, catalog_path: Path) -> None:
        """Start reading the tree of the catalog at ``catalog_path`` now (start-up calls this
        as the window is shown, so the read overlaps its first paint); :meth:`list_cached`
        for the same path shows it."""
        early = _EarlyRead(catalog_path)
        self._early = early
        self.ops.run(load_cached_tree, catalog_path, on_result=early.done, on_error=early.failed)

    def list_cached(self, catalog_path: Path, then: Callable[[], None]) -> None:
        """Show the tree of the catalog at ``catalog_path`` before any library is open, then
        call ``then()`` (also when there is none or it cannot be read: the library says why)."""

        def listed(data: TreeData | None) -> None:
            if data is not None and self.library is None:
                self._on_tree(data)
            then()

        def failed(exc: BaseException) -> None:
            log.info("The cached catalog was not listed before connecting: %s", exc)
            then()

        early, self._early = self._early, None
        if early is not None and early.path == catalog_path:
            early.deliver(listed, failed)
            return
        self.ops.run(load_cached_tree, catalog_path, on_result=listed, on_error=failed)

    @Slot()
    def reload_tree(self) -> None:
        if self.library is None:
            return
        self.ops.run(load_tree, self.library, on_result=self._on_tree, on_error=self._on_error)

    @Slot(object)
    def _on_tree(self, data: TreeData) -> None:
        self.navigator.set_tree(data)
        names = {wf.id: wf.name or "" for wf in data.workflows}
        runs = {run.id: run for items in data.runs.values() for run in items}
        self.artifacts.model.set_context(names, runs)
        self.treeLoaded.emit()

    def set_grouped(self, grouped: bool) -> None:
        """Group the list by run (newest run first) or go back to the chosen sort."""
        model = self.artifacts.model
        model.grouped = grouped
        if grouped:
            self._sort_before_grouping = (self.order_by, self.descending)
            self.order_by, self.descending = "run_started", True
        elif self.order_by == "run_started":
            self.order_by, self.descending = self._sort_before_grouping
        self.requery()

    @Slot()
    def refresh(self) -> None:
        """F5: ask the API for workflows, runs and the current scope, then re-read everything.
        Artifacts are listed organisation-wide only into an empty catalog; after that, "All
        artifacts" lists again only the runs that are new, changed, active or never listed,
        so a large organisation is not fetched whole each time."""
        if self.library is None:
            return
        self._refresh_when_listed = False
        self._refreshed_scopes.clear()
        if self._runs_task is not None:
            self._runs_task.cancel()
            self._runs_task = None
        self.bridge.show_status("Refreshing…")
        self.ops.run(
            refresh_tree,
            self.library,
            on_result=self._on_refreshed,
            on_error=self._on_refresh_failed,
        )

    @Slot(object)
    def _on_refreshed(self, result: TreeRefresh) -> None:
        self.bridge.show_status("Up to date.")
        self.set_online(True)
        self.reachable.emit()
        self.reload_tree()
        if result.catalog_empty:
            self._refresh_scope(force=True, whole=True)  # one organisation-wide listing
        elif self.scope[0] != ALL:
            self._refresh_scope(force=True)
        elif result.stale_runs:
            self._refresh_runs(result.stale_runs)
        else:
            self.requery()
        self.refreshed.emit()

    def _refresh_runs(self, run_ids: list[str]) -> None:
        self.bridge.show_status(f"Refreshing artifacts of {fmt.plural(len(run_ids), 'run')}…")
        self._runs_task = self.ops.run(
            refresh_runs_artifacts,
            self.library,
            run_ids,
            on_result=self._on_scope_refreshed,
            on_error=self._on_scope_refresh_failed,
            on_progress=self._on_runs_progress,
        )

    @Slot(int, int)
    def _on_runs_progress(self, done: int, total: int) -> None:
        if total and done < total:
            self.bridge.show_status(f"Refreshing artifacts: {done} of {total} runs…")
        elif total:
            self.bridge.show_status("Up to date.")

    @Slot(object)
    def _on_refresh_failed(self, exc: BaseException) -> None:
        self._on_error(exc)
        if not isinstance(exc, NetworkError):
            self.bridge.show_status("Could not refresh; showing the local catalog.")
        self.reload_tree()
        self.requery()
        self.refreshed.emit()

    # -- scope, filter, sort -----------------------------------------------------------
    @Slot(str, str, object)
    def _on_scope_selected(self, kind: str, ident: str, _obj: object) -> None:
        self.set_scope(kind, ident)

    def set_scope(self, kind: str, ident: str) -> None:
        self.scope = (kind, ident)
        self.artifacts.scope_title = self._scope_title()
        self.artifacts.set_spans_runs(kind != RUN)
        self.scopeChanged.emit(kind, ident)
        self.requery()
        self._refresh_scope(force=False)

    def _scope_title(self) -> str:
        kind, ident = self.scope
        if kind == ALL:
            return "All artifacts"
        if kind == OFFLINE:
            return "Available offline"
        if kind == WORKFLOW:
            return self.navigator.model.workflow_name(ident)
        return f"Run {ident[:8]}"

    def set_content_matcher(self, matcher: Any) -> None:
        """Who answers ``text:`` terms (see WindowSlots.set_content_matcher); a filter with
        such terms is applied again (the index just opened, or holds more files)."""
        self.content_matcher = matcher
        self._content = None
        if self.spec.texts:
            self.set_filter(self.spec)

    def _find_content(self, words: tuple[str, ...]) -> None:
        """Ask the content index which artifacts hold ``words``; the filter is applied
        when it answers (the list shows it is loading meanwhile)."""
        self.artifacts.model.begin_query()
        self.artifacts.update_caption()
        if self.content_matcher is None:
            note = "Content search is not available, so text: terms match nothing."
            self._on_content(ContentIds(words, frozenset(), note))
            return
        self.ops.run(
            content_matching,
            self.content_matcher,
            words,
            on_result=self._on_content,
            on_error=self._on_error,
        )

    @Slot(object)
    def _on_content(self, found: ContentIds) -> None:
        if found.words != self.spec.texts:
            return  # a filter typed over since
        self._content = found
        self._apply_filter()

    def _content_ids(self, spec: FilterSpec) -> frozenset[str] | None:
        if not spec.texts:
            return None
        found = self._content
        return found.ids if found is not None and found.words == spec.texts else frozenset()

    @Slot(object)
    def set_filter(self, spec: FilterSpec) -> None:
        """Filter the list now, and the navigator once the runs holding matches are known:
        every term hides the runs (and workflows) with nothing that matches. ``text:``
        terms are first answered by the content index, off the GUI thread."""
        self.spec = spec
        if self.library is not None and spec.texts:
            self._content = None  # asked afresh: the index may hold more files by now
            self._find_content(spec.texts)
            return
        self._apply_filter()

    def _apply_filter(self) -> None:
        spec = self.spec
        self.requery()
        if spec.empty or self.library is None:
            self._navigator_spec = None
            self.navigator.set_filter(spec, None)
            return
        # The navigator asks once the list's first page is in: its pass over the catalog
        # does not compete with the one the user is watching for.
        self._navigator_spec = spec
        if self._listed_generation == self.artifacts.model.generation:
            self._filter_navigator()

    def _filter_navigator(self) -> None:
        spec, self._navigator_spec = self._navigator_spec, None
        if spec is None or spec != self.spec or self.library is None:
            return
        everywhere = replace(
            self.filter_query(spec), workflow_id=None, run_id=None, cached_only=False, limit=None
        )
        self.ops.run(
            runs_matching,
            self.library,
            spec,
            everywhere,
            self.navigator.model.tree,
            on_result=self._on_filter_runs,
            on_error=self._on_error,
        )

    @Slot(object)
    def _on_filter_runs(self, found: FilterRuns) -> None:
        if found.spec != self.spec:
            return  # a filter typed over since: its answer is dropped
        if found.tree is self.navigator.model.tree:
            self.navigator.set_filter(found.spec, found.run_ids, found.visible)
        else:  # the tree was reloaded meanwhile: judge its runs afresh
            self.navigator.set_filter(found.spec, found.run_ids)

    @Slot(str, bool)
    def _on_sort_wanted(self, order_by: str, descending: bool) -> None:
        self.order_by, self.descending = order_by, descending
        self.requery()

    def filter_query(self, spec: FilterSpec) -> ArtifactQuery:
        """What the filter box's terms ask of the catalog (no scope, no order)."""
        return ArtifactQuery(
            terms=spec.words,
            exclude=spec.exclude,
            type=spec.types[0] if spec.types else None,
            mimes=spec.mime_values(),
            extensions=spec.extensions,
            status=_known_status(spec.statuses[0]) if spec.statuses else None,
            run_match=spec.runs[0] if spec.runs else None,
            workflow_match=spec.workflows[0] if spec.workflows else None,
            since=spec.after,
            until=spec.before,
            ids=self._content_ids(spec),
        )

    def current_query(self) -> ArtifactQuery:
        kind, ident = self.scope
        return replace(
            self.filter_query(self.spec),
            workflow_id=ident if kind == WORKFLOW else None,
            run_id=ident if kind == RUN else None,
            cached_only=kind == OFFLINE,
            order_by=self.order_by,
            descending=self.descending,
            limit=PAGE_SIZE,
            offset=0,
        )

    def empty_hint(self) -> str:
        """Why the list would be empty, and the next step, for the current scope and filter."""
        kind, _ident = self.scope
        if not self.spec.empty:
            content = self._content
            notes = [content.note] if content is not None and content.note else []
            problems = "; ".join([*self.spec.problems, *notes])
            where = "" if kind == ALL else " here (the navigator shows where matches are)"
            text = (
                f"No artifacts match “{self.spec.raw.strip()}”{where}. Change or clear the filter."
            )
            return f"{text}\n{problems}" if problems else text
        if kind == OFFLINE:
            return (
                "Nothing is available offline yet. Pin a run (Ctrl+P) to keep all its "
                "artifacts, or open artifacts to cache them."
            )
        if kind == RUN:
            return "This run has no artifacts in the local catalog."
        if kind == WORKFLOW:
            return "No artifacts of this workflow are in the local catalog."
        if not self.connected:
            return (
                "Nothing has been synced yet. Connect to the Anon API (Ctrl+Shift+K), "
                "or explore the demo data from the Connect dialog."
            )
        return "No artifacts in the local catalog yet. Refresh (F5) to ask the API."

    @Slot()
    def requery(self) -> None:
        if self.library is None:
            return
        self.artifacts.empty_hint = self.empty_hint()
        self._query = self.current_query()
        generation = self.artifacts.model.begin_query()
        self.artifacts.update_caption()
        self.ops.run(
            load_page,
            self.library,
            self._query,
            generation,
            True,
            on_result=self._on_first_page,
            on_error=self._on_page_error,
        )

    @Slot(int, int, int)
    def _on_page_wanted(self, generation: int, offset: int, limit: int) -> None:
        query = replace(self._query, offset=offset, limit=limit)
        self.ops.run(
            load_page,
            self.library,
            query,
            generation,
            False,
            on_result=self._on_page,
            on_error=self._on_page_error,
        )

    @Slot(object)
    def _on_first_page(self, page: Page) -> None:
        model = self.artifacts.model
        if model.set_first_page(page.generation, page.total, page.rows, page.states, page.noted):
            self._listed_generation = page.generation
            self.artifacts.update_caption()
            self.listLoaded.emit()
            self._filter_navigator()
            self._start_refresh_after_listing()

    @Slot(object)
    def _on_page(self, page: Page) -> None:
        self.artifacts.model.add_page(
            page.generation, page.offset, page.rows, page.states, page.noted
        )

    @Slot(object)
    def _on_page_error(self, exc: BaseException) -> None:
        self.artifacts.model.page_failed(self.artifacts.model.generation)
        self.artifacts.update_caption()
        self._filter_navigator()
        self._on_error(exc)
        self._start_refresh_after_listing()

    # -- background refresh of the scope ------------------------------------------------
    def _refresh_scope(self, *, force: bool, whole: bool = False) -> None:
        kind, ident = self.scope
        if whole:
            kind = ident = ALL
        key = f"{kind}:{ident}"
        if kind == OFFLINE or not self.online or self.library is None:
            return
        if kind == ALL and not whole:
            return  # the whole organisation is only listed into an empty catalog
        if key in self._refreshed_scopes and not force:
            return
        self._refreshed_scopes.add(key)
        self.ops.run(
            refresh_scope,
            self.library,
            kind,
            ident,
            on_result=self._on_scope_refreshed,
            on_error=self._on_scope_refresh_failed,
        )

    @Slot(object)
    def _on_scope_refreshed(self, key: str) -> None:
        if key == f"{self.scope[0]}:{self.scope[1]}" or key == f"{ALL}:{ALL}":
            self.requery()  # an organisation-wide listing can change any scope's list
        if key.startswith(WORKFLOW):
            self.reload_tree()

    @Slot(object)
    def _on_scope_refresh_failed(self, exc: BaseException) -> None:
        # The list already shows the catalog; only say why it may be stale.
        self._refreshed_scopes.discard(f"{self.scope[0]}:{self.scope[1]}")
        self._on_error(exc)

    @Slot(bool)
    def set_online(self, online: bool) -> None:
        was = self.online
        self.online = online
        if online and not was:
            self._refresh_scope(force=False)

    # -- errors --------------------------------------------------------------------------
    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        if isinstance(exc, NetworkError):
            self.offlineDetected.emit()
            self.bridge.show_status("Offline: showing the local catalog and cache.")
            return
        self.bridge.error(exc)
