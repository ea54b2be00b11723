"""The preview area: the previews package's host widget, behind one small surface."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

try:
    from artifact_viewer.previews.host import PreviewHost
except ImportError:  # the previews host is not in this build yet: show a plain notice
    PreviewHost = None


class _NoticePreview(QWidget):
    """Stand-in with the host's API: says the file is ready and offers to open it."""

    loadingChanged = Signal(bool)
    progress = Signal(int, int)
    failed = Signal(str)
    openExternallyRequested = Signal(Path)
    saveAsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QLabel(self)
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._text = QLabel(self)
        self._text.setWordWrap(True)
        self._text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self._title)
        layout.addWidget(self._text)
        layout.addStretch(1)
        self.clear()

    def show_file(self, path: Path, mime: str | None = None, name: str | None = None) -> None:
        self.show_message(name or path.name, "Cached and ready: use Open externally (Ctrl+E).")

    def show_message(self, title: str, text: str) -> None:
        self._title.setText(title)
        self._text.setText(text)

    def clear(self) -> None:
        self.show_message("", "Select an artifact to preview it.")


def make_preview(parent: QWidget | None = None) -> QWidget:
    """The preview widget: ``show_file``, ``show_message``, ``clear`` and the host's signals."""
    if PreviewHost is not None:
        return PreviewHost(parent)
    return _NoticePreview(parent)
