"""The main window: lays out the panes and wires actions, controllers and the message bridge."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QDir,
    QEvent,
    QObject,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.errors import AuthError
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.ui.actions import Actions
from artifact_viewer.ui.controllers.browser import Browser, TreeRefresh
from artifact_viewer.ui.controllers.online_monitor import OnlineMonitor
from artifact_viewer.ui.controllers.ops import Ops
from artifact_viewer.ui.controllers.sessions import Connection
from artifact_viewer.ui.extensions import (
    ViewStack,
    WindowEvents,
    WindowExtension,
    WindowServices,
    WindowSlots,
)
from artifact_viewer.ui.icons import action_icon, app_icon, icon
from artifact_viewer.ui.messages import Banner, MessageBridge
from artifact_viewer.ui.models.filter_spec import HELP_ROWS, parse_filter
from artifact_viewer.ui.models.filter_spec import PLACEHOLDER as FILTER_PLACEHOLDER
from artifact_viewer.ui.models.navigator_model import ALL, RUN, WORKFLOW
from artifact_viewer.ui.panes.artifact_list import ArtifactList
from artifact_viewer.ui.panes.download_indicator import DownloadIndicator
from artifact_viewer.ui.panes.navigator import Navigator
from artifact_viewer.ui.window_state import WindowState

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library
    from artifact_viewer.previews.host import PreviewHost
    from artifact_viewer.ui.controllers.artifact_controller import ArtifactController
    from artifact_viewer.ui.panes.details_panel import DetailsPanel
    from artifact_viewer.ui.shortcuts import ShortcutYield

log = logging.getLogger(__name__)

_FILTER_DELAY_MS = 250
_TOOLBAR_LABELS_MIN_WIDTH = 1180
_SPLITTERS = ("main", "right", "bottom", "column")


# A staged window completes at the latest this long after its first listing (when the
# navigator does not paint it: hidden, or the window minimised).
_COMPLETE_FALLBACK_MS = 200


class _AfterPaint(QObject):
    """Calls ``callback()`` once, on the event-loop turn after ``widget`` next paints, or
    after ``fallback_ms``."""

    def __init__(self, widget: QWidget, callback: Callable[[], None], fallback_ms: int) -> None:
        super().__init__(widget)
        self._widget = widget
        self._callback = callback
        self._done = False
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and not self._done:
            QTimer.singleShot(0, self, self._fire)  # once this paint is done
        return False

    @Slot()
    def _fire(self) -> None:
        if self._done:
            return
        self._done = True
        self._widget.removeEventFilter(self)
        self._callback()


def _first_size(widget: QWidget) -> QSize:
    """Before any size was saved: most of the screen, up to 1600 x 1000."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return QSize(1360, 860)
    free = screen.availableGeometry()
    return QSize(min(1600, int(free.width() * 0.9)), min(1000, int(free.height() * 0.9)))


class MainWindow(QMainWindow):
    """Panes: navigator | artifact list over (views | details). Data arrives via controllers.

    Built with keyword arguments only; features plug in through ``extensions`` (see
    :mod:`artifact_viewer.ui.extensions`), never by editing this class.

    Signals:
        connectWanted(): the user asked to (re)connect (``ConnectionFlow`` runs the dialogs).
        settingsWanted(): the user asked for Settings.
    """

    connectWanted = Signal()
    settingsWanted = Signal()

    views: ViewStack
    details: DetailsPanel
    preview: PreviewHost
    viewer: ArtifactController
    shortcut_yield: ShortcutYield
    slots: WindowSlots

    def __init__(
        self,
        *,
        state: WindowState,
        max_downloads: int = 2,
        extensions: Sequence[WindowExtension] | Callable[[], Iterable[WindowExtension]] = (),
        log_dir: Path | None = None,
        staged: bool = False,
    ) -> None:
        """``extensions``: the features, or a function that makes them (called when the
        window completes; a staged window installs each as it comes, one per turn). ``staged``: build only what the first frame shows (window frame,
        toolbar, menus, navigator, an empty artifact list, status bar), with placeholders of
        the same size for the centre view and the details; :meth:`complete_build` builds the
        rest (it runs on the event-loop turn after the navigator first lists, or earlier when
        something needs it). Unstaged, everything is built here."""
        super().__init__()
        self.setWindowTitle("Artifact Viewer")
        self.setWindowIcon(app_icon())
        self.state = state
        self.log_dir = log_dir
        self.connection: Connection | None = None
        self._focus_hidden: list[QWidget] = []
        self._shortcuts_dialog: QWidget | None = None
        self._key_refused = False  # the API answered but refused the key
        self._extensions = extensions
        self._built = False
        self._completing = False
        self._completion: _AfterPaint | None = None
        self._when_built: list[Callable[[], None]] = []
        self._build_steps: Iterator[str] | None = None
        self.ops = Ops(self, max_downloads=max_downloads)
        self.bridge = MessageBridge(self)
        self.acts = Actions(self)
        self.events = WindowEvents(self)
        self._build_widgets()
        if staged:
            # The centre view and the details: placeholders of their size until complete_build.
            self.views = QWidget(self)  # type: ignore[assignment]
            self.details = QWidget(self)  # type: ignore[assignment]
        else:
            self._make_panes()
        self._build_layout()
        self.browser = Browser(
            ops=self.ops,
            bridge=self.bridge,
            navigator=self.navigator,
            artifacts=self.artifact_list,
            parent=self,
        )
        self.monitor = OnlineMonitor(ops=self.ops, parent=self)
        self._pending_scope: tuple[str, str] | None = None
        self._pending_artifact = ""
        self._restored_scope: tuple[str, str] | None = None
        self._last_chance = False
        self._expanded: list[str] = []
        self._overwrite_box: QMessageBox | None = None
        self.save_dialog: QFileDialog | None = None
        self._shown_once = False
        self._wire()
        if staged:
            self._restore(docks=False)
            self.browser.treeLoaded.connect(self._complete_soon)
        else:
            self.complete_build()
            self._restore()

    @property
    def built(self) -> bool:
        """True once every pane, view and feature of the window is built."""
        return self._built

    @Slot()
    def _complete_soon(self) -> None:
        # The rest is built once the navigator has painted its first listing (a zero timer
        # alone would run before that paint), or after a short wait if it does not paint.
        self.browser.treeLoaded.disconnect(self._complete_soon)
        self._completion = _AfterPaint(
            self.navigator.view.viewport(), self._build_next_step, _COMPLETE_FALLBACK_MS
        )

    def call_when_built(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the window is complete: now if it is; after the pending
        completion of a staged window that has listed (so the work ``callback`` starts does
        not share the CPU with it); else on the next event-loop turn, completing it first."""
        if self._built:
            callback()
            return
        self._when_built.append(callback)
        if self._completion is None:
            QTimer.singleShot(0, self, self.complete_build)

    @Slot()
    def complete_build(self) -> None:
        """Build what a staged window left out: the preview, the centre views, the details,
        the controller of the selected artifact, and the features (their views, panes, menus
        and actions), then restore the saved dock layout. Runs every step still to run (a
        staged window builds them one per event-loop turn, :meth:`_build_next_step`).
        Does nothing once built."""
        if self._built or self._completing:
            return
        steps = self._steps()
        self._completing = True
        try:
            for _name in steps:
                pass
        finally:
            self._completing = False

    @Slot()
    def _build_next_step(self) -> None:
        """One step of the staged completion, the next on the following turn (so input that
        arrives between steps waits for one step at most)."""
        if self._built or self._completing:
            return
        steps = self._steps()
        self._completing = True
        try:
            started = time.perf_counter()
            name = next(steps, None)
        finally:
            self._completing = False
        if name is None:  # a step raised (Qt logged it): the rest is not built
            return
        log.debug("Window step %s: %.1f ms", name, (time.perf_counter() - started) * 1e3)
        if not self._built:
            QTimer.singleShot(0, self, self._build_next_step)

    def _steps(self) -> Iterator[str]:
        if self._build_steps is None:
            self._build_steps = self._make_steps()
        return self._build_steps

    def _make_steps(self) -> Iterator[str]:
        """The completion, one yield after each step (the step's name)."""
        staged = not hasattr(self, "preview")
        if staged:
            # Swapping a splitter's children would let the splitters share out their space
            # anew: the panes keep the sizes the first frame showed.
            sizes = [split.sizes() for split in self._splitters()]

            def keep_sizes() -> None:
                for split, size in zip(self._splitters(), sizes, strict=True):
                    if any(size):
                        split.setSizes(size)

            from artifact_viewer.ui.panes.preview_pane import make_preview

            yield "preview modules"
            placeholder: QWidget = self.views
            self.preview = make_preview(self)
            self.views = ViewStack(self.preview, self)
            self._replace(placeholder, self.views)
            keep_sizes()
            yield "preview and views"
            from artifact_viewer.ui.panes.details_panel import DetailsPanel

            placeholder = self.details
            self.details = DetailsPanel(self)
            self._replace(placeholder, self.details)
            keep_sizes()
            yield "details"
        from artifact_viewer.ui.controllers.artifact_controller import ArtifactController
        from artifact_viewer.ui.shortcuts import ShortcutYield

        QWidget.setTabOrder(self.artifact_list.view, self.preview)
        QWidget.setTabOrder(self.preview, self.details)
        # Inside the preview, its own Find/Copy keys win over the window's.
        self.shortcut_yield = ShortcutYield(self.preview, self.acts.all_actions(), self)
        self.viewer = ArtifactController(
            ops=self.ops,
            bridge=self.bridge,
            artifacts=self.artifact_list,
            details=self.details,
            preview=self.preview,
            downloads=self.downloads,
            tree=self.navigator.model,
            parent=self,
        )
        self._wire_views()
        self.slots = WindowSlots(
            window=self,
            views=self.views,
            menu_bar=self.menuBar(),
            menus=self.menus,
            list_view=self.artifact_list.view,
            services=WindowServices(
                ops=self.ops,
                bridge=self.bridge,
                state=self.state,
                library_source=lambda: self.library,
            ),
            events=self.events,
        )
        if staged:
            yield "controller"
        extensions = self._extensions() if callable(self._extensions) else self._extensions
        for extension in extensions:
            extension.install(self.slots)
            if staged:
                yield f"extension {type(extension).__name__}"
        self._built = True
        if staged:
            self.state.restore_docks(self)  # the features' panes exist now
        waiting, self._when_built = self._when_built, []
        for callback in waiting:
            callback()
        yield "docks"

    def _make_panes(self) -> None:
        from artifact_viewer.ui.panes.details_panel import DetailsPanel
        from artifact_viewer.ui.panes.preview_pane import make_preview

        self.preview = make_preview(self)
        self.views = ViewStack(self.preview, self)
        self.details = DetailsPanel(self)

    @staticmethod
    def _replace(placeholder: QWidget, widget: QWidget) -> None:
        """Put ``widget`` where ``placeholder`` is (same splitter, index, size, visibility)."""
        split = placeholder.parentWidget()
        assert isinstance(split, QSplitter)
        visible = not placeholder.isHidden()  # asked before the splitter lets go of it
        widget.setMinimumWidth(placeholder.minimumWidth())
        split.replaceWidget(split.indexOf(placeholder), widget)
        widget.setVisible(visible)
        placeholder.deleteLater()

    # -- construction --------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.filter_box = QLineEdit(self)
        self.filter_box.setObjectName("filterBox")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setPlaceholderText(FILTER_PLACEHOLDER)
        self.filter_help = self.filter_box.addAction(
            icon("filter-help"), QLineEdit.ActionPosition.TrailingPosition
        )
        self.filter_help.setToolTip("Filter syntax and examples")
        self.filter_help.triggered.connect(self.show_filter_help)
        self.filter_box.setAccessibleName("Filter")
        self.filter_box.setMinimumWidth(220)  # stays in the toolbar on narrow windows
        self.filter_box.setMaximumWidth(520)
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(_FILTER_DELAY_MS)
        self.banner = Banner(self)
        self.navigator = Navigator(self)
        self.artifact_list = ArtifactList(self)
        self.downloads = DownloadIndicator(self)
        self.online_label = QLabel(self)
        self.online_label.setObjectName("onlineIndicator")
        self.online_icon = QLabel(self)

    def _build_layout(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.addActions([self.acts.refresh, self.acts.save_as, self.acts.open_external])
        toolbar.addSeparator()
        toolbar.addActions([self.acts.pin, self.acts.verify])
        toolbar.addSeparator()
        toolbar.addAction(self.acts.focus_mode)
        self.toolbar = toolbar
        self._tint_action_icons()
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(self.filter_box)
        self.addToolBar(toolbar)
        self.menus = self.acts.build_menus(self.menuBar())
        self._place_panes()
        self.navigator.setMinimumWidth(200)
        self.artifact_list.setMinimumHeight(120)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addWidget(self.main_split, 1)
        self.setCentralWidget(central)
        status = self.statusBar()
        status.addPermanentWidget(self.downloads)
        status.addPermanentWidget(self.online_icon)
        status.addPermanentWidget(self.online_label)
        self._show_online(None)
        # Every window action works from the keyboard even while its menu bar is hidden
        # (focus mode); adding an action to two widgets does not make its keys ambiguous.
        self.addActions(self.acts.all_actions())
        # Keyboard order follows the reading order of the panes; a list is one Tab stop
        # (arrows move inside it).
        self.navigator.view.setTabKeyNavigation(False)
        self.artifact_list.view.setTabKeyNavigation(False)
        QWidget.setTabOrder(self.filter_box, self.navigator.view)
        QWidget.setTabOrder(self.navigator.view, self.artifact_list.view)
        self.navigator.view.addActions([self.acts.pin, self.acts.unpin])
        self.artifact_list.view.addActions(
            [
                self.acts.open_external,
                self.acts.save_as,
                self.acts.copy_id,
                self.acts.verify,
                self.acts.pin,
                self.acts.unpin,
            ]
        )
        self.resize(_first_size(self))

    def _place_panes(self) -> None:
        """The splitters: navigator | list over (views | details)."""
        self.bottom_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.bottom_split.addWidget(self.views)
        self.bottom_split.addWidget(self.details)
        self.bottom_split.setStretchFactor(0, 3)
        self.bottom_split.setStretchFactor(1, 1)
        self.right_split = QSplitter(Qt.Orientation.Vertical, self)
        self.right_split.addWidget(self.artifact_list)
        self.right_split.addWidget(self.bottom_split)
        self.right_split.setStretchFactor(0, 2)
        self.right_split.setStretchFactor(1, 3)
        self.main_split = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_split.addWidget(self.navigator)
        self.main_split.addWidget(self.right_split)
        self.main_split.setStretchFactor(0, 2)
        self.main_split.setStretchFactor(1, 5)
        # Used when the details sit under the list: list over details, beside the preview.
        self.list_column = QSplitter(Qt.Orientation.Vertical, self)
        self.list_column.hide()
        for split in (self.main_split, self.right_split, self.bottom_split, self.list_column):
            split.setChildrenCollapsible(False)
        # Explicit minimums: the panes' own hints (toolbars, forms) would otherwise force the
        # window wider than a small screen.
        self.views.setMinimumWidth(240)
        self.details.setMinimumWidth(180)

    def _wire(self) -> None:
        """What the first frame's widgets do; slots that need a pane complete_build makes
        build it first (a key pressed before the window completed is not lost)."""
        a = self.acts
        a.refresh.triggered.connect(self.refresh)
        a.find.triggered.connect(self.focus_filter)
        a.save_as.triggered.connect(self.save_as)
        a.open_external.triggered.connect(self._open_current_externally)
        a.copy_id.triggered.connect(self._copy_current_id)
        a.verify.triggered.connect(self._verify_current)
        a.pin.triggered.connect(self.pin_current_run)
        a.unpin.triggered.connect(self.unpin_current_run)
        a.settings.triggered.connect(self.settingsWanted)
        a.connect_api.triggered.connect(self.connectWanted)
        a.focus_preview.triggered.connect(self.focus_preview)
        a.next_pane.triggered.connect(self.next_pane)
        a.previous_pane.triggered.connect(self.previous_pane)
        a.show_navigator.toggled.connect(self.navigator.setVisible)
        a.show_details.toggled.connect(self._show_details)
        a.details_under_list.toggled.connect(self.place_details)
        a.focus_mode.toggled.connect(self.set_focus_mode)
        a.group_by_run.toggled.connect(self.browser.set_grouped)
        a.leave_focus_mode.triggered.connect(lambda: a.focus_mode.setChecked(False))
        a.shortcuts.triggered.connect(self.show_shortcuts)
        a.about.triggered.connect(self.show_about)
        a.open_log_folder.triggered.connect(self.open_log_folder)
        a.quit.triggered.connect(self.close)
        a.cancel_download.triggered.connect(self.downloads.cancel)
        self.downloads.activeChanged.connect(a.cancel_download.setEnabled)
        a.focus_navigator.triggered.connect(self.navigator.view.setFocus)
        a.focus_list.triggered.connect(self.artifact_list.view.setFocus)
        a.focus_details.triggered.connect(self._focus_details)
        self.filter_box.textChanged.connect(self.filter_timer.start)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.bridge.notice.connect(self.banner.show_notice)
        self.bridge.status.connect(self.show_status)
        self.banner.actionRequested.connect(self._on_banner_action)
        self.browser.offlineDetected.connect(self._on_offline_detected)
        self.browser.reachable.connect(self.monitor.report_online)
        self.browser.treeLoaded.connect(self._on_tree_loaded)
        self.browser.listLoaded.connect(self._on_list_loaded)
        self.browser.scopeChanged.connect(self._on_scope_changed)
        self.browser.refreshed.connect(self._on_refreshed)
        self.monitor.onlineChanged.connect(self._on_online_changed)
        self.monitor.problem.connect(self._on_api_problem)
        self.artifact_list.artifactSelected.connect(self._on_artifact_selected)
        self.artifact_list.view.selectionModel().selectionChanged.connect(
            self.events.listSelectionChanged
        )
        self.artifact_list.view.activated.connect(self._retry_current)

    def _wire_views(self) -> None:
        """What the panes complete_build makes do."""
        self.viewer.offlineDetected.connect(self._on_offline_detected)
        self.details.linkActivated.connect(self.go_to)
        self.viewer.pinChanged.connect(self._on_pin_changed)
        self.viewer.saveNeedsConfirmation.connect(self._confirm_overwrite)
        self.preview.openExternallyRequested.connect(self.viewer.open_path)
        self.preview.saveAsRequested.connect(self.save_as)
        self.preview.failed.connect(self.show_status)

    # Slots of the first frame's actions that need what complete_build makes.
    @Slot()
    def _open_current_externally(self) -> None:
        self.complete_build()
        self.viewer.open_current_externally()

    @Slot()
    def _copy_current_id(self) -> None:
        self.complete_build()
        self.viewer.copy_current_id()

    @Slot()
    def _verify_current(self) -> None:
        self.complete_build()
        self.viewer.verify_current()

    @Slot()
    def _focus_details(self) -> None:
        self.complete_build()
        self.details.focus_first()

    @Slot(bool)
    def _show_details(self, on: bool) -> None:
        self.details.setVisible(on)  # the placeholder's visibility passes to the panel

    @Slot(object)
    def _retry_current(self, _index: Any = None) -> None:
        self.complete_build()
        self.viewer.retry_current()

    # -- connection ----------------------------------------------------------------------
    def attach(self, connection: Connection, *, refreshed: TreeRefresh | None = None) -> None:
        """Show this connection's data (replacing any earlier one). ``refreshed``: the
        connection's workflows and runs were refreshed already (what that found), so the
        refresh it starts with continues from there instead of asking the API again."""
        self.complete_build()
        self.connection = connection
        self._key_refused = False
        library = connection.library
        online = bool(library.online)
        self.browser.set_library(library, online=online, connected=connection.mode != "offline")
        self.viewer.set_library(library, online=online)
        self.monitor.set_library(library)
        self.events.libraryChanged.emit(library)
        # The host says which organisation's API this is; never the path or query.
        host = QUrl(connection.base_url).host()
        title = {"demo": "demo data", "offline": "not connected"}.get(connection.mode, host)
        self.setWindowTitle(f"Artifact Viewer — {title}" if title else "Artifact Viewer")
        if connection.mode == "offline":
            # No key yet: nothing to watch; the catalog from earlier sessions still browses.
            self.monitor.stop()
            self._show_online(None)
        else:
            self._show_online(online)
            self.monitor.start(initial=online)
        if connection.warning:
            self.bridge.info(connection.warning)
        self.browser.reload_tree()
        kind, ident = self._pending_scope or (ALL, ALL)
        self.browser.set_scope(kind, ident)
        if online and refreshed is not None:
            self.browser.refreshed_at_start(refreshed)
        elif online:
            self.browser.refresh_at_start()

    @property
    def library(self) -> Library | None:
        return self.connection.library if self.connection else None

    # -- slots ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """True when an API connection is configured (demo or a key), reachable or not."""
        return self.connection is not None and self.connection.mode != "offline"

    @Slot()
    def refresh(self) -> None:
        """F5: refresh from the API; without a connection, offer to connect instead."""
        if self.connection is not None and not self.connected:
            self.bridge.info(
                "Not connected: there is no API to refresh from. Connect to the Anon API "
                "(Ctrl+Shift+K) or explore the demo data.",
                action="reconnect",
            )
            return
        self.browser.refresh()

    @Slot()
    def _on_offline_detected(self) -> None:
        # Without a connection there is nothing to watch: "Not connected" stays.
        if self.connected:
            self.monitor.report_offline()

    @Slot()
    def focus_filter(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.selectAll()

    @Slot()
    def apply_filter(self) -> None:
        self.filter_timer.stop()  # applied now: the typing pause has nothing left to do
        if self.library is not None:
            self.browser.set_filter(parse_filter(self.filter_box.text()))

    @Slot()
    def show_filter_help(self) -> None:
        """A popup under the filter box: every term with an example; a click uses it."""
        menu = QMenu(self)
        menu.setObjectName("filterHelp")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.setToolTipsVisible(True)
        title = menu.addAction("Filter syntax (terms combine; any case)")
        title.setEnabled(False)
        for example, meaning in HELP_ROWS:
            action = menu.addAction(f"{example}    —  {meaning}")
            action.setData(example)
        menu.triggered.connect(self._use_filter_example)
        menu.popup(self.filter_box.mapToGlobal(self.filter_box.rect().bottomLeft()))

    @Slot(QAction)
    def _use_filter_example(self, action: QAction) -> None:
        example = action.data()
        if isinstance(example, str) and example:
            self.filter_box.setText(example)
            self.filter_box.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot(str)
    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    @Slot(str)
    def _on_banner_action(self, action: str) -> None:
        if action == "reconnect":
            self.connectWanted.emit()

    @Slot(object)
    def _on_api_problem(self, exc: BaseException) -> None:
        """The API answered but refused us: say so, rather than "Offline"."""
        if isinstance(exc, AuthError):
            self._key_refused = True
            self._show_online(False)
        self.bridge.error(exc)

    @Slot(bool)
    def _on_online_changed(self, online: bool) -> None:
        self.complete_build()
        if online:
            self._key_refused = False
        self.browser.set_online(online)
        self.viewer.set_online(online)
        self.events.onlineChanged.emit(online)
        self._show_online(online)
        notice = self.banner.notice
        if online and notice is not None and (notice.level == "warning" or notice.connection):
            self.banner.hide()  # it was about the connection, which is back

    def _show_online(self, online: bool | None) -> None:
        demo = self.connection is not None and self.connection.mode == "demo"
        if online is None:
            text, stem, tip = "Not connected", "disconnected", "No API connection yet."
        elif online:
            text = "Online · demo server" if demo else "Online"
            stem, tip = "online", "The API is reachable."
        elif self._key_refused:
            text, stem = "API key refused — cached data only", "disconnected"
            tip = "The API answered but refused the key. Connect… (Ctrl+Shift+K) to enter another."
        else:
            text, stem = "Offline — cached data only", "disconnected"
            tip = "The API cannot be reached; lists come from the local catalog. Retrying…"
        self.online_label.setText(text)
        self.online_label.setToolTip(tip)
        self.online_icon.setPixmap(icon(stem).pixmap(12, 12))

    @Slot()
    def _on_tree_loaded(self) -> None:
        if self._expanded and self.navigator.model.tree.workflows:
            self.navigator.set_expanded_ids(self._expanded)
            self._expanded = []
        if self.connection is None:
            return  # the cached catalog listed before connecting: the scope waits for it
        if self._pending_scope and self.navigator.select(
            *self._pending_scope, emit=self._pending_scope != self.browser.scope
        ):
            # A remembered scope the list already shows is only marked in the tree: listing
            # it again would replace the list (and one the user filtered meanwhile).
            self._pending_scope = None
        if self._last_chance:
            # Even the refreshed catalog lacks what was remembered: let it go.
            self._pending_scope = None
            self._last_chance = False
        self._update_actions()

    @Slot()
    def _on_refreshed(self) -> None:
        # The tree reload that follows a refresh is the last try for the remembered scope.
        self._last_chance = self._pending_scope is not None

    @Slot(str, str)
    def _on_scope_changed(self, kind: str, ident: str) -> None:
        self.complete_build()  # the features follow the scope
        if self._pending_scope is None and (kind, ident) != self._restored_scope:
            self._pending_artifact = ""  # the user went elsewhere: forget the remembered artifact
        self._update_actions()
        self.events.scopeChanged.emit(kind, ident)

    @Slot()
    def _on_list_loaded(self) -> None:
        if self._pending_artifact and self.artifact_list.select_id(self._pending_artifact):
            self._pending_artifact = ""

    @Slot(object)
    def _on_artifact_selected(self, artifact: object) -> None:
        self.complete_build()
        self.acts.set_artifact_enabled(artifact is not None)
        self._update_actions()
        if artifact is not None:
            self.views.show_preview()
        self.events.artifactSelected.emit(artifact)

    @Slot(str, str)
    def go_to(self, kind: str, ident: str) -> None:
        """Select a workflow or run (the details pane's links); a filter that hides it is
        cleared first, and the status bar says so."""
        if self.navigator.select(kind, ident):
            return
        what = "workflow" if kind == "workflow" else "run"
        if not self.navigator.model.find(kind, ident).isValid():
            self.show_status(
                f"That {what} is not in the local catalog; Refresh to load it from the API."
            )
            return
        hidden_by = self.filter_box.text().strip()
        if not hidden_by:
            return
        self.filter_box.clear()
        self.filter_timer.stop()
        self.apply_filter()
        if self.navigator.select(kind, ident):
            self.show_status(f"Filter “{hidden_by}” cleared: it hid this {what}.")

    def current_run_id(self) -> str | None:
        kind, ident = self.browser.scope
        if kind == RUN:
            return ident
        if not self._built:
            return None  # nothing can be selected before the window completes
        artifact = self.viewer.current
        return artifact.workflow_run_id if artifact is not None else None

    @Slot()
    def _update_actions(self) -> None:
        run_id = self.current_run_id()
        queued = self.viewer.queued_pins if self._built else ()
        pinned = run_id in self.navigator.model.tree.pinned or run_id in queued
        self.acts.set_run_enabled(run_id is not None, pinned)  # a waiting pin can be withdrawn

    @Slot()
    def pin_current_run(self) -> None:
        self.complete_build()
        run_id = self.current_run_id()
        if run_id:
            self.viewer.pin_run(run_id)

    @Slot()
    def unpin_current_run(self) -> None:
        self.complete_build()
        run_id = self.current_run_id()
        if run_id:
            self.viewer.unpin_run(run_id)

    @Slot(str, bool)
    def _on_pin_changed(self, _run_id: str, _pinned: bool) -> None:
        self.browser.reload_tree()
        self.browser.requery()

    def _tint_action_icons(self) -> None:
        palette = self.palette()
        for name in ("refresh", "save_as", "open_external", "pin", "verify", "focus_mode"):
            getattr(self.acts, name).setIcon(action_icon(name, palette))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Labels beside the icons while they fit with the filter box; icons alone (names in
        # tooltips) on narrow windows, so the filter box never moves into the overflow menu.
        style = (
            Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            if self.width() >= _TOOLBAR_LABELS_MIN_WIDTH
            else Qt.ToolButtonStyle.ToolButtonIconOnly
        )
        if hasattr(self, "toolbar") and self.toolbar.toolButtonStyle() != style:
            self.toolbar.setToolButtonStyle(style)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "toolbar"):
            self._tint_action_icons()  # light <-> dark: icons follow the text colour

    # -- space and keyboard --------------------------------------------------------------
    def panes(self) -> list[QWidget]:
        """The panes F6 cycles through, in reading order (visible ones only)."""
        candidates: list[QWidget] = [
            self.navigator.view,
            self.artifact_list.view,
            self.views,
            self.details,
        ]
        return [w for w in candidates if w.isVisibleTo(self)]

    def _pane_with_focus(self) -> int:
        focus = QApplication.focusWidget()
        for i, pane in enumerate(self.panes()):
            if focus is not None and (focus is pane or pane.isAncestorOf(focus)):
                return i
        return -1

    def _focus_pane(self, pane: QWidget) -> None:
        if pane is self.views:
            self.focus_preview()
        elif pane is self.details:
            self.details.focus_first()
        else:
            pane.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot()
    def next_pane(self) -> None:
        self.complete_build()
        panes = self.panes()
        if panes:
            self._focus_pane(panes[(self._pane_with_focus() + 1) % len(panes)])

    @Slot()
    def previous_pane(self) -> None:
        self.complete_build()
        panes = self.panes()
        if panes:
            here = self._pane_with_focus()
            self._focus_pane(panes[(here - 1) % len(panes) if here >= 0 else -1])

    @Slot()
    def focus_preview(self) -> None:
        """Alt+4: into the current centre view (the preview's own focus target)."""
        self.complete_build()
        current = self.views.currentWidget()
        if current is None:
            return
        target = current.focusProxy() or current
        if current is self.preview:
            self.preview.focus_content()
        else:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot(bool)
    def place_details(self, under_list: bool) -> None:
        """Details beside the preview (list above both), or under the list (preview beside)."""
        if under_list:
            self.list_column.insertWidget(0, self.artifact_list)
            self.list_column.insertWidget(1, self.details)
            self.right_split.setOrientation(Qt.Orientation.Horizontal)
            self.right_split.insertWidget(0, self.list_column)
            self.right_split.insertWidget(1, self.views)
            self.bottom_split.hide()
            self.list_column.show()
            width = max(self.right_split.width(), 600)
            self.right_split.setSizes([int(width * 0.35), width - int(width * 0.35)])
        else:
            self.bottom_split.insertWidget(0, self.views)
            self.bottom_split.insertWidget(1, self.details)
            self.right_split.setOrientation(Qt.Orientation.Vertical)
            self.right_split.insertWidget(0, self.artifact_list)
            self.right_split.insertWidget(1, self.bottom_split)
            self.list_column.hide()
            self.bottom_split.show()
        if self.acts.details_under_list.isChecked() != under_list:
            self.acts.details_under_list.setChecked(under_list)

    @Slot(bool)
    def set_focus_mode(self, on: bool) -> None:
        """Focus mode: the centre view gets the whole window; Esc or F11 brings the rest back."""
        self.complete_build()
        # Esc belongs to focus mode while it is on; the download's Cancel button stays.
        self.acts.give_escape_to_focus_mode(on)
        self.shortcut_yield.remember([self.acts.cancel_download, self.acts.leave_focus_mode])
        if on:
            chrome: list[QWidget] = [
                self.menuBar(),
                self.statusBar(),
                self.navigator,
                self.artifact_list,
                self.details,
                *self.findChildren(QToolBar),
            ]
            self._focus_hidden = [w for w in chrome if w.isVisible()]
            for widget in self._focus_hidden:
                widget.hide()
            self.focus_preview()
        else:
            for widget in self._focus_hidden:
                widget.show()
            self._focus_hidden = []
        if self.acts.focus_mode.isChecked() != on:
            self.acts.focus_mode.setChecked(on)

    @property
    def in_focus_mode(self) -> bool:
        return self.acts.focus_mode.isChecked()

    @Slot()
    def show_shortcuts(self) -> None:
        from artifact_viewer.ui.dialogs.shortcuts_dialog import ShortcutsDialog

        self.complete_build()  # every feature's keys are listed
        if self._shortcuts_dialog is not None:
            self._shortcuts_dialog.raise_()
            return
        self._shortcuts_dialog = ShortcutsDialog(self.menuBar(), self)
        self._shortcuts_dialog.destroyed.connect(self._forget_shortcuts_dialog)
        self._shortcuts_dialog.show()

    @Slot()
    def _forget_shortcuts_dialog(self) -> None:
        self._shortcuts_dialog = None

    @Slot()
    def show_about(self) -> None:
        from artifact_viewer.ui.dialogs.about import about_text

        box = QMessageBox(QMessageBox.Icon.NoIcon, "About Artifact Viewer", "", parent=self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(about_text(self.log_dir))
        box.open()

    @Slot()
    def open_log_folder(self) -> None:
        if self.log_dir is None:
            return
        self.log_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))

    # -- save as -------------------------------------------------------------------------
    @Slot()
    def save_as(self) -> None:
        self.complete_build()
        artifact = self.viewer.current
        if artifact is None:
            return
        dialog = QFileDialog(self, "Save artifact as")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # We ask about overwriting ourselves, after checking off the GUI thread.
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite, True)
        # Start where the last artifact was saved, else in Downloads or home (the process's
        # working directory means nothing to the user).
        candidates = [
            self.state.value("save_dir"),
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation),
            QDir.homePath(),
        ]
        dialog.setDirectory(next(c for c in candidates if c and QDir(c).exists()))
        dialog.selectFile(safe_file_name(artifact.name, artifact))
        dialog.fileSelected.connect(self.save_to)
        self.save_dialog = dialog
        dialog.destroyed.connect(self._forget_save_dialog)
        dialog.open()

    @Slot()
    def _forget_save_dialog(self) -> None:
        self.save_dialog = None

    @Slot(str)
    def save_to(self, path: str) -> None:
        self.state.set_value("save_dir", str(Path(path).parent))
        self.viewer.save_current(Path(path))

    @Slot(str)
    def _confirm_overwrite(self, path: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Replace file?",
            f"{Path(path).name} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("targetPath", path)
        box.finished.connect(self._on_overwrite_answer)
        self._overwrite_box = box
        box.open()

    @Slot(int)
    def _on_overwrite_answer(self, result: int) -> None:
        box = self._overwrite_box
        self._overwrite_box = None
        if box is not None and result == QMessageBox.StandardButton.Yes:
            self.viewer.save_current(Path(str(box.property("targetPath"))), overwrite=True)

    # -- state ---------------------------------------------------------------------------
    def _restore(self, *, docks: bool = True) -> None:
        """The saved size, panes and selection; ``docks``: the features' panes too (a staged
        window restores them when it completes)."""
        self.state.restore_geometry(self)
        if docks:
            self.state.restore_docks(self)
        self.acts.show_navigator.setChecked(self.state.value("show_navigator", "1") == "1")
        self.acts.show_details.setChecked(self.state.value("show_details", "1") == "1")
        if self.state.value("details_under_list", "0") == "1":
            self.place_details(True)
        self._restore_splitters()
        self.state.restore_header("navigator", self.navigator.view.header())
        self.state.restore_header("artifacts", self.artifact_list.view.horizontalHeader())
        if self.state.value("group_by_run", "0") == "1":
            self.acts.group_by_run.setChecked(True)
        kind, ident = self.state.value("scope_kind"), self.state.value("scope_id")
        if kind in (ALL, RUN, WORKFLOW, "offline") and ident:
            self._pending_scope = self._restored_scope = (kind, ident)
        self._pending_artifact = self.state.value("artifact")
        self._expanded = self.state.list_value("expanded")

    @Slot()
    def _restore_splitters(self) -> None:
        restored = [
            self.state.restore_splitter(name, split)
            for name, split in zip(_SPLITTERS, self._splitters(), strict=True)
        ]
        if not any(restored):
            # First launch: the preview gets at least 60 % of the width (1280 px and up);
            # the navigator and the details elide what does not fit, with tooltips.
            width, height = max(self.width(), 900), max(self.height(), 600)
            navigator = min(360, int(width * 0.2))
            right = width - navigator
            self.main_split.setSizes([navigator, right])
            self.right_split.setSizes([int(height * 0.3), height - int(height * 0.3)])
            details = min(300, int(width * 0.17))
            self.bottom_split.setSizes([right - details, details])
            self.list_column.setSizes([int(height * 0.55), height - int(height * 0.55)])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Splitters stretch while the window takes its final size; set them again once
            # it has, so the restored proportions are exactly the saved ones.
            QTimer.singleShot(0, self._restore_splitters)

    def _splitters(self) -> tuple[QSplitter, QSplitter, QSplitter, QSplitter]:
        return self.main_split, self.right_split, self.bottom_split, self.list_column

    def save_state(self) -> None:
        self.complete_build()  # the features' panes are part of the saved state
        if self.in_focus_mode:
            self.set_focus_mode(False)  # remember the panes, not the focus mode
        self.state.save_window(self)
        self.state.set_value("show_navigator", "1" if self.acts.show_navigator.isChecked() else "0")
        self.state.set_value("show_details", "1" if self.acts.show_details.isChecked() else "0")
        self.state.set_value(
            "details_under_list", "1" if self.acts.details_under_list.isChecked() else "0"
        )
        self.state.set_value("group_by_run", "1" if self.acts.group_by_run.isChecked() else "0")
        for name, split in zip(_SPLITTERS, self._splitters(), strict=True):
            self.state.save_splitter(name, split)
        self.state.save_header("navigator", self.navigator.view.header())
        self.state.save_header("artifacts", self.artifact_list.view.horizontalHeader())
        kind, ident = self.browser.scope
        self.state.set_value("scope_kind", kind)
        self.state.set_value("scope_id", ident)
        current = self.viewer.current
        self.state.set_value("artifact", current.id if current else "")
        self.state.set_value("expanded", self.navigator.expanded_ids())
        self.state.sync()

    def shutdown(self) -> None:
        """Stop timers and background work; safe to call twice."""
        self.events.shuttingDown.emit()  # features first: their work may use the pools
        self.filter_timer.stop()
        self.monitor.stop()
        if self._built:
            self.preview.cancel_loading()
        self.ops.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.shutdown()
        super().closeEvent(event)
