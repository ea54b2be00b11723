"""File -> Export run... / Import bundle..., and bundles dropped on the window.

The work runs on the window's pool (core.bundle); a bottom pane shows progress and a Cancel
button. After an import the navigator and the list are read again from the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QEvent, QObject, QStandardPaths, Qt, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QWidget,
)

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import BundleError
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.units import human_size
from artifact_viewer.qt.progress_pane import ProgressPane
from artifact_viewer.qt.worker import Task
from artifact_viewer.ui.extensions import WindowSlots

if TYPE_CHECKING:
    # The bundle engine is imported by the work functions, on the pool, when first used.
    from artifact_viewer.core.bundle import ExportReport, ImportReport
    from artifact_viewer.core.library import Library

BUNDLE_SUFFIX = ".zip"


UNMASKED_EXPORT = (
    "Redacted view: the bundle holds the files as they are, unmasked (the view masks only "
    "what is on screen)."
)


def export_work(
    library: Library,
    run_ids: Sequence[str],
    target: Path,
    overwrite: bool,
    progress: ProgressFn,
    cancel: CancelToken,
) -> ExportReport:
    from artifact_viewer.core.bundle import export_runs

    return export_runs(
        library, run_ids, target, overwrite=overwrite, progress=progress, cancel=cancel
    )


def import_work(
    library: Library, path: Path, progress: ProgressFn, cancel: CancelToken
) -> ImportReport:
    from artifact_viewer.core.bundle import import_bundle

    return import_bundle(library, path, progress=progress, cancel=cancel)


def dropped_bundles(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    """The local ``.zip`` files being dragged (empty if anything else is among them)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    if not paths or len(paths) != len(mime.urls()):
        return []
    if not all(p.suffix.lower() == BUNDLE_SUFFIX for p in paths):
        return []
    return paths


class HandoffPane(ProgressPane):
    """What the bundle work is doing: a line of text, a progress bar and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("No export or import running.", parent=parent)
        self.setObjectName("handoffPane")


class BundleFeature(QObject):
    """Export the run in view, import bundles (menu or drag and drop), one job at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.slots: WindowSlots | None = None
        self.token: CancelToken | None = None
        self.queue: list[Path] = []
        self.export_ids: list[str] = []  # the runs the open export dialog is for
        self.dialog: QFileDialog | None = None

    # -- wiring ------------------------------------------------------------------------------

    def install(self, slots: WindowSlots) -> None:
        self.slots = slots
        window = slots.window
        self.pane = HandoffPane()
        self.dock = slots.add_pane("handoff", "Export / import", self.pane)
        self.pane.cancel_button.clicked.connect(self.cancel)
        self.export_action = QAction("&Export run(s)…", window)
        self.export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_action.setStatusTip(
            "Write the selected runs (or the run in view), their files and notes to a bundle"
        )
        self.export_action.triggered.connect(self.ask_export)
        self.import_action = QAction("&Import bundle…", window)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.import_action.setStatusTip("Add the runs of a bundle (works offline)")
        self.import_action.triggered.connect(self.ask_import)
        slots.needs_api(
            self.export_action,
            "this run has files that are not cached; downloading them needs the API",
            when=lambda: slots.uncached_runs(slots.selected_run_ids()),
        )
        file_menu = slots.menu("&File")
        existing = file_menu.actions()
        if existing:
            file_menu.insertActions(existing[0], [self.export_action, self.import_action])
            file_menu.insertSeparator(existing[0])
        else:
            file_menu.addActions([self.export_action, self.import_action])
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        slots.events.shuttingDown.connect(self._stop_filtering)
        slots.events.scopeChanged.connect(self.update_actions)
        slots.events.artifactSelected.connect(self.update_actions)
        slots.events.libraryChanged.connect(self.update_actions)
        self.update_actions()

    @property
    def busy(self) -> bool:
        return self.token is not None

    @Slot()
    @Slot(object)
    @Slot(str, str)
    def update_actions(self, *_args: object) -> None:
        assert self.slots is not None
        has_library = self.slots.services.library() is not None
        self.export_action.setEnabled(
            has_library and not self.busy and self.slots.current_run_id() is not None
        )
        self.import_action.setEnabled(has_library and not self.busy)

    @Slot()
    def _stop_filtering(self) -> None:
        """No Python event filter may outlive the window's last event loop."""
        if self.slots is not None:
            self.slots.window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
            event, QDragEnterEvent | QDropEvent
        ):
            if dropped_bundles(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            paths = dropped_bundles(event)
            if paths:
                event.acceptProposedAction()
                self.import_files(paths)
                return True
        return False

    def _start_dir(self) -> str:
        assert self.slots is not None
        candidates = [
            self.slots.services.state.value("bundle_dir"),
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation),
            QDir.homePath(),
        ]
        return str(next(c for c in candidates if c and QDir(str(c)).exists()))

    # -- export ------------------------------------------------------------------------------

    @Slot()
    def ask_export(self) -> None:
        assert self.slots is not None
        run_ids = self.slots.selected_run_ids()
        if not run_ids or self.busy:
            return
        dialog = QFileDialog(self.slots.window, "Export runs as a bundle")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("Bundles (*.zip)")
        dialog.setDefaultSuffix("zip")
        dialog.setDirectory(self._start_dir())
        dialog.selectFile(f"{run_ids[0]}.zip" if len(run_ids) == 1 else f"{len(run_ids)} runs.zip")
        self.export_ids = run_ids
        dialog.fileSelected.connect(self._on_export_chosen)
        self.dialog = dialog
        dialog.open()

    @Slot(str)
    def _on_export_chosen(self, path: str) -> None:
        run_ids, self.export_ids = self.export_ids, []
        self.dialog = None
        if run_ids:
            # The dialog asked before replacing an existing file.
            self.export_to(run_ids, Path(path), overwrite=True)

    def export_to(self, run_ids: Sequence[str], target: Path, *, overwrite: bool = False) -> None:
        """Start exporting ``run_ids`` to ``target`` in the background."""
        assert self.slots is not None
        library = self.slots.services.library()
        if library is None or self.busy:
            return
        self.slots.services.state.set_value("bundle_dir", str(target.parent))
        if self.slots.redaction().enabled:
            self.slots.services.bridge.info(UNMASKED_EXPORT)
        self._begin(f"Exporting {len(run_ids)} run(s) to {target.name}…")
        self._watch(
            self.slots.services.ops.run(
                export_work,
                library,
                list(run_ids),
                target,
                overwrite,
                on_result=self._on_exported,
                on_error=self._on_failed,
                on_progress=self.pane.show_progress,
                cancel=self.token,
                download=True,
            )
        )

    @Slot(object)
    def _on_exported(self, result: ExportReport) -> None:
        text = (
            f"Exported {result.runs} run(s), {result.files} file(s)"
            f" ({human_size(result.bytes)}) to {result.path.name}."
        )
        self._end(text)
        assert self.slots is not None
        self.slots.services.bridge.info(text)

    # -- import ------------------------------------------------------------------------------

    @Slot()
    def ask_import(self) -> None:
        assert self.slots is not None
        if self.busy:
            return
        dialog = QFileDialog(self.slots.window, "Import bundle")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilter("Bundles (*.zip)")
        dialog.setDirectory(self._start_dir())
        dialog.filesSelected.connect(self._on_import_chosen)
        self.dialog = dialog
        dialog.open()

    @Slot(list)
    def _on_import_chosen(self, paths: list[str]) -> None:
        self.dialog = None
        self.import_files([Path(p) for p in paths])

    def import_files(self, paths: Sequence[Path]) -> None:
        """Import bundles one after another in the background."""
        self.queue.extend(paths)
        self._next_import()

    def _next_import(self) -> None:
        assert self.slots is not None
        library = self.slots.services.library()
        if self.busy or not self.queue:
            return
        if library is None:
            self.queue.clear()
            self.slots.services.bridge.info("Open the catalog first (connect, or work offline).")
            return
        path = self.queue.pop(0)
        self.slots.services.state.set_value("bundle_dir", str(path.parent))
        self._begin(f"Importing {path.name}…")
        self._watch(
            self.slots.services.ops.run(
                import_work,
                library,
                path,
                on_result=self._on_imported,
                on_error=self._on_failed,
                on_progress=self.pane.show_progress,
                cancel=self.token,
                download=True,
            )
        )

    @Slot(object)
    def _on_imported(self, result: ImportReport) -> None:
        assert self.slots is not None
        if result.changed:
            text = (
                f"Imported {result.path.name}: {result.runs} run(s), {result.artifacts}"
                f" artifact(s); {result.new_runs} new run(s), {result.new_files} file(s) added."
            )
            self.slots.reload_lists()
        else:
            text = f"Nothing new: {result.path.name} was already imported."
        self._end(text)
        self.slots.services.bridge.info(text)
        self._next_import()

    # -- shared ------------------------------------------------------------------------------

    def _begin(self, text: str) -> None:
        self.token = CancelToken()
        self.pane.start(text)
        self.dock.setVisible(True)
        self.update_actions()

    def _end(self, text: str) -> None:
        self.token = None
        self.pane.finish(text)
        self.update_actions()

    def _watch(self, task: Task | None) -> None:
        """A cancelled task reports nothing: hear when its work has unwound all the same."""
        if task is None:
            self._end("The window is closing.")
        else:
            task.carrier.done.connect(self._on_task_done)

    @Slot()
    def _on_task_done(self) -> None:
        if self.token is not None and self.token.cancelled:
            self._end("Cancelled: nothing was written or imported.")
            assert self.slots is not None
            self.slots.services.bridge.show_status("Cancelled.")

    @Slot()
    def cancel(self) -> None:
        self.queue.clear()
        if self.token is not None:
            self.token.cancel()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        assert self.slots is not None
        text = str(getattr(exc, "message", "") or type(exc).__name__)
        if isinstance(exc, BundleError) and exc.details:
            first = next(iter(exc.details.values()))
            text = f"{text} ({first}{'…' if len(exc.details) > 1 else ''})"
        self._end(text)
        self.slots.services.bridge.error(exc)
        self._next_import()
