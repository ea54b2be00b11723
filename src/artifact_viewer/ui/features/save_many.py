"""Save selected… and Save run…: many artifacts into one folder, each copy verified.

The list allows several rows to be selected (Shift/Ctrl); the work runs on the download
pool (core.save_many) with progress and Cancel in a pane; names are unique and prefixed by
run when several runs are involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QObject, QStandardPaths, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.core.save_many import SaveManyReport, save_many
from artifact_viewer.core.store_models import ArtifactQuery
from artifact_viewer.qt.progress_pane import ProgressPane
from artifact_viewer.qt.worker import Task
from artifact_viewer.ui.extensions import WindowSlots

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library


UNMASKED_SAVE = (
    "Redacted view: the files are saved as they are, unmasked (the view masks only what is "
    "on screen)."
)


def run_artifact_ids(library: Library, run_ids: Sequence[str]) -> list[str]:
    ids: list[str] = []
    for run_id in run_ids:
        ids.extend(a.id for a in library.artifacts(ArtifactQuery(run_id=run_id)))
    return ids


def save_work(
    library: Library,
    artifact_ids: Sequence[str] | None,
    run_ids: Sequence[str],
    folder: Path,
    progress: ProgressFn,
    cancel: CancelToken,
) -> SaveManyReport:
    ids = list(artifact_ids) if artifact_ids else run_artifact_ids(library, run_ids)
    return save_many(library, ids, folder, progress=progress, cancel=cancel)


class SavePane(ProgressPane):
    """What the save is doing: a line of text, a progress bar ("3 of 10") and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Nothing being saved.", counted=True, parent=parent)
        self.setObjectName("savePane")


class SaveManyFeature(QObject):
    """File -> Save selected… (Ctrl+Shift+S) and Save run…; also on the lists' menus."""

    def install(self, slots: WindowSlots) -> None:
        self.setParent(slots.window)
        self.slots = slots
        self.token: CancelToken | None = None
        self.task: Task | None = None
        self.last_report: SaveManyReport | None = None
        self._pending: tuple[list[str] | None, list[str]] = (None, [])
        self.pane = SavePane()
        self.dock = slots.add_pane("save", "Saving files", self.pane)
        self.pane.cancel_button.clicked.connect(self.cancel)
        self.save_selected = QAction("Save &selected…", slots.window)
        self.save_selected.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.save_selected.setToolTip(
            "Save the selected artifacts into a folder, each copy verified (Ctrl+Shift+S)"
        )
        self.save_selected.triggered.connect(self.ask_selected)
        self.save_run = QAction("Save &run…", slots.window)
        self.save_run.setToolTip("Save every artifact of the selected run(s) into a folder")
        self.save_run.triggered.connect(self.ask_runs)
        file_menu = slots.menu("&File")
        if file_menu.actions():
            file_menu.insertActions(file_menu.actions()[0], [self.save_selected, self.save_run])
        else:
            file_menu.addActions([self.save_selected, self.save_run])
        slots.needs_api(
            self.save_selected,
            "saving files that are not cached needs the API to download them",
            when=lambda: slots.uncached(slots.selected_artifact_ids()),
        )
        slots.needs_api(
            self.save_run,
            "this run has files that are not cached; downloading them needs the API",
            when=lambda: slots.uncached_runs(slots.selected_run_ids()),
        )
        slots.add_list_action(self.save_selected)
        slots.add_run_action(self.save_run)
        slots.events.artifactSelected.connect(self.update_actions)
        slots.events.listSelectionChanged.connect(self.update_actions)
        slots.events.scopeChanged.connect(self.update_actions)
        slots.events.libraryChanged.connect(self.update_actions)
        self.update_actions()

    @property
    def busy(self) -> bool:
        return self.token is not None

    @Slot()
    def update_actions(self, *_args: object) -> None:
        ready = self.slots.services.library() is not None and not self.busy
        self.save_selected.setEnabled(ready and bool(self.slots.selected_artifact_ids()))
        self.save_run.setEnabled(ready and bool(self.slots.selected_run_ids()))

    def _ask_folder(self, title: str) -> None:
        dialog = QFileDialog(self.slots.window, title)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        start = [
            self.slots.services.state.value("save_dir"),
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation),
            QDir.homePath(),
        ]
        dialog.setDirectory(next(c for c in start if c and QDir(c).exists()))
        dialog.fileSelected.connect(self._on_folder)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    @Slot()
    def ask_selected(self) -> None:
        ids = self.slots.selected_artifact_ids()
        if ids and not self.busy:
            self._pending = (ids, [])
            self._ask_folder(f"Save {len(ids)} artifact(s) into a folder")

    @Slot()
    def ask_runs(self) -> None:
        self.ask_for_runs(self.slots.selected_run_ids())

    def ask_for_runs(self, run_ids: Sequence[str]) -> None:
        """Ask for a folder, then save every artifact of ``run_ids`` into it (the run page's
        "Save run…")."""
        run_ids = list(run_ids)
        if run_ids and not self.busy:
            self._pending = (None, run_ids)
            self._ask_folder(f"Save {len(run_ids)} run(s) into a folder")

    @Slot(str)
    def _on_folder(self, folder: str) -> None:
        ids, run_ids = self._pending
        self._pending = (None, [])
        if folder:
            self.save_to(Path(folder), artifact_ids=ids, run_ids=run_ids)

    def save_to(
        self,
        folder: Path,
        *,
        artifact_ids: Sequence[str] | None = None,
        run_ids: Sequence[str] = (),
    ) -> None:
        """Start saving in the background (what the menu items do after the folder dialog)."""
        library = self.slots.services.library()
        if library is None or self.busy:
            return
        self.slots.services.state.set_value("save_dir", str(folder))
        if self.slots.redaction().enabled:
            self.slots.services.bridge.info(UNMASKED_SAVE)
        self.token = CancelToken()
        what = f"{len(artifact_ids)} artifact(s)" if artifact_ids else f"{len(run_ids)} run(s)"
        self.pane.start(f"Saving {what} to {folder}…")
        self.dock.show()
        self.update_actions()
        self.task = self.slots.services.ops.run(
            save_work,
            library,
            list(artifact_ids) if artifact_ids else None,
            list(run_ids),
            folder,
            on_result=self._on_done,
            on_error=self._on_error,
            on_progress=self.pane.show_progress,
            cancel=self.token,
            download=True,
        )

    @Slot()
    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()
            self.pane.say("Stopping after the current file…")

    def _finish(self, text: str) -> None:
        self.token = None
        self.task = None
        self.pane.finish(text)
        self.update_actions()

    @Slot(object)
    def _on_done(self, result: SaveManyReport) -> None:
        self._finish(result.summary())
        self.last_report = result
        bridge = self.slots.services.bridge
        if result.failed:
            lines = "; ".join(f"{p.name}: {p.reason}" for p in result.failed[:3])
            more = f" (+{len(result.failed) - 3} more)" if len(result.failed) > 3 else ""
            bridge.error(ArtifactViewerError(f"{result.summary()} {lines}{more}"))
        else:
            bridge.info(result.summary())

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._finish("Could not save.")
        self.slots.services.bridge.error(exc)
