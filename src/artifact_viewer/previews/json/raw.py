"""Raw JSON text: a syntax highlighter, a read-only text view, and the invalid-JSON panel."""

from __future__ import annotations

from PySide6.QtCore import QObject, QRegularExpression, Qt, QTimer, Slot
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextLayout,
)
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


def _fmt(colour: str, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


def _rules(dark: bool) -> list[tuple[QRegularExpression, QTextCharFormat]]:
    if dark:
        colours = ("#9cdcfe", "#8fd18f", "#8cc4ff", "#e6a0ff", "#b0b0b0")
    else:
        colours = ("#0b4f8a", "#1d7a1d", "#1750a8", "#8a1fa8", "#707070")
    key, string, number, literal, punct = colours
    # Later rules win, so strings override numbers found inside them.
    return [
        (QRegularExpression(r"[{}\[\],:]"), _fmt(punct)),
        (QRegularExpression(r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b"), _fmt(number)),
        (QRegularExpression(r"\b(?:true|false|null|NaN|Infinity)\b"), _fmt(literal, True)),
        (QRegularExpression(r'"(?:[^"\\]|\\.)*"'), _fmt(string)),
        (QRegularExpression(r'"(?:[^"\\]|\\.)*"(?=\s*:)'), _fmt(key, True)),
    ]


def line_formats(
    text: str, rules: list[tuple[QRegularExpression, QTextCharFormat]]
) -> list[QTextLayout.FormatRange]:
    """Colour ranges for one line of JSON (no state carried between lines)."""
    ranges = []
    for pattern, fmt in rules:
        matches = pattern.globalMatch(text)
        while matches.hasNext():
            m = matches.next()
            r = QTextLayout.FormatRange()
            r.start, r.length, r.format = m.capturedStart(), m.capturedLength(), fmt
            ranges.append(r)
    return ranges


class VisibleLinesHighlighter(QObject):
    """Colours the lines of a QPlainTextEdit as they scroll into view.

    QSyntaxHighlighter colours every line of a document up front on the GUI thread
    (hundreds of milliseconds for a big text); here only the lines on screen cost.
    """

    def __init__(self, edit: QPlainTextEdit, dark: bool) -> None:
        super().__init__(edit)
        self._edit = edit
        self._rules = _rules(dark)
        self._done: set[int] = set()
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.colour_visible)
        edit.updateRequest.connect(self._timer.start)
        self._timer.start()

    @property
    def coloured_lines(self) -> int:
        return len(self._done)

    def detach(self) -> None:
        self._timer.stop()
        self._edit.updateRequest.disconnect(self._timer.start)

    @Slot()
    def colour_visible(self) -> None:
        edit = self._edit
        doc = edit.document()
        offset = edit.contentOffset()
        bottom = edit.viewport().height()
        block = edit.firstVisibleBlock()
        while block.isValid():
            if edit.blockBoundingGeometry(block).translated(offset).top() > bottom:
                break
            number = block.blockNumber()
            if number not in self._done:
                self._done.add(number)
                ranges = line_formats(block.text(), self._rules)
                if ranges:
                    block.layout().setFormats(ranges)
                    doc.markContentsDirty(block.position(), block.length())
            block = block.next()


class RawTextView(QPlainTextEdit):
    """Read-only monospace text; can mark one position (an error) and scroll to it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._highlighter: VisibleLinesHighlighter | None = None

    def show_text(self, text: str, highlight: bool = True) -> None:
        if self._highlighter is not None:
            self._highlighter.detach()
            self._highlighter.deleteLater()
            self._highlighter = None
        self.setPlainText(text)
        if highlight:
            self._highlighter = VisibleLinesHighlighter(self, _is_dark(self))

    @property
    def highlighted(self) -> bool:
        return self._highlighter is not None

    def mark_position(self, pos: int) -> None:
        """Select the character at ``pos``, tint its line, and centre it in view."""
        pos = max(0, min(pos, len(self.toPlainText())))
        cursor = QTextCursor(self.document())
        cursor.setPosition(pos)
        line = QTextEdit.ExtraSelection()
        line.format.setBackground(QColor(255, 80, 80, 60))
        line.format.setProperty(QTextCharFormat.Property.FullWidthSelection, True)
        line.cursor = QTextCursor(cursor)
        char = QTextEdit.ExtraSelection()
        char.format.setBackground(QColor(255, 60, 60, 170))
        char_cursor = QTextCursor(cursor)
        char_cursor.movePosition(
            QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor
        )
        char.cursor = char_cursor
        self.setExtraSelections([line, char])
        self.setTextCursor(cursor)
        self.centerCursor()


class JsonErrorPanel(QWidget):
    """What is wrong and where, above the raw text scrolled to the spot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message.font()
        font.setBold(True)
        self.message.setFont(font)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.raw = RawTextView()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.message)
        layout.addWidget(self.detail)
        layout.addWidget(self.raw, 1)

    def show_error(
        self, message: str, detail: str = "", text: str | None = None, pos: int = -1
    ) -> None:
        self.message.setText(message)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        self.raw.setVisible(text is not None)
        if text is not None:
            self.raw.show_text(text, highlight=False)
            if pos >= 0:
                self.raw.mark_position(pos)
