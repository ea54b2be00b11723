"""The Notes pane: read and edit the note on the selected artifact, else on the run in view.

Notes are read and written on the window's pool; an edit is saved with Save (Ctrl+Return),
or by itself when the selection moves on. Clear removes the note.

While the redacted view is on, the note is shown masked like the previews' text (so what
is copied or dragged out of it is masked too) and cannot be edited: a masked text saved
back would lose the values.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.masking import Masker
from artifact_viewer.core.models import Artifact
from artifact_viewer.core.progress import ProgressFn
from artifact_viewer.ui.extensions import WindowSlots

if TYPE_CHECKING:
    from artifact_viewer.core.catalog.notes import Note
    from artifact_viewer.core.library import Library


def load_note(library: Library, target_id: str, _progress: ProgressFn, _cancel: object) -> object:
    return (target_id, library.note(target_id))


def save_note(
    library: Library, target_id: str, text: str, _progress: ProgressFn, _cancel: object
) -> object:
    return (target_id, library.set_note(target_id, text))


def describe(note: Note | None) -> str:
    if note is None:
        return "No note yet."
    when = datetime.fromtimestamp(note.updated_at).strftime("%Y-%m-%d %H:%M")
    return f"Saved {when}."


class NotesPane(QWidget):
    """Title (what the note is on), the text, when it was saved, Save and Clear."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPane")
        self.masks_values = True  # masked in the redacted view, never covered
        self.title = QLabel("Select a run or an artifact to see its note.")
        self.title.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("A note for yourself or whoever gets this run…")
        self.editor.setTabChangesFocus(True)
        self.when = QLabel("")
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the note (Ctrl+Return)")
        self.clear_button = QPushButton("Clear")
        buttons = QHBoxLayout()
        buttons.addWidget(self.when, 1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.addWidget(self.title)
        column.addWidget(self.editor, 1)
        column.addLayout(buttons)
        self.set_enabled(False)

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.editor, self.save_button, self.clear_button):
            widget.setEnabled(enabled)


class NotesFeature(QObject):
    """Keeps the Notes pane on the selected artifact (or the run in view)."""

    def __init__(self) -> None:
        super().__init__()
        self.slots: WindowSlots | None = None
        self.target: tuple[str, str] | None = None  # (kind label, id)
        self.text = ""  # the note as saved (the editor may show it masked)
        self.note: Note | None = None
        self.loaded = False

    def install(self, slots: WindowSlots) -> None:
        self.slots = slots
        # Lives as long as the window (the window keeps no list of its features).
        self.setParent(slots.window)
        self.pane = NotesPane()
        self.dock = slots.add_pane(
            "notes",
            "Notes",
            self.pane,
            area=Qt.DockWidgetArea.RightDockWidgetArea,
            shortcut="Ctrl+Shift+N",
        )
        self.pane.save_button.clicked.connect(self.save)
        self.pane.clear_button.clicked.connect(self.clear)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.pane.editor)
        shortcut.activated.connect(self.save)
        slots.events.artifactSelected.connect(self._on_artifact)
        slots.events.scopeChanged.connect(self._on_scope)
        slots.events.libraryChanged.connect(self._on_library)
        slots.redaction().changed.connect(self._on_redaction)

    def masker(self) -> Masker | None:
        assert self.slots is not None
        masker: Masker | None = self.slots.redaction().active_masker()
        return masker

    @property
    def masked(self) -> bool:
        """True while the note is shown masked (redacted view on): editing is off."""
        return self.pane.editor.isReadOnly()

    @Slot(bool)
    def _on_redaction(self, _on: bool) -> None:
        if self.loaded and not self.masked and self.pane.editor.document().isModified():
            self.save()  # the edit is kept before the text is masked
        self._display()

    def _display(self) -> None:
        """Show the note: masked and read-only while the redacted view is on."""
        masker = self.masker()
        editor = self.pane.editor
        editor.setReadOnly(masker is not None)
        editor.setPlainText(masker.mask_text(self.text) if masker is not None else self.text)
        editor.document().setModified(False)
        if not self.loaded:
            return
        self.pane.set_enabled(True)
        for button in (self.pane.save_button, self.pane.clear_button):
            button.setEnabled(masker is None)
        when = describe(self.note)
        self.pane.when.setText(
            f"{when} Masked in the redacted view: editing is off." if masker else when
        )

    @Slot(object)
    def _on_library(self, _library: object) -> None:
        self._show(None)

    @Slot(object)
    def _on_artifact(self, artifact: object) -> None:
        if isinstance(artifact, Artifact):
            self._show(("artifact", artifact.id), artifact.name)
        else:
            self._on_scope("", "")

    @Slot(str, str)
    def _on_scope(self, _kind: str, _ident: str) -> None:
        assert self.slots is not None
        run_id = self.slots.current_run_id()
        self._show(("run", run_id) if run_id else None)

    def _show(self, target: tuple[str, str] | None, name: str = "") -> None:
        assert self.slots is not None
        if target == self.target:
            return
        self._save_pending()
        self.target = target
        self.text, self.note, self.loaded = "", None, False
        self.pane.editor.setPlainText("")
        self.pane.editor.document().setModified(False)
        self.pane.when.setText("")
        library = self.slots.services.library()
        if target is None or library is None:
            self.pane.title.setText("Select a run or an artifact to see its note.")
            self.pane.set_enabled(False)
            return
        kind, ident = target
        self.pane.title.setText(f"Note on {kind} {name or ident}")
        self.pane.set_enabled(False)  # until the note is read
        self.slots.services.ops.run(
            load_note, library, ident, on_result=self._on_loaded, on_error=self._on_failed
        )

    @Slot(object)
    def _on_loaded(self, result: tuple[str, Note | None]) -> None:
        target_id, note = result
        if self.target is None or self.target[1] != target_id:
            return  # the selection moved on meanwhile
        self.text, self.note, self.loaded = (note.text if note else ""), note, True
        self._display()

    def _save_pending(self) -> None:
        """An edit left unsaved is saved when the selection moves to something else."""
        if self.target is None or self.masked or not self.loaded:
            return
        if self.pane.editor.document().isModified():
            self.text = self.pane.editor.toPlainText()
            self._write(self.target[1], self.text)

    @Slot()
    def save(self) -> None:
        if self.target is not None and not self.masked:
            self.text = self.pane.editor.toPlainText()
            self._write(self.target[1], self.text)
            self.pane.editor.document().setModified(False)

    @Slot()
    def clear(self) -> None:
        if self.masked:
            return
        self.pane.editor.setPlainText("")
        self.save()

    def _write(self, target_id: str, text: str) -> None:
        assert self.slots is not None
        library = self.slots.services.library()
        if library is None:
            return
        self.slots.services.ops.run(
            save_note, library, target_id, text, on_result=self._on_saved, on_error=self._on_failed
        )

    @Slot(object)
    def _on_saved(self, result: tuple[str, Note | None]) -> None:
        target_id, note = result
        assert self.slots is not None
        self.slots.mark_note(target_id, note is not None)
        self.slots.events.noteChanged.emit(target_id)
        if self.target is not None and self.target[1] == target_id:
            self.note = note
            self.pane.when.setText(describe(note) if note else "Note cleared.")

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        assert self.slots is not None
        self.slots.services.bridge.error(exc, "Note")
