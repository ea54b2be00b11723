"""Smoke mode: the window opens one artifact of each kind, headless, then quits with a verdict."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal, Slot

from artifact_viewer.core import sniff as sn
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import user_message
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.store_models import ArtifactQuery

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library
    from artifact_viewer.qt.worker import Progress

log = logging.getLogger(__name__)

# Artifact kind (by MIME type) -> the view it must open in. A kind whose previewer is missing
# from a build falls back to raw text or hex, so the view is checked, not just "no error".
EXPECTED_VIEWS: dict[str, str] = {
    "json": sn.JSON,
    "csv": sn.TABLE,
    "png": sn.IMAGE,
    "pdf": sn.PDF,
    "log": sn.LOG,
    "xml": sn.XML,
    "octet-stream": sn.HEX,
}
KINDS = tuple(EXPECTED_VIEWS)
_MIME_KINDS = {
    "application/json": "json",
    "text/csv": "csv",
    "image/png": "png",
    "application/pdf": "pdf",
    "text/plain": "log",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/octet-stream": "octet-stream",
}
DEFAULT_TIMEOUT_MS = 120_000
EXIT_SMOKE_FAILED = 1


def kind_of(artifact: Artifact) -> str | None:
    """The smoke kind of an artifact, from its MIME type (None: not one we exercise)."""
    mime = (artifact.mime_type or "").split(";", 1)[0].strip().lower()
    return _MIME_KINDS.get(mime)


def pick_one_of_each(artifacts: Iterable[Artifact]) -> dict[str, Artifact]:
    """The smallest artifact of each kind, in :data:`KINDS` order (kinds absent are left out)."""
    chosen: dict[str, Artifact] = {}
    for artifact in sorted(artifacts, key=lambda a: (a.file_size or 0, a.id)):
        kind = kind_of(artifact)
        if kind is not None and kind not in chosen:
            chosen[kind] = artifact
    return {kind: chosen[kind] for kind in KINDS if kind in chosen}


def list_artifacts(library: Library, _p: Progress, _c: CancelToken) -> list[Artifact]:
    """Every artifact the API lists, refreshed into the catalog first (pool thread)."""
    library.refresh_artifacts()
    return list(library.artifacts(ArtifactQuery()))


class SmokeRun(QObject):
    """Selects one artifact per kind in ``window``, waits for each preview to settle, then
    reports on ``out`` and quits the application with 0 only if every kind rendered.

    Signals:
        done(int): the verdict (exit code), emitted once, just before the app is told to quit.
    """

    done = Signal(int)

    def __init__(
        self,
        window: Any,
        *,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        out: TextIO | None = None,
        quit_app: bool = True,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.out = out if out is not None else sys.stdout
        self.quit_app = quit_app
        self.results: dict[str, str] = {}  # kind -> "" (rendered) or why not
        self._queue: list[tuple[str, Artifact]] = []
        self._current: tuple[str, Artifact] | None = None
        self._shown = False
        self._started = False
        self._listing = False
        self._finished = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._on_timeout)
        window.preview.loadingChanged.connect(self._on_loading_changed)
        window.artifact_list.artifactSelected.connect(self._on_selected)
        window.viewer.previewShown.connect(self._on_preview_shown)
        window.viewer.previewUnavailable.connect(self._on_unavailable)

    @Slot(object)
    def start(self, _connection: object = None) -> None:
        """Begin once the window is attached to a library (connect to ``flow.attached``)."""
        if self._started:
            return
        self._started = True
        self._timer.start()
        library = self.window.library
        if library is not None and library.online:
            # The window refreshes the catalog as it attaches; the list resets when that lands.
            self.window.browser.refreshed.connect(self._list)
        else:
            self._list()

    @Slot()
    def _list(self) -> None:
        if self._listing:
            return
        self._listing = True
        self.window.ops.run(
            list_artifacts,
            self.window.library,
            on_result=self._on_listed,
            on_error=self._on_list_failed,
        )

    @Slot(object)
    def _on_listed(self, artifacts: list[Artifact]) -> None:
        chosen = pick_one_of_each(artifacts)
        for kind in KINDS:
            if kind not in chosen:
                self.results[kind] = "no artifact of this kind was listed"
        self._queue = list(chosen.items())
        self._next()

    @Slot(object)
    def _on_list_failed(self, exc: BaseException) -> None:
        for kind in KINDS:
            self.results[kind] = f"listing failed: {user_message(exc)}"
        self._finish()

    @Slot()
    def _next(self) -> None:
        if self._finished:
            return
        if not self._queue:
            self._finish()
            return
        self._current = self._queue.pop(0)
        self._shown = False
        log.info("Smoke: opening the %s artifact", self._current[0])
        self.window.viewer.select(self._current[1])

    def _is_current(self, artifact_id: str) -> bool:
        return self._current is not None and self._current[1].id == artifact_id

    def _on_screen(self) -> bool:
        """Whether the window still shows the artifact under test (a list reset clears it)."""
        shown = self.window.viewer.current
        return shown is not None and self._is_current(shown.id)

    @Slot(object)
    def _on_selected(self, artifact: object) -> None:
        if self._current is not None and not self._on_screen():
            QTimer.singleShot(0, self._reselect)

    @Slot()
    def _reselect(self) -> None:
        if self._current is not None and not self._on_screen():
            log.info(
                "Smoke: the selection moved away; opening the %s artifact again", self._current[0]
            )
            self._shown = False
            self.window.viewer.select(self._current[1])

    @Slot(str)
    def _on_preview_shown(self, artifact_id: str) -> None:
        if not self._is_current(artifact_id):
            return
        self._shown = True
        if not self._preview_loading():
            self._judge()

    @Slot(bool)
    def _on_loading_changed(self, loading: bool) -> None:
        if not loading and self._shown and self._on_screen():
            self._judge()

    @Slot(str, str)
    def _on_unavailable(self, artifact_id: str, reason: str) -> None:
        if self._is_current(artifact_id) and self._current is not None:
            self._record(self._current[0], f"not fetched: {reason}")

    def _preview_loading(self) -> bool:
        is_loading = getattr(self.window.preview, "is_loading", None)
        return bool(is_loading()) if callable(is_loading) else False

    def _judge(self) -> None:
        if self._current is None:
            return
        kind = self._current[0]
        preview = self.window.preview
        error = preview.last_error() if hasattr(preview, "last_error") else ""
        view = preview.current_kind() if hasattr(preview, "current_kind") else None
        if error:
            self._record(kind, error)
        elif view != EXPECTED_VIEWS[kind]:
            self._record(kind, f"opened in the {view or 'no'} view, not {EXPECTED_VIEWS[kind]}")
        else:
            self._record(kind, "")

    def _record(self, kind: str, problem: str) -> None:
        artifact = self._current[1] if self._current is not None else None
        self._current = None
        self._shown = False
        self.results[kind] = problem
        name = artifact.name if artifact is not None else "?"
        if problem:
            log.warning("Smoke: %s (%s) failed: %s", kind, name, problem)
        else:
            log.info("Smoke: %s (%s) rendered", kind, name)
        # Next turn of the event loop: the preview is still inside its own signal here.
        QTimer.singleShot(0, self._next)

    @Slot()
    def _on_timeout(self) -> None:
        if self._current is not None:
            self.results[self._current[0]] = "timed out"
        for kind, _artifact in self._queue:
            self.results[kind] = "not reached before the time limit"
        for kind in KINDS:
            self.results.setdefault(kind, "not reached before the time limit")
        self._queue = []
        self._current = None
        self._finish()

    @property
    def exit_code(self) -> int:
        ok = all(self.results.get(kind) == "" for kind in KINDS)
        return 0 if ok else EXIT_SMOKE_FAILED

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._timer.stop()
        for kind in KINDS:
            problem = self.results.get(kind, "not reached")
            print(f"smoke: {kind}: {'ok' if not problem else 'FAILED: ' + problem}", file=self.out)
        rendered = sum(1 for kind in KINDS if self.results.get(kind) == "")
        print(f"smoke: {rendered} of {len(KINDS)} kinds rendered", file=self.out)
        code = self.exit_code
        self.done.emit(code)
        if self.quit_app:
            app = QCoreApplication.instance()
            if app is not None:
                app.exit(code)


def start_smoke(app: Any, **kwargs: Any) -> SmokeRun:
    """Arm smoke mode on a built :class:`artifact_viewer.app.App` before ``flow.start``."""
    run = SmokeRun(app.window, **kwargs)
    app.flow.attached.connect(run.start)
    return run
