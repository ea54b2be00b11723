"""Import the previewers and their heavy libraries on the pool, ahead of the first click.

A previewer module pulls in pyarrow, orjson, numpy, Pillow or QtPdf: 0.1-0.3 s each on
first import. Imported on the GUI thread at the user's first click, that time is a frozen
window; imported here (a pool thread, after the window's first paint), the first click
finds them loaded. Importing a module creates no Qt objects, so any thread may do it.

<<<<<<< HEAD
A previewer class may also have a ``warm_up()`` static method (callable from any thread,
creating no Qt objects), run here too: the PDF view starts its helper process this way.
=======
What only the GUI thread may do follows in idle slices (:class:`IdleWarmup`): PySide6
creates a Qt class's Python type (and its enums) the first time code touches it, and a
call that returns a widget of a class Qt does not export (a scroll area's viewport) makes
it create every widget type it has not made yet, ~17 ms at once; a first open of a table
or log paid for those, and for the first item view and the first fonts, on the GUI thread.
>>>>>>> stalls2
"""

from __future__ import annotations

import importlib
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPointF, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews import registry
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

log = logging.getLogger(__name__)

# Modules the previewers import only on first use (sniffing, table statistics, queries).
LATER_MODULES = (
    "puremagic",
    "charset_normalizer",
    "artifact_viewer.previews.host",
    "artifact_viewer.previews.table.query",
    "artifact_viewer.previews.table.stats",
    "artifact_viewer.core.masking",
)


def warm_up(progress: Progress, cancel: CancelToken) -> float:
    """Worker: import every previewer's module and the modules they load later; seconds taken."""
    started = time.perf_counter()
    kinds = registry.known_kinds()
    for done, kind in enumerate(kinds):
        cancel.raise_if_cancelled()
        cls = registry.previewer_class(kind)  # cached: the click reuses the imported class
        prepare = getattr(cls, "warm_up", None)
        if callable(prepare):
            try:
                prepare()
            except Exception as exc:  # the view starts what it needs on first use instead
                log.info("warm-up: the %s view's preparation failed (%s)", kind, exc)
        progress(done + 1, len(kinds) + len(LATER_MODULES))
    for name in LATER_MODULES:
        cancel.raise_if_cancelled()
        try:
            importlib.import_module(name)
        except ImportError as exc:  # an optional helper: its feature reports it when used
            log.info("warm-up: %s not importable (%s)", name, exc)
    return time.perf_counter() - started


#: the longest an idle slice keeps running steps (a step started in time may end later)
SLICE_MS = 4.0
#: after user input, the idle steps wait this long without input before they go on
QUIET_MS = 300
#: events that mean a user is at work: their handlers come first
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)
#: texts drawn once in each font the table and the log use: digits, Latin with accents,
#: and the scripts whose fallback fonts would otherwise load during a first paint
_SAMPLE_TEXTS = (
    "0123456789 .,:;-+/()[]{}<>=_'\"@#%&*↵… ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
    "ÀÉÎÕÜàéîõüçñßøåæœ ąćęłńóśźż ÇĞİŞçğış ÁČĎĚŇŘŠŤŮŽ",
    "Αβγδε Привет Шалом",
    "中文字体 日本語のかなカナ 한국어 김민준",
)


def qt_type_steps() -> Iterator[Callable[[], object]]:
    """One step per Python type of a loaded Qt module that PySide6 has not created yet.

    Reading the attribute creates the type (and its enums): 0.1-3 ms each, ~80 ms for
    QtCore, QtGui and QtWidgets together.
    """
    for name in sorted(sys.modules):
        module = sys.modules.get(name)
        if not name.startswith("PySide6.Qt") or module is None:
            continue
        made = module.__dict__
        for attr in dir(module):
            if attr.startswith("Q") and attr not in made:
                yield _attribute(module, attr)


def _attribute(owner: object, attr: str) -> Callable[[], object]:
    return lambda: getattr(owner, attr, None)


def _draw_sample(font: Callable[[], QFont], text: str) -> Callable[[], object]:
    """A step: measure and draw ``text`` in ``font()`` once (the font, its fallbacks for
    the text's script, the glyph cache)."""

    def step() -> None:
        chosen = font()
        QFontMetrics(chosen).horizontalAdvance(text)
        image = QImage(64, 32, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        painter.setFont(chosen)
        painter.drawText(QPointF(0, 20), text)
        painter.end()

    return step


def _fixed_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def _item_view_steps() -> Iterator[Callable[[], object]]:
    """A small table view built and drawn once (the item views' first-use set-up)."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    held: dict[str, object] = {}

    def build() -> None:
        model = QStandardItemModel(2, 2)
        for row in range(2):
            for col in range(2):
                model.setItem(row, col, QStandardItem(f"Ab 1{row}.{col}"))
        view = QTableView()
        view.setModel(model)
        view.resize(160, 80)
        held.update(model=model, view=view)

    def draw() -> None:
        view = held.get("view")
        if isinstance(view, QTableView):
            view.render(QImage(160, 80, QImage.Format.Format_ARGB32_Premultiplied))

    def drop() -> None:
        view = held.pop("view", None)
        if isinstance(view, QTableView):
            view.setModel(None)
            view.deleteLater()
        held.clear()

    yield build
    yield draw
    yield drop


def gui_steps() -> Iterator[Callable[[], object]]:
    """What the first table or log open would otherwise do first, in small GUI-thread steps."""
    yield from qt_type_steps()
    app = QCoreApplication.instance()
    if isinstance(app, QApplication):
        for font in (QApplication.font, _fixed_font):
            for text in _SAMPLE_TEXTS:
                yield _draw_sample(font, text)
        yield from _item_view_steps()


class IdleWarmup(QObject):
    """Runs small steps on the GUI thread while it is idle, a slice per event-loop turn.

    Each slice (a zero-interval timer) runs steps until ``slice_ms`` have passed, then
    hands the loop back, so queued events and paints wait one slice at most. After user
    input (a click, a key, the wheel) no slice runs until ``quiet_ms`` pass without any.
    A failing step is logged and skipped. ``finished`` is emitted once every step ran or
    :meth:`stop` was called.
    """

    finished = Signal()

    def __init__(
        self,
        steps: Iterable[Callable[[], object]],
        *,
        slice_ms: float = SLICE_MS,
        quiet_ms: int = QUIET_MS,
        clock: Callable[[], float] = time.perf_counter,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._steps = iter(steps)
        self._slice_s = slice_ms / 1000.0
        self._quiet_ms = quiet_ms
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._run_slice)
        self._watching: QCoreApplication | None = None
        self._input_seen = False
        self._done = False
        #: steps run in each slice so far (how the work was spread)
        self.slices: list[int] = []
        #: slices put off because the user was at work
        self.deferred = 0
        #: the longest slice so far, in milliseconds of ``clock``
        self.longest_ms = 0.0

    def start(self) -> None:
        if self._done or self._timer.isActive():
            return
        app = QCoreApplication.instance()
        if app is not None and self._watching is None:
            app.installEventFilter(self)
            self._watching = app
        self._timer.start(0)

    def stop(self) -> None:
        """Run no more steps (the rest is left to whoever needs it first)."""
        self._finish()

    def done(self) -> bool:
        return self._done

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _INPUT_EVENTS:
            self._input_seen = True
        return False

    @Slot()
    def _run_slice(self) -> None:
        if self._done:
            return
        if self._input_seen:
            # The user is at work: their events, and what they start, come first.
            self._input_seen = False
            self.deferred += 1
            self._timer.start(self._quiet_ms)
            return
        started = self._clock()
        deadline = started + self._slice_s
        ran = 0
        while True:
            step = next(self._steps, None)
            if step is None:
                self._end_slice(ran, started)
                self._finish()
                return
            try:
                step()
            except Exception:  # a warm-up step must never break the window
                log.debug("idle warm-up step failed", exc_info=True)
            ran += 1
            if self._clock() >= deadline:
                break
        self._end_slice(ran, started)
        self._timer.start(0)

    def _end_slice(self, ran: int, started: float) -> None:
        self.slices.append(ran)
        self.longest_ms = max(self.longest_ms, (self._clock() - started) * 1000.0)

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        self._timer.stop()
        if self._watching is not None:
            self._watching.removeEventFilter(self)
            self._watching = None
        self._steps = iter(())
        self.finished.emit()


class Warmup:
    """The start-up warm-up: the imports on the pool, then :func:`gui_steps` in idle slices
    on the GUI thread. Cancel with :meth:`cancel`."""

    def __init__(self, on_done: Callable[[], None] | None = None) -> None:
        self._on_done = on_done
        self.idle: IdleWarmup | None = None
        self._cancelled = False
        self.task: Task | None = run_in_pool(
            warm_up, on_result=self._imported, on_error=self._failed
        )

    def _imported(self, seconds: object) -> None:
        log.info("Preview modules imported in %.2f s", seconds)
        self.task = None
        self._start_idle()

    def _failed(self, exc: BaseException) -> None:
        log.warning("Importing the preview modules ahead of need failed: %s", exc)
        self.task = None
        self._start_idle()

    def _start_idle(self) -> None:
        if self._cancelled:
            return
        idle = self.idle = IdleWarmup(gui_steps())
        idle.finished.connect(self._idle_done)
        idle.start()

    @Slot()
    def _idle_done(self) -> None:
        idle = self.idle
        if idle is not None:
            log.info(
                "Idle warm-up: %d steps in %d slices, the longest %.1f ms (%d put off for input)",
                sum(idle.slices),
                len(idle.slices),
                idle.longest_ms,
                idle.deferred,
            )
        if self._on_done is not None and not self._cancelled:
            self._on_done()

    def cancel(self) -> None:
        self._cancelled = True
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if self.idle is not None:
            self.idle.stop()


def start_warmup(on_done: Callable[[], None] | None = None) -> Warmup:
    """Start :func:`warm_up` on the pool, then the GUI-thread steps in idle slices (call
    from the GUI thread); ``on_done`` runs on the GUI thread once both are over (an import
    failure is logged and the idle steps still run)."""
    return Warmup(on_done)
