"""The preview area the window embeds: picks a previewer, switches views, shows progress and errors."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QProgressBar,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core import sniff as sn
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.crypto.memfile import filling_of
from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.previews import registry
from artifact_viewer.previews.base import Previewer, PreviewSource
from artifact_viewer.previews.errorpanel import ErrorPanel
from artifact_viewer.previews.redaction import HiddenCover, RedactionSwitch
from artifact_viewer.qt.elided import ElidedLabel
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

log = logging.getLogger(__name__)


#: views that read an encrypted cached file while the rest of it is still being decrypted
#: (they wait for each range they read); every other view starts once all of it is in
PROGRESSIVE_KINDS = frozenset({"text", "log"})


def wait_complete(path: Path, progress: Progress, cancel: CancelToken) -> None:
    """Worker: until a progressive memory file is wholly decrypted (see core.crypto.memfile)."""
    filling = filling_of(path)
    while filling is not None and not filling.wait(timeout=0.1):
        cancel.raise_if_cancelled()


def sniff_source(source: PreviewSource, progress: Progress, cancel: CancelToken) -> sn.Sniffed:
    """Worker: classify the file (reads its head only)."""
    try:
        return sn.sniff(source.path, source.mime, source.name)
    except FileNotFoundError as exc:
        raise PreviewError("The file is no longer there.", hint="Download it again.") from exc
    except OSError as exc:
        raise PreviewError(f"Cannot read the file: {exc.strerror or exc}.") from exc


class PreviewHost(QWidget):
    """Shows one file at a time in the best previewer, with a switcher for the alternatives.

    Signals:
        loadingChanged(bool): background loading started / ended.
        progress(done, total): loading progress of the current previewer.
        failed(message): the current view could not show the file.
        openExternallyRequested(Path): the user asked for the system viewer.
        saveAsRequested(): the user asked to save a copy.
        kindChanged(str): a view was chosen (automatically or by the user).
    """

    loadingChanged = Signal(bool)
    progress = Signal(int, int)
    failed = Signal(str)
    openExternallyRequested = Signal(Path)
    saveAsRequested = Signal()
    kindChanged = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: PreviewSource | None = None
        self._sniffed: sn.Sniffed | None = None
        self._kinds: list[str] = []
        self._kind: str | None = None
        self._previewer: Previewer | None = None
        self._sniff_task: Task | None = None
        self._loading = False
        self._last_error = ""
        self._wanted_kind: str | None = None
        self._cover: HiddenCover | None = None
        # The redacted view: views mask what they show while it is on (see redaction.py).
        self.redaction = RedactionSwitch(self)
        self.redaction.changed.connect(self._on_redaction_changed)

        self.switcher = QButtonGroup(self)
        self.switcher.setExclusive(True)
        self.switcher.idClicked.connect(self._on_switch)
        self._switch_row = QHBoxLayout()
        self._switch_row.setSpacing(0)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Stop loading this preview")
        self.cancel_button.clicked.connect(self.cancel_loading)
        self.name_label = ElidedLabel(parent=self, mode=Qt.TextElideMode.ElideMiddle)

        self.stack = QStackedWidget(self)
        self.message_panel = ErrorPanel(self)
        self.error_panel = ErrorPanel(self)
        self.error_panel.viewRawRequested.connect(self._view_raw)
        self.error_panel.viewHexRequested.connect(self._view_hex)
        self.error_panel.openExternallyRequested.connect(self._open_externally)
        self.stack.addWidget(self.message_panel)
        self.stack.addWidget(self.error_panel)

        top = QHBoxLayout()
        top.setContentsMargins(4, 4, 4, 4)
        top.addLayout(self._switch_row)
        top.addSpacing(8)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.progress_bar)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self._set_loading(False)
        self.clear()

    # --- public API ----------------------------------------------------------------------

    def show_file(
        self,
        path: Path,
        mime: str | None = None,
        name: str | None = None,
        *,
        kind: str | None = None,
    ) -> None:
        """Preview a local file; the best view (or ``kind``, when given and available) is
        chosen once its head has been sniffed."""
        self._reset()
        self._wanted_kind = kind
        self._source = PreviewSource(Path(path), mime, name)
        self.name_label.setText(name or Path(path).name)
        self._set_loading(True)
        self._sniff_task = run_in_pool(
            sniff_source, self._source, on_result=self._on_sniffed, on_error=self._on_sniff_failed
        )

    def show_message(self, title: str, text: str) -> None:
        """Show a neutral message instead of a file (e.g. "Not available offline")."""
        self._reset()
        self._set_loading(False)
        self.message_panel.show_info(title, text)
        self.stack.setCurrentWidget(self.message_panel)

    def clear(self) -> None:
        self._reset()
        self._set_loading(False)
        self.message_panel.show_info("No artifact selected", "Select an artifact to preview it.")
        self.stack.setCurrentWidget(self.message_panel)

    def current_kind(self) -> str | None:
        return self._kind

    def kinds(self) -> list[str]:
        """The views offered for the current file, best first."""
        return list(self._kinds)

    def source(self) -> PreviewSource | None:
        return self._source

    def previewer(self) -> Previewer | None:
        return self._previewer

    def covered(self) -> bool:
        """True when the file is hidden behind the redacted view's cover (image, PDF)."""
        return self._cover is not None and self.stack.currentWidget() is self._cover

    def is_loading(self) -> bool:
        return self._loading

    def focus_content(self) -> None:
        """Put the keyboard focus inside what is shown (the previewer, or the message)."""
        shown = self.stack.currentWidget()
        target = shown.focusProxy() or shown if shown is not None else self
        if target.focusPolicy() == Qt.FocusPolicy.NoFocus:
            child = target.nextInFocusChain()
            if child is not None and target.isAncestorOf(child):
                target = child
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def last_error(self) -> str:
        return self._last_error

    def problem(self) -> str:
        """What the current view found wrong in content it shows anyway ("" when none)."""
        return self._previewer.problem() if self._previewer is not None else ""

    def set_kind(self, kind: str) -> None:
        """Switch the current file to another view (any registered kind)."""
        if self._source is None or registry.previewer_class(kind) is None:
            return
        if kind not in self._kinds:
            self._kinds.append(kind)
            self._rebuild_switcher()
        self._start(kind)

    @Slot()
    def cancel_loading(self) -> None:
        """Stop background work; whatever is already shown stays."""
        if self._sniff_task is not None:
            self._sniff_task.cancel()
            self._sniff_task = None
            self.message_panel.show_info("Preview cancelled", "Select the artifact again to retry.")
            self.stack.setCurrentWidget(self.message_panel)
        if self._previewer is not None:
            self._previewer.cancel()
        self._set_loading(False)

    # --- internals -----------------------------------------------------------------------

    def _reset(self) -> None:
        if self._sniff_task is not None:
            self._sniff_task.cancel()
            self._sniff_task = None
        self._drop_previewer()
        self._source = self._sniffed = None
        self._kinds = []
        self._kind = None
        self._last_error = ""
        self.name_label.setText("")
        self._rebuild_switcher()

    def _drop_previewer(self) -> None:
        cover, self._cover = self._cover, None
        if cover is not None:
            self.stack.removeWidget(cover)
            cover.hide()
            cover.deleteLater()
        previewer, self._previewer = self._previewer, None
        if previewer is not None:
            previewer.cancel()
            previewer.release()
            self.stack.removeWidget(previewer)
            previewer.hide()
            previewer.deleteLater()

    def _set_loading(self, loading: bool) -> None:
        self.progress_bar.setVisible(loading)
        self.cancel_button.setVisible(loading)
        if loading:
            self.progress_bar.setRange(0, 0)  # busy until the first progress report
        if loading != self._loading:
            self._loading = loading
            self.loadingChanged.emit(loading)

    def _rebuild_switcher(self) -> None:
        for button in self.switcher.buttons():
            self.switcher.removeButton(button)
            self._switch_row.removeWidget(button)
            button.deleteLater()
        if len(self._kinds) < 2:
            return  # a single view needs no switcher
        for i, kind in enumerate(self._kinds):
            button = QToolButton(self)
            button.setText(registry.title(kind))
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setChecked(kind == self._kind)
            button.setProperty("kind", kind)
            self.switcher.addButton(button, i)
            self._switch_row.addWidget(button)

    def _check_switcher(self) -> None:
        for button in self.switcher.buttons():
            button.setChecked(button.property("kind") == self._kind)

    @Slot(int)
    def _on_switch(self, index: int) -> None:
        if 0 <= index < len(self._kinds) and self._kinds[index] != self._kind:
            self._start(self._kinds[index])

    @Slot(object)
    def _on_sniffed(self, sniffed: object) -> None:
        assert isinstance(sniffed, sn.Sniffed)
        self._sniff_task = None
        self._sniffed = sniffed
        self._kinds = registry.order_kinds(sniffed)
        self._rebuild_switcher()
        wanted, self._wanted_kind = self._wanted_kind, None
        if wanted is not None and registry.available(wanted):
            if wanted not in self._kinds:
                self._kinds.insert(0, wanted)
                self._rebuild_switcher()
            self._start(wanted)
            return
        if not self._kinds:
            self._show_failure("No viewer is available for this file.", raw=False, hex_=False)
            return
        self._start(self._kinds[0])

    @Slot(object)
    def _on_sniff_failed(self, exc: BaseException) -> None:
        self._sniff_task = None
        self._show_failure(user_message(exc), raw=False, hex_=False)

    def _start(self, kind: str) -> None:
        source = self._source
        if source is None:
            return
        self._drop_previewer()
        self._kind = kind
        self._check_switcher()
        if kind not in PROGRESSIVE_KINDS and filling_of(source.path) is not None:
            self._set_loading(True)
            self._sniff_task = run_in_pool(
                wait_complete,
                source.path,
                on_result=partial(self._decrypted, source, kind),
                on_error=self._on_sniff_failed,
            )
            return
        if self.redaction.hides(kind, source.path):
            self._show_cover(kind)
            return
        try:
            previewer = registry.create(kind)
        except Exception as exc:  # a broken previewer must not take the window down
            log.exception("creating the %s previewer failed", kind)
            self._show_failure(user_message(exc))
            return
        self._previewer = previewer
        previewer.redaction = self.redaction
        previewer.progress.connect(self._on_progress)
        previewer.ready.connect(self._on_ready)
        previewer.finished.connect(self._on_finished)
        previewer.failed.connect(self._on_failed)
        for name, slot in (
            ("openExternallyRequested", self._open_externally),
            ("saveAsRequested", self.saveAsRequested),
        ):
            signal = getattr(previewer, name, None)
            if signal is not None:
                signal.connect(slot)
        self.stack.addWidget(previewer)
        self._set_loading(True)
        self.kindChanged.emit(kind)
        previewer.load(source)

    def _decrypted(self, source: PreviewSource, kind: str, _result: object = None) -> None:
        self._sniff_task = None
        if self._source is source and self._kind == kind:
            self._start(kind)

    def _show_cover(self, kind: str) -> None:
        cover = self._cover = HiddenCover(kind, self)
        cover.revealRequested.connect(self._reveal)
        self.stack.addWidget(cover)
        self.stack.setCurrentWidget(cover)
        self._set_loading(False)
        self.kindChanged.emit(kind)

    @Slot()
    def _reveal(self) -> None:
        if self._source is not None and self._kind is not None:
            self.redaction.reveal(self._source.path)
            self._start(self._kind)

    @Slot(bool)
    def _on_redaction_changed(self, _enabled: bool) -> None:
        """Show the current file again, masked or not: views mask as they build."""
        if self._source is not None and self._kind is not None:
            self._start(self._kind)

    def _is_current(self) -> bool:
        return self.sender() is self._previewer and self._previewer is not None

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if not self._is_current():
            return
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        self.progress.emit(done, total)

    @Slot()
    def _on_ready(self) -> None:
        if self._is_current() and self._previewer is not None:
            self.stack.setCurrentWidget(self._previewer)

    @Slot()
    def _on_finished(self) -> None:
        if self._is_current() and self._previewer is not None:
            self.stack.setCurrentWidget(self._previewer)
            self._set_loading(False)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._is_current():
            self._show_failure(message)

    def _show_failure(self, message: str, *, raw: bool = True, hex_: bool = True) -> None:
        self._last_error = message
        self._set_loading(False)
        view = f"the {registry.title(self._kind)} view" if self._kind else "a preview"
        self.error_panel.show_error(
            f"This file cannot be shown in {view}",
            message,
            # Raw text only where it was offered (not for files whose magic says binary).
            raw=raw and self._kind != sn.TEXT and sn.TEXT in self._kinds,
            hex_=hex_ and self._kind != sn.HEX,
            open_externally=self._source is not None,
        )
        self.stack.setCurrentWidget(self.error_panel)
        self.failed.emit(message)

    @Slot()
    def _view_raw(self) -> None:
        self.set_kind(sn.TEXT)

    @Slot()
    def _view_hex(self) -> None:
        self.set_kind(sn.HEX)

    @Slot()
    def _open_externally(self) -> None:
        if self._source is not None:
            self.openExternallyRequested.emit(self._source.path)
