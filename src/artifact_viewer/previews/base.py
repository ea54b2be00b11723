"""The contract every previewer widget follows, and the description of a file to preview."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker
    from artifact_viewer.previews.redaction import RedactionSwitch


@dataclass(frozen=True, slots=True)
class PreviewSource:
    """A local file to show; ``mime`` and ``name`` are hints (labels can lie)."""

    path: Path
    mime: str | None = None
    name: str | None = None

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    @property
    def suffix(self) -> str:
        return Path(self.name or self.path.name).suffix.lower()


class Previewer(QWidget):
    """Base of every previewer.

    ``load()`` returns at once: parsing runs on the thread pool and the widget fills in
    when results arrive. ``cancel()`` stops pending work (called when the selection changes).

    Signals:
        progress(done, total): background loading progress (total 0 when unknown).
        ready(): the first screen is showing.
        finished(): everything is loaded (may equal ready for small files).
        failed(message): the content could not be shown; ``message`` says what and where.
    """

    progress = Signal(int, int)
    ready = Signal()
    finished = Signal()
    failed = Signal(str)

    #: short id used by the registry and the view switcher ("json", "table", "hex"...)
    kind: str = "base"
    #: label shown in the view switcher
    title: str = "Preview"
    #: the redacted-view switch, set by the host before ``load`` (None: never masked)
    redaction: RedactionSwitch | None = None

    def masker(self) -> Masker | None:
        """The masker to apply to what this view shows, or None (redacted view off)."""
        return self.redaction.active_masker() if self.redaction is not None else None

    def load(self, source: PreviewSource) -> None:
        raise NotImplementedError

    def cancel(self) -> None:
        """Stop any background work; safe to call more than once."""

    def release(self) -> None:
        """The view is going away: drop what it holds. A previewer holding millions of
        Python objects frees them off the GUI thread here (freeing them with the widget
        would freeze the window for as long as that takes)."""

    def add_action(
        self,
        text: str,
        keys: QKeySequence | QKeySequence.StandardKey | None,
        slot: Callable[..., Any],
        owner: QWidget | None = None,
    ) -> QAction:
        """An action on ``owner`` (default: this previewer) whose shortcut works only while
        focus is inside it, so two previews in one window never fight over a key."""
        owner = owner or self
        action = QAction(text, owner)
        if keys is not None:
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        owner.addAction(action)
        return action

    def problem(self) -> str:
        """What is wrong with content that is shown anyway (e.g. invalid JSON shown as text
        with the parser's position); empty when the content is fine."""
        return ""

    def dump_chunks(self) -> Iterator[str]:
        """What the view shows, as text (``preview --dump``), in pieces to be written one
        after another; called once loading has finished. Each kind defines its form."""
        raise NotImplementedError(f"the {self.title} view has no text form")


def loading_stack(content: QWidget, error: QWidget) -> tuple[QLabel, QStackedWidget]:
    """The pages every previewer switches between: a "Loading…" label, then content or error."""
    loading = QLabel("Loading…", alignment=Qt.AlignmentFlag.AlignCenter)
    stack = QStackedWidget()
    for page in (loading, content, error):
        stack.addWidget(page)
    return loading, stack
