"""Composition root: paths, logging, settings, sessions, then the window.

Start-up order: the window is built and painted first, with nothing of the HTTP stack,
the keyring or the previewers imported; then the connection opens on a worker thread (the
cached catalog is listed before any network call), and the previewers are imported on the
pool ahead of the first click.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from artifact_viewer import __version__
from artifact_viewer.core.logs import setup_logging
from artifact_viewer.core.paths import AppPaths, app_paths
from artifact_viewer.core.settings import Settings, load_settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from artifact_viewer.demo.process import DemoProcess
    from artifact_viewer.ui.controllers.connection_flow import ConnectionFlow
    from artifact_viewer.ui.controllers.sessions import Sessions
    from artifact_viewer.ui.extensions import WindowExtension
    from artifact_viewer.ui.main_window import MainWindow
    from artifact_viewer.ui.smoke import SmokeRun

# Start-up time matters (the window should appear at once): modules that only the window's
# later work needs (httpx, the previews, the stand-in server) are imported where used.

log = logging.getLogger("artifact_viewer.ui")

# `--demo`: runs that move through their states while the window is open (one completes,
# one fails, one waits for input), a state every few seconds, so the run page and the
# notifications of watched runs have something to follow. Extra to the seeded runs.
DEMO_LIVE_RUNS = 3
DEMO_LIVE_STEP = 8.0


@dataclass
class App:
    """Everything :func:`build_app` made, in the order it was made (closed in reverse)."""

    paths: AppPaths
    settings: Settings
    sessions: Sessions
    window: MainWindow
    flow: ConnectionFlow
    demo_process: DemoProcess | None = None  # a stand-in server in a child process
    smoke_run: SmokeRun | None = None  # --smoke: opens one artifact of each kind, then quits

    @property
    def http(self) -> httpx.Client:
        """The app's one HTTP client (built on first use)."""
        return self.sessions.http

    def close(self) -> None:
        """Stop background work, close libraries and demo servers, then the HTTP client."""
        log.info("Shutting down")
        self.window.shutdown()
        self.sessions.close()  # closes the HTTP client it built
        if self.demo_process is not None:
            self.demo_process.stop()


def build_app(
    paths: AppPaths,
    settings: Settings,
    *,
    http: httpx.Client | None = None,
    demo_server: Any = None,
    extensions: list[WindowExtension] | None = None,
    demo_live_runs: int = 0,
    staged: bool = False,
) -> App:
    """Build the window and its services (needs a QApplication). Nothing connects yet:
    call ``app.flow.start(demo=...)``. ``extensions`` replaces the default features.
    ``http`` is the client to use (it is then the caller's to close); by default one is
    built by the first connection. ``demo_live_runs``: live runs on a demo server started
    in this process. ``staged``: the window first builds what lists the catalog, the rest
    (features included) once it has (:meth:`MainWindow.complete_build`)."""
    from artifact_viewer.ui.controllers.connection_flow import ConnectionFlow
    from artifact_viewer.ui.controllers.sessions import Sessions
    from artifact_viewer.ui.main_window import MainWindow
    from artifact_viewer.ui.window_state import WindowState

    log.info("Building sessions")
    sessions = Sessions(
        paths,
        settings,
        http,
        demo_server=demo_server,
        demo_live_runs=demo_live_runs,
        demo_live_step=DEMO_LIVE_STEP,
    )
    log.info("Building the main window")
    window = MainWindow(
        state=WindowState(paths.config_dir),
        max_downloads=settings.max_parallel_downloads,
        extensions=(window_extensions if staged else list(window_extensions()))
        if extensions is None
        else extensions,
        log_dir=paths.log_dir,
        staged=staged,
    )
    flow = ConnectionFlow(window, sessions)
    return App(paths, settings, sessions, window, flow)


def window_extensions() -> Iterator[WindowExtension]:
    """The features that add views, panes and actions to the window (ui.extensions), each
    module imported when its feature is next (a staged window installs one per turn)."""
    from artifact_viewer.ui.features.bundle import BundleFeature

    yield BundleFeature()
    from artifact_viewer.ui.features.notes import NotesFeature

    yield NotesFeature()
    from artifact_viewer.ui.features.redacted_view import RedactedViewExtension

    yield RedactedViewExtension()
    from artifact_viewer.ui.features.data_menu import DataMenuExtension

    yield DataMenuExtension()
    from artifact_viewer.ui.compare.feature import CompareFeature

    yield CompareFeature()
    from artifact_viewer.ui.features.save_many import SaveManyFeature

    yield SaveManyFeature()
    from artifact_viewer.ui.features.search import SearchFeature

    yield SearchFeature()
    from artifact_viewer.ui.features.runs import RunFeature

    yield RunFeature()
    from artifact_viewer.ui.features.offline import OfflineHonesty

    yield OfflineHonesty()
    from artifact_viewer.ui.features.downloads import DownloadsFeature

    yield DownloadsFeature()


def _install_qt_message_handler() -> None:
    """Qt's own warnings go to our (redacted) log instead of stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("artifact_viewer.ui.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: object, message: str) -> None:
        qt_log.log(levels.get(kind, logging.WARNING), "%s", message)

    qInstallMessageHandler(handler)


def _install_excepthook(window: Any) -> None:
    """An exception escaping a slot is logged and shown as one line, never as a traceback."""

    from artifact_viewer.core.errors import user_message

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("Unhandled error", exc_info=(kind, exc, tb))
        try:
            window.bridge.error(exc)
        except Exception:  # the window may be gone already
            print(user_message(exc), file=sys.stderr)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.error("Unhandled error in %s", args.thread, exc_info=args.exc_value)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def _quit_on_signals(qt_app: Any) -> Any:
    """Ctrl+C / SIGTERM close the window cleanly (Qt's loop otherwise never lets Python see them)."""
    import signal

    from PySide6.QtCore import QTimer

    def request_quit(_signum: int, _frame: object) -> None:
        qt_app.closeAllWindows()
        qt_app.quit()

    signal.signal(signal.SIGINT, request_quit)
    signal.signal(signal.SIGTERM, request_quit)
    # Wake the interpreter regularly so the handlers above get to run.
    ticker = QTimer()
    ticker.timeout.connect(_noop)
    ticker.start(250)
    return ticker


def _noop() -> None:
    """Target of the signal ticker: returning to Python is all it needs to do."""


def _start_demo_process(live_runs: int = 0) -> Any:
    """The stand-in server in a child process, or None (then it starts in this process)."""
    from artifact_viewer.demo.process import DemoProcess, DemoProcessError

    try:
        return DemoProcess(live_runs=live_runs, live_step=DEMO_LIVE_STEP).start()
    except DemoProcessError as exc:
        log.warning("Demo server in a child process unavailable (%s); starting it here", exc)
        return None


# The preview modules are imported on the pool this long after the window is shown, unless
# the catalog is listed sooner: the first listing should not share the CPU with them.
WARMUP_DELAY_MS = 3000


class GuiRuntime:
    """What every Qt entry point of the window runs besides the window itself.

    The garbage collector on the GUI thread (cycles holding Qt objects must never be
    collected on a worker), and, once the window has painted, the preview modules imported
    on the pool (:mod:`artifact_viewer.previews.warmup`) so the first click on a file does
    not freeze the window while pyarrow or QtPdf load. The benchmarks set themselves up
    through this class too, so they measure what a user gets.
    """

    def __init__(self, qt_app: Any) -> None:
        from artifact_viewer.qt import binding

        self.collector = binding.MainThreadGarbageCollector(parent=qt_app)
        self._warmup: Any = None
        self._idle = False

    def start(self) -> GuiRuntime:
        self.collector.start()
        return self

    def after_first_paint(self) -> None:
        """Start importing the preview modules on the pool (once)."""
        if self._warmup is not None:
            return
        from artifact_viewer.previews.warmup import start_warmup

        self._warmup = start_warmup(on_done=self._warmed_up)

    def _warmed_up(self) -> None:
        # What start-up imported lives as long as the app: out of the collector's reach.
        self.collector.freeze()
        self._idle = True

    def idle(self) -> bool:
        """True once the start-up work that runs after the first paint has finished."""
        return self._idle

    def stop(self) -> None:
        if self._warmup is not None:
            self._warmup.cancel()
        self.collector.stop()


def start_gui_runtime(qt_app: Any, *, warm_up_now: bool = True) -> GuiRuntime:
    """Start the :class:`GuiRuntime` for ``qt_app`` (a QApplication); with ``warm_up_now``
    (no window to wait for) the preview modules start importing at once."""
    from artifact_viewer.qt import binding

    binding.install()  # before any signal is emitted
    runtime = GuiRuntime(qt_app).start()
    if warm_up_now:
        runtime.after_first_paint()
    return runtime


def after_first_paint(window: Any, callback: Any, fallback_ms: int = 1000) -> Any:
    """Call ``callback()`` once, on the event-loop turn after ``window`` first painted (or
    after ``fallback_ms`` if it never paints, e.g. started minimised). Returns the watcher."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def __init__(self) -> None:
            super().__init__(window)
            self.done = False
            window.installEventFilter(self)
            QTimer.singleShot(fallback_ms, self, self.fire)

        def eventFilter(self, watched: Any, event: Any) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint and not self.done:
                QTimer.singleShot(0, self, self.fire)  # once this paint is on screen
            return False

        def fire(self) -> None:
            if self.done:
                return
            self.done = True
            window.removeEventFilter(self)
            callback()

    return FirstPaint()


def _warm_up_after_listing(app: App, runtime: GuiRuntime) -> None:
    """Warm up once the window lists the catalog (navigator and list), or after
    WARMUP_DELAY_MS at the latest: the first listing does not share the CPU with it."""
    from PySide6.QtCore import QTimer

    browser = app.window.browser
    pending = {"tree", "list"}

    def listed(part: str) -> None:
        pending.discard(part)
        if not pending:
            runtime.after_first_paint()

    browser.treeLoaded.connect(lambda: listed("tree"))
    browser.listLoaded.connect(lambda: listed("list"))
    QTimer.singleShot(WARMUP_DELAY_MS, runtime.after_first_paint)


def gui_main(demo: bool = False, verbose: bool = False, smoke: bool = False) -> int:
    """Start the window (``demo``: against an in-process stand-in server). Returns the exit code.

    ``smoke``: open one artifact of each kind, then quit (0 only if all rendered)."""
    if "--demo" in sys.argv[1:]:
        demo = True  # also honoured when started as the gui-script entry point
    # --smoke opens one artifact of each kind: it wants data that holds still.
    live_runs = 0 if smoke else DEMO_LIVE_RUNS
    paths = app_paths()
    # A first demo start spawns the server first of all, so it starts on another core while
    # this process builds the window. When a demo catalog was synced before, the window
    # lists it first and the server starts once the window is up (not sharing the CPU
    # with the window's start).
    from artifact_viewer.ui.controllers.sessions import demo_paths

    spawn_later = demo and demo_paths(paths).catalog_path.is_file()
    demo_process = _start_demo_process(live_runs) if demo and not spawn_later else None
    paths = paths.ensure()
    log_file = setup_logging(paths, verbose)
    log.info("artifact-viewer %s starting (demo=%s); log at %s", __version__, demo, log_file)
    if demo_process is not None:
        log.info("Demo server starting in a child process (pid %s)", demo_process.pid)
    settings = load_settings(paths)
    log.info("Settings loaded")

    from PySide6.QtWidgets import QApplication

    from artifact_viewer.qt import binding
    from artifact_viewer.ui.icons import app_icon

    binding.install()  # before any signal is emitted

    _install_qt_message_handler()
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Artifact Viewer")
    qt_app.setApplicationVersion(__version__)
    qt_app.setDesktopFileName("com.anon.ArtifactViewer")  # the .desktop entry's id
    qt_app.setWindowIcon(app_icon())
    # Cycles holding Qt objects are collected on the GUI thread, never a worker's.
    runtime = start_gui_runtime(qt_app, warm_up_now=False)
    # Staged: the first frame is built from what it shows (the navigator listing the cached
    # catalog); the preview, details and the features follow on the next event-loop turn.
    app = build_app(
        paths, settings, demo_server=demo_process, demo_live_runs=live_runs, staged=True
    )
    app.demo_process = demo_process
    _install_excepthook(app.window)
    ticker = _quit_on_signals(qt_app)
    app.window.show()
    # The cached catalog is read on the pool while the window paints; it is listed (and
    # the connection opened) once it has.
    app.flow.read_cached(demo=demo)

    def connect() -> None:
        # After the first paint: the window is on screen before the connection (and the
        # HTTP stack, the keyring and the library it imports) is touched.
        # What start-up built so far (modules, the window) lives as long as the app: out of
        # the collector's reach, so reading the catalog does not trigger a full collection
        # over it on the GUI thread.
        runtime.collector.freeze()
        if spawn_later:
            app.demo_process = _start_demo_process(live_runs)  # None: it starts in-process
            app.sessions.demo_server = app.demo_process
        if smoke:
            from artifact_viewer.ui.smoke import start_smoke

            app.window.complete_build()

            app.smoke_run = start_smoke(app)  # quits the event loop with its verdict
        app.flow.start(demo=demo)
        _warm_up_after_listing(app, runtime)

    painted = after_first_paint(app.window, connect)
    log.info("Window shown; entering the event loop")
    try:
        code = qt_app.exec()
    finally:
        ticker.stop()
        painted.deleteLater()
        app.close()
        runtime.stop()
        # Delete the window now, while Python runs: left to PySide's exit handler it would
        # close (and run Python event filters) after the interpreter began to shut down.
        import shiboken6

        if shiboken6.isValid(app.window):
            shiboken6.delete(app.window)
    log.info("Exited with code %s", code)
    from artifact_viewer.ui.features.data_menu import wipe_requested

    if wipe_requested(qt_app):  # "Remove everything from this computer", once all is closed
        from artifact_viewer.core.wipe import wipe

        wipe(paths)
    return int(code)
