"""The selected artifact: details, cached file or download with progress, preview and its actions."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import (
    Cancelled,
    IntegrityError,
    NetworkError,
    NotAvailableOffline,
    user_message,
)
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.pins import PinError
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.ui.controllers.ops import Ops
from artifact_viewer.ui.messages import MessageBridge
from artifact_viewer.ui.models.downloads_model import CANCELLED, DONE, FAILED
from artifact_viewer.ui.models.navigator_model import NavigatorModel
from artifact_viewer.ui.panes.artifact_list import ArtifactList
from artifact_viewer.ui.panes.details_panel import DetailsPanel
from artifact_viewer.ui.panes.download_indicator import DownloadIndicator

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library
    from artifact_viewer.core.progress import ProgressFn
    from artifact_viewer.qt.worker import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Located:
    artifact_id: str
    state: CacheState
    path: Path | None


@dataclass(frozen=True, slots=True)
class Fetched:
    artifact_id: str
    state: CacheState
    path: Path
    purpose: str  # "preview" | "open"


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    dest: Path
    written: bool  # False: dest exists and overwrite was not allowed


def _progress_fn(progress: Progress) -> ProgressFn:
    def report(done: int, total: int | None) -> None:
        progress(done, total or 0)

    return report


def locate(library: Library, artifact_id: str, _p: Progress, _c: CancelToken) -> Located:
    state = library.cache_state(artifact_id)
    path = library.cached_path(artifact_id) if state.usable else None
    return Located(artifact_id, state, path)


def fetch(
    library: Library, artifact_id: str, purpose: str, progress: Progress, cancel: CancelToken
) -> Fetched:
    path = library.fetch(artifact_id, _progress_fn(progress), cancel)
    return Fetched(artifact_id, library.cache_state(artifact_id), Path(path), purpose)


def verify(
    library: Library, artifact_id: str, _p: Progress, _c: CancelToken
) -> tuple[str, CacheState]:
    library.verify(artifact_id)
    return artifact_id, library.cache_state(artifact_id)


def save(
    library: Library, artifact_id: str, dest: Path, overwrite: bool, _p: Progress, _c: CancelToken
) -> SaveOutcome:
    if dest.exists() and not overwrite:
        return SaveOutcome(dest, False)
    written = library.save_as(artifact_id, dest, overwrite=overwrite)
    return SaveOutcome(Path(written) if written else dest, True)


class StopToken(CancelToken):
    """The user's Cancel for one transfer, separate from the task's own token: stopping it
    still lets the task report how it ended; cancelling the task (shutdown) stops it too."""

    __slots__ = ("_task_token",)

    def __init__(self, task_token: CancelToken) -> None:
        super().__init__()
        self._task_token = task_token

    @property
    def cancelled(self) -> bool:
        return super().cancelled or self._task_token.cancelled

    def raise_if_cancelled(self) -> None:
        if self._task_token.cancelled:
            self._task_token.raise_if_cancelled()
        super().raise_if_cancelled()


@dataclass(frozen=True, slots=True)
class Pinned:
    run_id: str
    stopped: bool  # the user stopped the downloads part-way; the run stays pinned


def pin(
    library: Library, run_id: str, stop: CancelToken, progress: Progress, task: CancelToken
) -> Pinned:
    try:
        library.pin_run(run_id, _progress_fn(progress), stop)
    except Cancelled:
        if task.cancelled:
            raise  # shutdown: nobody is waiting for the outcome
        return Pinned(run_id, stopped=True)  # a result, since the pool drops Cancelled
    return Pinned(run_id, stopped=False)


def unpin(library: Library, run_id: str, _p: Progress, _c: CancelToken) -> str:
    library.unpin_run(run_id)
    return run_id


class ArtifactController(QObject):
    """Drives details + preview for the current artifact and runs the artifact actions.

    Signals:
        previewShown(str): the preview got a local file for this artifact id.
        previewUnavailable(str, str): no local file for this id; the text says why.
        stateChanged(str, str): an artifact's cache state changed (id, the
            :class:`CacheState`'s name).
        saved(str): Save as wrote this path.
        saveNeedsConfirmation(str): the destination exists; ask before overwriting.
        pinChanged(str, bool): a run was pinned (True) or unpinned; also True when pinning
            stopped part-way (cancelled or a file failed), since the run stays pinned.
        offlineDetected(): a download failed for lack of a network.
        pinQueued(str, bool): a pin asked for offline waits for the connection (True), or no
            longer waits (False: it started, was withdrawn, or the library changed).
    """

    previewShown = Signal(str)
    previewUnavailable = Signal(str, str)
    stateChanged = Signal(str, str)
    saved = Signal(str)
    saveNeedsConfirmation = Signal(str)
    pinChanged = Signal(str, bool)
    pinQueued = Signal(str, bool)
    offlineDetected = Signal()

    def __init__(
        self,
        *,
        ops: Ops,
        bridge: MessageBridge,
        artifacts: ArtifactList,
        details: DetailsPanel,
        preview: Any,
        downloads: DownloadIndicator,
        tree: NavigatorModel,
        library: Library | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library, self.ops, self.bridge = library, ops, bridge
        self.artifacts, self.details, self.preview = artifacts, details, preview
        self.downloads, self.tree = downloads, tree
        self.current: Artifact | None = None
        self.online = bool(getattr(library, "online", False))
        self._fetch_token: CancelToken | None = None
        self._pin_token: CancelToken | None = None
        self.queued_pins: list[str] = []  # asked for offline; pinned when the API is back
        self._pin_backlog: list[str] = []  # queued pins released, waiting for the one running
        self._pin_run_id = ""
        self._shown_id = ""  # the artifact whose file the preview shows, if any
        artifacts.artifactSelected.connect(self.select)
        self.stateChanged.connect(self._on_state_changed)
        downloads.cancelled.connect(self._on_download_cancelled)

    def set_library(self, library: Library | None, *, online: bool) -> None:
        """Fetch and preview from this library from now on (pins queued for another library
        are dropped)."""
        if library is not self.library:
            self._pin_backlog = []
            for run_id in self.queued_pins:
                self.pinQueued.emit(run_id, False)
            self.queued_pins = []
        self.library = library
        self.online = online

    # -- selection -----------------------------------------------------------------------
    @Slot(object)
    def select(self, artifact: Artifact | None) -> None:
        if artifact is not None and self.current is not None and artifact.id == self.current.id:
            return  # the same artifact again after a list refresh: keep what is showing
        self._cancel_fetch()
        self.current = artifact
        self._shown_id = ""
        if artifact is None:
            self.details.clear()
            self.preview.clear()
            return
        state = self.artifacts.model.cache_state(artifact.id)
        run = self._run(artifact.workflow_run_id)
        self.details.show_artifact(
            artifact,
            state,
            workflow_name=self.tree.workflow_name(artifact.workflow_id),
            run=run,
        )
        self.preview.show_message(artifact.name, "Opening…")
        self.ops.run(
            locate, self.library, artifact.id, on_result=self._on_located, on_error=self._on_error
        )

    def _run(self, run_id: str | None) -> Any:
        for runs in self.tree.tree.runs.values():
            for run in runs:
                if run.id == run_id:
                    return run
        return None

    @Slot(object)
    def _on_located(self, found: Located) -> None:
        if self.current is None or found.artifact_id != self.current.id:
            return  # the user moved on
        self.stateChanged.emit(found.artifact_id, found.state.name)
        if found.path is not None:
            self._show(found.artifact_id, found.path)
        elif not self.online:
            self._unavailable(
                self.current,
                "Not available offline. Connect to download it, or pin its run for offline use.",
            )
        else:
            self._start_fetch(self.current, "preview")

    def _unavailable(self, artifact: Artifact, reason: str) -> None:
        self.preview.show_message(artifact.name, reason)
        self.previewUnavailable.emit(artifact.id, reason)

    def _show(self, artifact_id: str, path: Path) -> None:
        artifact = self.current
        if artifact is None or artifact.id != artifact_id:
            return
        self.preview.show_file(path, artifact.mime_type, artifact.name)
        self._shown_id = artifact_id
        self.previewShown.emit(artifact_id)

    @Slot()
    def retry_current(self) -> None:
        """Enter on the list: try again to show an artifact whose preview did not come
        (cancelled, failed, offline); a shown preview is left as it is."""
        artifact = self.current
        if artifact is None or self._fetch_token is not None or self._shown_id == artifact.id:
            return
        self.current = None
        self.select(artifact)

    @Slot()
    def _on_download_cancelled(self) -> None:
        # A cancelled task delivers nothing, so say here what happened to it.
        if self._fetch_token is not None and self._fetch_token.cancelled:
            self._fetch_token = None
            if self.current is not None:
                self._unavailable(
                    self.current,
                    "Download cancelled. Press Enter in the list (or Retry in Downloads, "
                    "Ctrl+J) to continue it from where it stopped.",
                )
            self.bridge.show_status("Download cancelled; nothing unfinished enters the cache.")
        if self._pin_token is not None and self._pin_token.cancelled:
            self.bridge.show_status("Stopping the downloads of the run…")  # the outcome follows

    def _start_fetch(self, artifact: Artifact, purpose: str) -> None:
        """Download ``artifact``: to preview or open it (the current artifact's fetch, which
        another selection stops), or ``"cache"`` only (a retry from the downloads panel
        for an artifact no longer in view)."""
        token = CancelToken()
        if purpose != "cache":
            self._fetch_token = token
        self.downloads.begin(
            artifact.name,
            token,
            artifact.file_size,
            retry=functools.partial(self._retry_fetch, artifact),
        )
        self.ops.run(
            fetch,
            self.library,
            artifact.id,
            purpose,
            on_result=functools.partial(self._on_fetched, token=token),
            on_error=functools.partial(self._on_fetch_failed, token=token),
            on_progress=self.downloads.progress_of(token),
            download=True,
            cancel=token,
        )

    def _retry_fetch(self, artifact: Artifact) -> None:
        """The downloads panel's Retry: the artifact in view is shown when it arrives;
        another is only brought into the cache."""
        if self.library is None:
            return
        if self.current is not None and self.current.id == artifact.id:
            if self._fetch_token is None:
                self._start_fetch(artifact, "preview")
            return
        self._start_fetch(artifact, "cache")

    def _cancel_fetch(self) -> None:
        if self._fetch_token is not None:
            self._fetch_token.cancel()
            self.downloads.finish(self._fetch_token, CANCELLED, "another artifact was opened")
            self._fetch_token = None

    def _on_fetched(self, result: Fetched, *, token: CancelToken) -> None:
        self.downloads.finish(token)
        if token is self._fetch_token:
            self._fetch_token = None
        self.stateChanged.emit(result.artifact_id, result.state.name)
        if result.purpose == "open":
            self._open_path(result.path)
        elif result.purpose == "preview":
            self._show(result.artifact_id, result.path)

    def _on_fetch_failed(self, exc: BaseException, *, token: CancelToken) -> None:
        mine = token is self._fetch_token
        if mine:
            self._fetch_token = None
        if isinstance(exc, Cancelled):
            self.downloads.finish(token, CANCELLED)
            return
        self.downloads.finish(token, FAILED, user_message(exc))
        current = self.current if mine else None
        if isinstance(exc, IntegrityError) and current is not None:
            self.stateChanged.emit(current.id, CacheState.MISMATCH.name)
        if current is not None:
            self._unavailable(current, user_message(exc))
        if isinstance(exc, (NetworkError, NotAvailableOffline)):
            self.bridge.show_status(user_message(exc))
            self.offlineDetected.emit()
            return
        self.bridge.error(exc)

    @Slot(str, str)
    def _on_state_changed(self, artifact_id: str, name: str) -> None:
        state = CacheState[name]
        self.artifacts.model.set_states({artifact_id: state})
        if self.current is not None and self.current.id == artifact_id:
            self.details.set_state(state)

    @Slot(bool)
    def set_online(self, online: bool) -> None:
        """The API became reachable (queued pins start, an artifact that could not be shown
        offline is fetched) or unreachable."""
        was = self.online
        self.online = online
        if not online or was:
            return
        queued, self.queued_pins = self.queued_pins, []
        for run_id in queued:
            self.pinQueued.emit(run_id, False)
        self._pin_backlog.extend(r for r in queued if r not in self._pin_backlog)
        self._next_pin()
        self.retry_current()

    def _next_pin(self) -> None:
        if self._pin_token is None and self._pin_backlog and self.online:
            self.pin_run(self._pin_backlog.pop(0))

    # -- actions -------------------------------------------------------------------------
    @Slot()
    def verify_current(self) -> None:
        if self.current is None:
            return
        self.bridge.show_status(f"Verifying {self.current.name}…")
        self.ops.run(
            verify,
            self.library,
            self.current.id,
            on_result=self._on_verified,
            on_error=self._on_error,
        )

    @Slot(object)
    def _on_verified(self, result: tuple[str, CacheState]) -> None:
        artifact_id, state = result
        self.stateChanged.emit(artifact_id, state.name)
        text = {
            CacheState.VERIFIED: "Verified: the cached bytes match the hash.",
            CacheState.NOT_VERIFIABLE: "Cached, but its hash format cannot be checked.",
            CacheState.NOT_CACHED: "Not cached: nothing to verify yet.",
            CacheState.MISMATCH: "The cached bytes did not match the hash and were discarded.",
        }[state]
        self.bridge.show_status(text)

    @Slot()
    def open_current_externally(self) -> None:
        artifact = self.current
        if artifact is None:
            return
        if self.artifacts.model.cache_state(artifact.id).usable:
            self.ops.run(
                locate,
                self.library,
                artifact.id,
                on_result=self._on_located_for_open,
                on_error=self._on_error,
            )
        else:
            self._start_fetch(artifact, "open")

    @Slot(object)
    def _on_located_for_open(self, found: Located) -> None:
        if found.path is not None:
            self._open_path(found.path)

    @Slot(Path)
    def open_path(self, path: Path) -> None:
        self._open_path(path)

    def _open_path(self, path: Path) -> None:
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.bridge.info(
                "No application is registered to open this kind of file. "
                "Save it (Ctrl+S) and open it from there."
            )

    @Slot()
    def copy_current_id(self) -> None:
        if self.current is not None:
            QGuiApplication.clipboard().setText(self.current.id)
            self.bridge.show_status("Artifact id copied.")

    def save_current(self, dest: Path, *, overwrite: bool = False) -> None:
        if self.current is None:
            return
        self.ops.run(
            save,
            self.library,
            self.current.id,
            dest,
            overwrite,
            on_result=self._on_saved,
            on_error=self._on_error,
        )

    @Slot(object)
    def _on_saved(self, outcome: SaveOutcome) -> None:
        if not outcome.written:
            self.saveNeedsConfirmation.emit(str(outcome.dest))
            return
        self.bridge.show_status(f"Saved {outcome.dest.name}.")
        self.saved.emit(str(outcome.dest))

    def pin_run(self, run_id: str) -> None:
        """Pin and download a run; offline, the pin waits for the connection instead (it is
        neither made nor counted as available offline before its files are here)."""
        if not self.online:
            if run_id not in self.queued_pins:
                self.queued_pins.append(run_id)
                self.pinQueued.emit(run_id, True)
            self.bridge.show_status(
                "Offline: the run will be pinned and downloaded when the connection returns."
            )
            return
        if self._pin_token is not None:
            if run_id != self._pin_run_id and run_id not in self._pin_backlog:
                self._pin_backlog.append(run_id)  # one pin at a time; this one follows
                self.bridge.show_status("The run will be pinned after the one being pinned.")
            return
        task_token = CancelToken()
        stop = StopToken(task_token)  # Cancel stops the downloads; the outcome still arrives
        self._pin_token = stop
        self._pin_run_id = run_id
        self.downloads.begin(
            f"Run {run_id[:8]} for offline use",
            stop,
            retry=functools.partial(self.pin_run, run_id),
        )
        self.ops.run(
            pin,
            self.library,
            run_id,
            stop,
            on_result=self._on_pinned,
            on_error=self._on_pin_failed,
            on_progress=self.downloads.progress_of(stop),
            download=True,
            cancel=task_token,
        )

    @Slot(object)
    def _on_pinned(self, outcome: Pinned) -> None:
        self.downloads.finish(self._pin_token, CANCELLED if outcome.stopped else DONE)
        self._pin_token = None
        if outcome.stopped:
            self.bridge.show_status(
                "Pinning stopped: the run stays pinned with what arrived; "
                "pin it again to fetch the rest, or unpin it."
            )
        else:
            self.bridge.show_status("Run pinned: its artifacts are available offline.")
        self.pinChanged.emit(outcome.run_id, True)
        self._next_pin()

    @Slot(object)
    def _on_pin_failed(self, exc: BaseException) -> None:
        cancelled = isinstance(exc, Cancelled)
        self.downloads.finish(
            self._pin_token,
            CANCELLED if cancelled else FAILED,
            "" if cancelled else user_message(exc),
        )
        self._pin_token = None
        self._on_error(exc)
        if isinstance(exc, PinError):
            self._pin_stopped()
        self._next_pin()

    def _pin_stopped(self) -> None:
        """The run was pinned before its downloads began, so it stays pinned: show it so."""
        if self._pin_run_id:
            self.pinChanged.emit(self._pin_run_id, True)

    def unpin_run(self, run_id: str) -> None:
        """Unpin; a pin still waiting for the connection is simply withdrawn."""
        if run_id in self.queued_pins or run_id in self._pin_backlog:
            if run_id in self.queued_pins:
                self.queued_pins.remove(run_id)
                self.pinQueued.emit(run_id, False)
            if run_id in self._pin_backlog:
                self._pin_backlog.remove(run_id)
            self.bridge.show_status("The waiting pin was withdrawn.")
            return
        self.ops.run(
            unpin, self.library, run_id, on_result=self._on_unpinned, on_error=self._on_error
        )

    @Slot(object)
    def _on_unpinned(self, run_id: str) -> None:
        self.bridge.show_status("Run unpinned.")
        self.pinChanged.emit(run_id, False)

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self.bridge.error(exc)
