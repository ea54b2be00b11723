"""How a feature plugs into the window without editing it: views, panes, actions, events.

A feature (compare, content search, the run page, bundles...) is a :class:`WindowExtension`.
The composition root hands a list of them to ``MainWindow(extensions=[...])``; the window
calls :meth:`WindowExtension.install` once, after its own panes exist, with a
:class:`WindowSlots` object that is the whole surface a feature may use:

- ``add_view(key, widget)``: a page that can take the preview's place in the centre
  (``show_view(key)``; ``show_preview()`` goes back). Selecting an artifact brings the
  preview back by itself.
- ``add_pane(key, title, widget)``: a dock pane, toggled from the View menu.
- ``menu(title)``: an existing menu (File, Edit, View, Artifact, Help) or a new one, to add
  actions to; ``add_list_action(action)`` puts an action on the artifact list's context menu.
- ``open_artifact(artifact)``: show it in the preview and details; ``preview_host()`` and
  ``preview_shown()``: the preview host and the signal that a file went to it, to move
  inside what it shows once loaded.
- ``needs_api(action, reason, when=None)``: the action is disabled while the API cannot be
  reached (only while ``when()`` holds, if given), its tooltip saying "Offline: <reason>.";
  ``uncached(artifact_ids)`` / ``uncached_runs(run_ids)``: whether any of them (any
  artifact of them) has no usable cached file.
- ``current_run_id()``: the run in view; ``selected_run_ids()``: the runs selected in the
  navigator, else the run in view; ``selected_artifact_ids()``: the rows selected in the
  artifact list; ``add_run_action(action)``: on the navigator's context menu;
  ``reload_lists()``: re-read tree and list from
  the catalog after a feature changed it; ``mark_note(artifact_id, has_note)``: the list's
  note marker; ``give_view_room(height)``: a tall view takes height from the artifact list
  above it while shown (``0`` gives it back).
- ``services``: the window's thread pools (``ops.run``), message bridge, saved state and the
  current library (``library()``: ``None`` before a connection).
- signals on ``events``: ``libraryChanged(object)``, ``onlineChanged(bool)``,
  ``scopeChanged(str, str)`` (navigator kind and id), ``artifactSelected(object)``,
  ``noteChanged(str)`` (a note on that run or artifact id was saved).

Work runs through ``services.ops``; widgets only show results (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QMenuBar, QSplitter, QStackedWidget, QWidget

from artifact_viewer.core.store_models import ArtifactQuery, CacheState
from artifact_viewer.ui.api_gate import ApiGate

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library
    from artifact_viewer.ui.controllers.ops import Ops
    from artifact_viewer.ui.messages import MessageBridge
    from artifact_viewer.ui.window_state import WindowState


#: ``matcher(words, progress, cancel) -> artifact ids`` (see WindowSlots.set_content_matcher)
ContentMatcher = Callable[[tuple[str, ...], Any, Any], frozenset[str]]


class WindowEvents(QObject):
    """What happens in the window that a feature may follow.

    Signals:
        libraryChanged(object): a new library is shown (``None`` while not connected).
        onlineChanged(bool): the API became reachable or unreachable.
        scopeChanged(str, str): the navigator's selection (kind, id).
        artifactSelected(object): the artifact list's current artifact, or ``None``.
        listSelectionChanged(): the set of selected rows in the artifact list changed.
        noteChanged(str): the note on a run or artifact (its id) was saved or cleared.
        shuttingDown(): the window is stopping its work: stop threads, timers and child
            processes now (it may be emitted more than once).
    """

    libraryChanged = Signal(object)
    onlineChanged = Signal(bool)
    scopeChanged = Signal(str, str)
    artifactSelected = Signal(object)
    listSelectionChanged = Signal()
    noteChanged = Signal(str)
    shuttingDown = Signal()


@dataclass(frozen=True, slots=True)
class WindowServices:
    """Shared window services a feature may use (never to be replaced by one)."""

    ops: Ops
    bridge: MessageBridge
    state: WindowState
    library_source: Callable[[], Library | None]  # the current library, None before a connection

    def library(self) -> Library | None:
        return self.library_source()


class ViewStack(QStackedWidget):
    """The centre of the window: the preview, or one of the views features add."""

    def __init__(self, preview: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewStack")
        self.preview = preview
        self.addWidget(preview)
        self._views: dict[str, QWidget] = {}

    def add_view(self, key: str, widget: QWidget) -> None:
        if key in self._views:
            raise ValueError(f"A view named {key!r} exists already")
        self._views[key] = widget
        self.addWidget(widget)

    def view(self, key: str) -> QWidget:
        return self._views[key]

    def show_view(self, key: str) -> None:
        self.setCurrentWidget(self._views[key])

    def show_preview(self) -> None:
        self.setCurrentWidget(self.preview)

    def current_key(self) -> str:
        current = self.currentWidget()
        return next((k for k, w in self._views.items() if w is current), "preview")


class WindowSlots:
    """The places a feature may fill; handed to :meth:`WindowExtension.install`."""

    def __init__(
        self,
        *,
        window: Any,
        views: ViewStack,
        menu_bar: QMenuBar,
        menus: dict[str, QMenu],
        list_view: QWidget,
        services: WindowServices,
        events: WindowEvents,
    ) -> None:
        self.window = window
        self.views = views
        self._menu_bar = menu_bar
        self._menus = menus
        self._list_view = list_view
        self.services = services
        self.events = events
        self.panes: dict[str, QDockWidget] = {}
        self._list_sizes: list[int] | None = None  # before a view took room from the list
        self.api_gate = ApiGate(self._offline, parent=events)
        for signal in (
            events.onlineChanged,
            events.artifactSelected,
            events.listSelectionChanged,
            events.scopeChanged,
        ):
            signal.connect(self.api_gate.update)
        # attach() tells the online monitor after it announces the library: look once it has.
        events.libraryChanged.connect(lambda _library: QTimer.singleShot(0, self.api_gate.update))

    def _offline(self) -> bool:
        """Connected to an API that cannot be reached now (not: never connected)."""
        monitor = getattr(self.window, "monitor", None)
        return bool(getattr(self.window, "connected", False)) and (
            getattr(monitor, "online", None) is False
        )

    def needs_api(
        self, action: QAction, reason: str, *, when: Callable[[], bool] | None = None
    ) -> None:
        """Disable ``action`` while the API cannot be reached (and ``when()`` holds, if
        given); its tooltip then says "Offline: <reason>." Its owner's own setEnabled calls
        keep working (see ui/api_gate.py)."""
        self.api_gate.guard(action, reason, when=when)

    def uncached(self, artifact_ids: list[str]) -> bool:
        """True when any of these artifacts has no usable file in the cache."""
        model = self.window.artifact_list.model
        usable = (CacheState.VERIFIED, CacheState.NOT_VERIFIABLE)
        return any(model.cache_state(i) not in usable for i in artifact_ids)

    def uncached_runs(self, run_ids: list[str]) -> bool:
        """True when any of these runs holds an artifact with no usable cached file."""
        library = self.services.library()
        if library is None:
            return False
        for run_id in run_ids:
            every = library.count_artifacts(ArtifactQuery(run_id=run_id))
            if library.count_artifacts(ArtifactQuery(run_id=run_id, cached_only=True)) < every:
                return True
        return False

    def add_view(self, key: str, widget: QWidget) -> None:
        self.views.add_view(key, widget)

    def show_view(self, key: str) -> None:
        self.views.show_view(key)

    def show_preview(self) -> None:
        self.views.show_preview()

    def add_pane(
        self,
        key: str,
        title: str,
        widget: QWidget,
        *,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea,
        shortcut: str = "",
        visible: bool = False,
    ) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"pane_{key}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.window.addDockWidget(area, dock)
        dock.setVisible(visible)
        toggle = dock.toggleViewAction()
        if shortcut:
            toggle.setShortcut(shortcut)
        self.menu("&View").addAction(toggle)
        self.panes[key] = dock
        return dock

    def menu(self, title: str) -> QMenu:
        """The menu called ``title`` (``&View``, ``View`` or ``view`` alike), made if new."""
        wanted = title.replace("&", "").lower()
        for name, menu in self._menus.items():
            if name.replace("&", "").lower() == wanted:
                return menu
        menu = QMenu(title, self._menu_bar)
        help_menu = next(
            (m for name, m in self._menus.items() if name.replace("&", "").lower() == "help"), None
        )
        if help_menu is not None:  # Help stays last
            self._menu_bar.insertMenu(help_menu.menuAction(), menu)
        else:
            self._menu_bar.addMenu(menu)
        self._menus[title] = menu
        return menu

    def add_list_action(self, action: QAction) -> None:
        """On the artifact list's context menu (its shortcut works while the list has focus)."""
        self._list_view.addAction(action)

    def add_run_action(self, action: QAction) -> None:
        """On the navigator's context menu (runs and workflows)."""
        self.window.navigator.view.addAction(action)

    def selected_artifact_ids(self) -> list[str]:
        """Artifacts selected in the list, in list order (several with Ctrl/Shift-click)."""
        ids: list[str] = self.window.artifact_list.selected_ids()
        return ids

    def current_run_id(self) -> str | None:
        """The run in view: the navigator's run, else the selected artifact's run."""
        run_id: str | None = self.window.current_run_id()
        return run_id

    def selected_run_ids(self) -> list[str]:
        """The runs selected in the navigator (several with Ctrl/Shift-click), else the run
        in view (empty when there is none)."""
        selected: list[str] = self.window.navigator.selected_runs()
        if selected:
            return selected
        current = self.current_run_id()
        return [current] if current else []

    def mark_note(self, artifact_id: str, has_note: bool) -> None:
        """Show or hide the note marker of an artifact in the list."""
        self.window.artifact_list.model.set_noted(artifact_id, has_note)

    def open_artifact(self, artifact: Any) -> bool:
        """Show an artifact in the preview and details, whatever the list shows. True when
        it is showing already (nothing new loads; ``previewShown`` is not sent again)."""
        current = self.window.viewer.current
        already = current is not None and current.id == artifact.id
        self.views.show_preview()
        self.window.viewer.select(artifact)
        return bool(already)

    def preview_host(self) -> Any:
        """The preview host (``loadingChanged(bool)``, ``previewer()``, ``is_loading()``), for
        a feature that moves inside what it shows (content search opening a file at a hit)."""
        return self.window.preview

    def preview_shown(self) -> Any:
        """The ``previewShown(str)`` signal: an artifact's file went to the preview host."""
        return self.window.viewer.previewShown

    LIST_MIN_HEIGHT = 90  # the artifact list keeps a few rows when a view takes its room

    def _list_split(self) -> tuple[QSplitter, int, int] | None:
        """The splitter holding the artifact list over the centre, with both indexes."""
        list_widget = self.window.artifact_list
        split = list_widget.parentWidget()
        if not isinstance(split, QSplitter) or split.orientation() != Qt.Orientation.Vertical:
            return None
        for i in range(split.count()):
            widget = split.widget(i)
            if widget is self.views or (widget is not None and widget.isAncestorOf(self.views)):
                return split, split.indexOf(list_widget), i
        return None

    def give_view_room(self, height: int) -> None:
        """Make the centre at least ``height`` pixels tall by shrinking the artifact list
        above it (never below a few rows); ``0`` gives the list back the height taken.
        The person's own splitter sizes are what is restored and what is saved."""
        found = self._list_split()
        if found is None:
            return
        split, list_index, centre_index = found
        if height <= 0:
            if self._list_sizes is not None:
                split.setSizes(self._list_sizes)
                self._list_sizes = None
            return
        short = height - self.views.height()
        sizes = split.sizes()
        take = min(short, sizes[list_index] - self.LIST_MIN_HEIGHT)
        if take <= 0:
            return
        if self._list_sizes is None:
            self._list_sizes = list(sizes)
        sizes[list_index] -= take
        sizes[centre_index] += take
        split.setSizes(sizes)

    def set_content_matcher(self, matcher: ContentMatcher | None) -> None:
        """What the filter box's ``text:`` terms ask: ``matcher(words, progress, cancel)``,
        run on the pool, gives the ids of the artifacts whose cached file holds every word
        (content search installs it). The filter is applied again when it has such terms."""
        self.window.browser.set_content_matcher(matcher)

    def reload_lists(self) -> None:
        """Read the navigator tree and the artifact list again from the catalog (after a
        feature changed it, e.g. an import)."""
        self.window.browser.reload_tree()
        self.window.browser.requery()


class WindowExtension(Protocol):
    """A feature that adds itself to the window (see the module docstring)."""

    def install(self, slots: WindowSlots) -> None: ...
