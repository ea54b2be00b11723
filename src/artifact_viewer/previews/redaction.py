"""The redacted view for screen sharing: one switch the preview host hands to every view.

While it is on, views show sensitive values masked (``core.masking``): table cells by
column name and content, JSON values by key and content, text, log and XML lines, the
hex view's text column. PDF pages get filled boxes over the values (pdfium's character
positions); screenshots get boxes over the words OCR reads where ``tesseract`` is
installed, and stay behind a cover otherwise. Each has a one-click reveal per file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from artifact_viewer.core.masking import Masker, default_masker

HIDDEN_KINDS = frozenset({"image", "pdf"})


def ocr_available() -> bool:
    """Screenshots can be masked word by word (tesseract is installed)."""
    from artifact_viewer.core.masking.boxes import ocr_available as available

    return available()


class RedactionSwitch(QObject):
    """Whether views mask sensitive values, and which files the user chose to reveal.

    Signals:
        changed(bool): the redacted view was turned on or off.
    """

    changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, masker: Masker | None = None) -> None:
        super().__init__(parent)
        self._enabled = False
        self.masker = masker or default_masker()
        self._revealed: set[Path] = set()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @Slot(bool)
    def set_enabled(self, enabled: bool) -> None:
        if enabled == self._enabled:
            return
        self._enabled = enabled
        self._revealed.clear()  # a reveal lasts until the view is turned off
        self.changed.emit(enabled)

    def active_masker(self) -> Masker | None:
        """The masker while the redacted view is on; None while it is off."""
        return self.masker if self._enabled else None

    def reveal(self, path: Path) -> None:
        self._revealed.add(path)

    def is_revealed(self, path: Path) -> bool:
        return path in self._revealed

    def hides(self, kind: str, path: Path) -> bool:
        """True when a file of ``kind`` must stay behind the cover: PDFs are masked on the
        page (boxes over matches), screenshots word by word where OCR is available."""
        if not self._enabled or kind not in HIDDEN_KINDS or path in self._revealed:
            return False
        return kind == "image" and not ocr_available()


def mask_ascii_column(text: str) -> str:
    """The hex view's text column: every letter and digit masked (16-byte rows cut values
    apart, so detectors cannot see them whole)."""
    return "".join("*" if ch.isalnum() else ch for ch in text)


class HiddenCover(QWidget):
    """What stands in for an image or PDF in the redacted view.

    Signals:
        revealRequested(): the user chose to show this file anyway.
    """

    revealRequested = Signal()

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("redactedCover")
        what = "Image" if kind == "image" else "Document"
        self.label = QLabel(f"{what} hidden in redacted view", self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reveal_button = QPushButton("Reveal this file", self)
        self.reveal_button.setToolTip("Show it unmasked until the redacted view is turned off")
        self.reveal_button.clicked.connect(self.revealRequested)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.label)
        layout.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
