"""Hex previewer for anything: metadata header, text head, and a virtual hex + ASCII dump."""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QRect, Qt, Signal, Slot
from PySide6.QtGui import (
    QFontDatabase,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.core.sniff import Sniffed, sniff_bytes
from artifact_viewer.previews.base import Previewer, PreviewSource
from artifact_viewer.previews.fmt import human_size
from artifact_viewer.previews.redaction import mask_ascii_column
from artifact_viewer.qt import colors
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

#: bytes per row at most (and in the text form); narrower panes get fewer
ROW = 16
_ROW_CHOICES = (16, 8, 4)


def row_chars(row: int) -> int:
    """Characters of a row of ``row`` bytes: offset, hex in groups of 8, ASCII."""
    groups = (row + 7) // 8
    return 10 + 2 + (row * 3 - 1 + (groups - 1)) + 2 + row


def fit_row(chars: int) -> int:
    """The most bytes per row (of 16, 8, 4) whose whole row fits in ``chars``."""
    return next((row for row in _ROW_CHOICES if row_chars(row) <= chars), _ROW_CHOICES[-1])


_HEAD_TEXT = 2048


@dataclass(frozen=True, slots=True)
class HexData:
    buf: mmap.mmap | bytes
    sniffed: Sniffed
    head_text: str
    label: str | None


def open_hex(
    path: Path, mime: str | None, name: str | None, progress: Progress, cancel: CancelToken
) -> HexData:
    """Worker: map the file and describe it."""
    try:
        with path.open("rb") as fh:
            size = path.stat().st_size
            buf: mmap.mmap | bytes = (
                mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            )
    except OSError as exc:
        raise PreviewError(f"Cannot read the file: {exc.strerror or exc}.") from exc
    head = bytes(buf[:65536])
    sniffed = sniff_bytes(head, mime, name or path.name, size)
    encoding = sniffed.encoding.name if sniffed.encoding else "latin-1"
    text = head[:_HEAD_TEXT].decode(encoding, errors="replace")
    # Keep the head readable: control characters become the replacement glyph.
    text = "".join(c if c.isprintable() or c in "\n\t" else "·" for c in text)
    return HexData(buf, sniffed, text, mime)


class HexView(QAbstractScrollArea):
    """Virtual hex dump: offset, 16 bytes in hex, and their printable ASCII."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._buf: mmap.mmap | bytes = b""
        self.masked = False  # the redacted view: the text column is masked
        self._shift = 0
        self._top_row = 0
        self._row = ROW
        self._wheel_rest = 0
        self.verticalScrollBar().valueChanged.connect(self._on_vbar)

    def set_data(self, buf: mmap.mmap | bytes) -> None:
        self._buf = buf
        self._top_row = 0
        self._shift = max(0, self.row_count().bit_length() - 30)
        self._sync()
        self.viewport().update()

    def row_count(self) -> int:
        return (len(self._buf) + self._row - 1) // self._row

    def visible_rows(self) -> int:
        return max(1, self.viewport().height() // self.fontMetrics().lineSpacing())

    def top_row(self) -> int:
        return self._top_row

    def scroll_to_row(self, row: int) -> None:
        self._top_row = max(0, min(row, self.row_count() - self.visible_rows()))
        self._sync()
        self.viewport().update()

    def _sync(self) -> None:
        bar = self.verticalScrollBar()
        bar.blockSignals(True)
        bar.setRange(0, max(0, self.row_count() - self.visible_rows()) >> self._shift)
        bar.setPageStep(max(1, self.visible_rows() >> self._shift))
        bar.setValue(self._top_row >> self._shift)
        bar.blockSignals(False)

    @Slot(int)
    def _on_vbar(self, value: int) -> None:
        top = value << self._shift
        if value >= self.verticalScrollBar().maximum():
            top = self.row_count()
        self._top_row = max(0, min(top, self.row_count() - self.visible_rows()))
        self.viewport().update()

    @staticmethod
    def format_row(offset: int, chunk: bytes, row: int = ROW) -> str:
        groups = [chunk[i : i + 8] for i in range(0, max(len(chunk), 1), 8)]
        hexes = "  ".join(" ".join(f"{b:02x}" for b in group) for group in groups)
        width = row * 3 - 1 + ((row + 7) // 8 - 1)
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        return f"{offset:010x}  {hexes:<{width}}  {ascii_}"

    @property
    def row_bytes(self) -> int:
        """Bytes per row as shown (fitted to the width, so the ASCII column is whole)."""
        return self._row

    def _fit_row(self) -> None:
        char = max(1, self.fontMetrics().horizontalAdvance("0" * 64) // 64)
        row = fit_row((self.viewport().width() - 8) // char)
        if row != self._row:
            first_byte = self._top_row * self._row
            self._row = row
            self._top_row = first_byte // row
            self._shift = max(0, self.row_count().bit_length() - 30)

    def row_text(self, start: int) -> str:
        """The row at byte ``start`` as painted (text column masked in the redacted view)."""
        text = self.format_row(start, bytes(self._buf[start : start + self._row]), self._row)
        if self.masked:  # short rows cut values apart: mask every letter and digit
            n = min(self._row, len(self._buf) - start)
            text = text[:-n] + mask_ascii_column(text[-n:])
        return text

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        metrics = self.fontMetrics()
        line_height = metrics.lineSpacing()
        palette = self.palette()
        x = 4 - self.horizontalScrollBar().value()
        offset_width = metrics.horizontalAdvance("0" * 12)
        painter.fillRect(
            QRect(0, 0, offset_width + x, self.viewport().height()),
            colors.gutter_background(palette),
        )
        for i in range(self.visible_rows() + 1):
            row = self._top_row + i
            start = row * self._row
            if start >= len(self._buf):
                break
            text = self.row_text(start)
            y = i * line_height + metrics.ascent()
            painter.setPen(colors.gutter_text(palette))
            painter.drawText(x, y, text[:10])
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(x + offset_width, y, text[12:])
        painter.end()
        width = metrics.horizontalAdvance("0" * row_chars(self._row)) + 8
        self.horizontalScrollBar().setRange(0, max(0, width - self.viewport().width()))
        self.horizontalScrollBar().setPageStep(self.viewport().width())

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._wheel_rest += event.angleDelta().y()
        steps = int(self._wheel_rest / 40)
        if steps:
            self._wheel_rest -= steps * 40
            self.scroll_to_row(self._top_row - steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves: dict[int, int] = {
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_PageDown: self.visible_rows() - 1,
            Qt.Key.Key_PageUp: -(self.visible_rows() - 1),
        }
        if event.key() in moves:
            self.scroll_to_row(self._top_row + moves[event.key()])
        elif event.key() == Qt.Key.Key_Home:
            self.scroll_to_row(0)
        elif event.key() == Qt.Key.Key_End:
            self.scroll_to_row(self.row_count())
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_row()
        self._sync()


class HexPreviewer(Previewer):
    """Any bytes: what the file seems to be, its text head, and a hex dump.

    Extra signals: ``openExternallyRequested()`` and ``saveAsRequested()`` (the host
    forwards them to the window, which does the actual work).
    """

    kind = "hex"
    title = "Hex"
    openExternallyRequested = Signal()
    saveAsRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._data: HexData | None = None
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton("Open externally", self)
        self.save_button = QPushButton("Save as…", self)
        self.open_button.clicked.connect(self.openExternallyRequested)
        self.save_button.clicked.connect(self.saveAsRequested)
        self.head = QPlainTextEdit(self)
        self.head.setReadOnly(True)
        self.head.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.head.setMaximumHeight(self.head.fontMetrics().lineSpacing() * 6 + 12)
        self.head.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view = HexView(self)

        top = QHBoxLayout()
        top.addWidget(self.info, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.head)
        layout.addWidget(self.view, 1)

    def load(self, source: PreviewSource) -> None:
        self.cancel()
        self.info.setText("Opening…")
        self._task = run_in_pool(
            open_hex,
            source.path,
            source.mime,
            source.name,
            on_result=self._on_loaded,
            on_error=self._on_error,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def data(self) -> HexData | None:
        return self._data

    def dump_chunks(self) -> Iterator[str]:
        """Every row as displayed: offset, bytes in hex, their printable ASCII."""
        data = self._data
        if data is None:
            return
        buf, step = data.buf, ROW * 4096
        for start in range(0, len(buf), step):
            block = bytes(buf[start : start + step])
            yield "".join(
                HexView.format_row(start + i, block[i : i + ROW]) + "\n"
                for i in range(0, len(block), ROW)
            )

    @Slot(object)
    def _on_loaded(self, data: object) -> None:
        assert isinstance(data, HexData)
        self._task = None
        self._data = data
        s = data.sniffed
        label = f" · labelled {data.label}" if data.label else ""
        self.info.setText(f"{human_size(s.size)} ({s.size:,} bytes) · {s.description}{label}")
        masker = self.masker()
        self.view.masked = masker is not None
        head = data.head_text or "(empty file)"
        self.head.setPlainText(masker.mask_text(head) if masker is not None else head)
        # A text head of binary data is noise; show it only for text-like content.
        self.head.setVisible(s.encoding is not None)
        self.view.set_data(data.buf)
        self.ready.emit()
        self.finished.emit()

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.failed.emit(user_message(exc))
