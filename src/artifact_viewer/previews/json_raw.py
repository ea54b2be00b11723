"""Raw JSON text: a syntax highlighter, a read-only text view, and the invalid-JSON panel."""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

#: texts longer than this are shown without colours: highlighting runs on the GUI thread
HIGHLIGHT_LIMIT = 256 * 1024


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Base).lightness() < 128


def _fmt(colour: str, bold: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QColor(colour))
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    return fmt


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys, strings, numbers and literals; one line at a time (no state)."""

    def __init__(self, document: QTextDocument, dark: bool) -> None:
        super().__init__(document)
        if dark:
            colours = ("#9cdcfe", "#8fd18f", "#8cc4ff", "#e6a0ff", "#b0b0b0")
        else:
            colours = ("#0b4f8a", "#1d7a1d", "#1750a8", "#8a1fa8", "#707070")
        key, string, number, literal, punct = colours
        self._rules = [
            (QRegularExpression(r"[{}\[\],:]"), _fmt(punct)),
            (QRegularExpression(r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b"), _fmt(number)),
            (QRegularExpression(r"\b(?:true|false|null|NaN|Infinity)\b"), _fmt(literal, True)),
            (QRegularExpression(r'"(?:[^"\\]|\\.)*"'), _fmt(string)),
            (QRegularExpression(r'"(?:[^"\\]|\\.)*"(?=\s*:)'), _fmt(key, True)),
        ]

    def highlightBlock(self, text: str) -> None:
        # Later rules win, so strings override numbers found inside them.
        for pattern, fmt in self._rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                m = matches.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), fmt)


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
        self._highlighter: JsonHighlighter | None = None

    def show_text(self, text: str, highlight: bool = True) -> None:
        if self._highlighter is not None:
            self._highlighter.setDocument(None)
            self._highlighter = None
        self.setPlainText(text)
        if highlight and len(text) <= HIGHLIGHT_LIMIT:
            self._highlighter = JsonHighlighter(self.document(), _is_dark(self))

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
