"""A pane for one long job at a time: a line of text, a progress bar and Cancel.

Used by the window's features that run a job over many files (bundles, saving many files):
``start`` when the job begins (the bar is busy until the first count), ``show_progress`` with
counts as they come, ``finish`` with the outcome.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class ProgressPane(QWidget):
    """``label``, ``bar`` and ``cancel_button``; the owner connects the button to its cancel.

    With ``counted``, the bar reads "3 of 10" (files); otherwise (bytes) it shows no text."""

    def __init__(
        self, idle_text: str, *, counted: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.counted = counted
        self.label = QLabel(idle_text)
        self.bar = QProgressBar()
        self.bar.setTextVisible(counted)
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        row = QHBoxLayout(self)
        row.addWidget(self.label, 2)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first count arrives
        self.cancel_button.setEnabled(True)

    @Slot(int, int)
    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.counted:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
            self.bar.setFormat(f"{done} of {total}")
        else:  # bytes may pass what a progress bar holds (2**31): per mille
            self.bar.setRange(0, 1000)
            self.bar.setValue(min(done, total) * 1000 // total)

    def say(self, text: str) -> None:
        """A new line of text while the job runs (e.g. "Stopping after the current file…")."""
        self.label.setText(text)

    def finish(self, text: str) -> None:
        self.label.setText(text)
        self.cancel_button.setEnabled(False)
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
