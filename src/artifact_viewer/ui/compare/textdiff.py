"""Text diff view: unified or side by side, changed lines tinted, next/previous change."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QTextBlockFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.compare.text import Hunk

ADDED = QColor(46, 160, 67, 70)
REMOVED = QColor(218, 54, 51, 70)
CHANGED = QColor(210, 153, 34, 80)
HEADER = QColor(56, 139, 253, 50)
#: lines shown at most, so that swapping a document in stays a short GUI-thread step
#: (beyond: a note; the CLI and --json give the whole diff)
MAX_LINES = 20_000

#: lines of text handed to Qt per call while a document is made
_CHUNK_LINES = 1000

# Line kinds, per block of the documents.
SAME, PLUS, MINUS, HUNK, FILLER = 0, 1, 2, 3, 4
_TINTS = {PLUS: ADDED, MINUS: REMOVED, HUNK: HEADER, FILLER: QColor(128, 128, 128, 30)}


@dataclass(slots=True)
class Rendered:
    """Text for both layouts, with line kinds and the block numbers where changes start."""

    unified: str
    unified_kinds: list[int]
    unified_stops: list[int]
    left: str
    right: str
    side_kinds_left: list[int]
    side_kinds_right: list[int]
    side_stops: list[int]
    truncated: bool
    #: unified, left and right as tinted documents, made on a worker thread (see documents())
    documents: list[QTextDocument] = field(default_factory=list)


def render(hunks: list[Hunk], limit: int = MAX_LINES) -> Rendered:
    """Both layouts of ``hunks`` as text (call on a worker thread for big diffs)."""
    uni: list[str] = []
    uni_kinds: list[int] = []
    uni_stops: list[int] = []
    left: list[str] = []
    right: list[str] = []
    lk: list[int] = []
    rk: list[int] = []
    side_stops: list[int] = []
    truncated = False
    for hunk in hunks:
        if len(uni) > limit:
            truncated = True
            break
        uni_stops.append(len(uni))
        side_stops.append(len(left))
        uni.append(hunk.header())
        uni_kinds.append(HUNK)
        left.append(f"@@ -{hunk.a_start},{hunk.a_lines}")
        right.append(f"+{hunk.b_start},{hunk.b_lines} @@")
        lk.append(HUNK)
        rk.append(HUNK)
        a_no, b_no = max(hunk.a_start, 1), max(hunk.b_start, 1)
        pending_minus: list[str] = []
        pending_plus: list[str] = []

        for line in hunk.lines:
            sign, text = line[:1], line[1:]
            if sign == " ":
                _flush(pending_minus, pending_plus, left, right, lk, rk)
                uni.append(f"{a_no:>7} {b_no:>7}   {text}")
                uni_kinds.append(SAME)
                left.append(f"{a_no:>7}  {text}")
                right.append(f"{b_no:>7}  {text}")
                lk.append(SAME)
                rk.append(SAME)
                a_no += 1
                b_no += 1
            elif sign == "-":
                uni.append(f"{a_no:>7} {'':>7} - {text}")
                uni_kinds.append(MINUS)
                pending_minus.append(f"{a_no:>7}  {text}")
                a_no += 1
            else:
                uni.append(f"{'':>7} {b_no:>7} + {text}")
                uni_kinds.append(PLUS)
                pending_plus.append(f"{b_no:>7}  {text}")
                b_no += 1
        _flush(pending_minus, pending_plus, left, right, lk, rk)
    return Rendered(
        "\n".join(uni),
        uni_kinds,
        uni_stops,
        "\n".join(left),
        "\n".join(right),
        lk,
        rk,
        side_stops,
        truncated,
    )


def tinted_document(text: str, kinds: list[int]) -> QTextDocument:
    """A plain-text document whose lines are tinted by kind (block backgrounds).

    Made on a worker thread and moved to the GUI thread, so the window only swaps it in:
    setting and tinting tens of thousands of lines never runs on the GUI thread."""
    document = QTextDocument()
    document.setDocumentLayout(QPlainTextDocumentLayout(document))
    document.setUndoRedoEnabled(False)
    document.setDefaultFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    cursor = QTextCursor(document)
    # A thousand lines per call: each Qt call holds the GIL while it runs, so one call
    # with all the text would stall the GUI thread's Python for as long.
    lines = text.split("\n")
    for start in range(0, len(lines), _CHUNK_LINES):
        chunk = "\n".join(lines[start : start + _CHUNK_LINES])
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText("\n" + chunk if start else chunk)
    formats = {kind: QTextBlockFormat() for kind in _TINTS}
    for kind, fmt in formats.items():
        fmt.setBackground(QBrush(_TINTS[kind]))
    block = document.firstBlock()
    number = 0
    while block.isValid():
        kind = kinds[number] if number < len(kinds) else SAME
        if kind in formats:
            cursor.setPosition(block.position())
            cursor.setBlockFormat(formats[kind])
        block = block.next()
        number += 1
    app = QCoreApplication.instance()
    if app is not None:
        document.moveToThread(app.thread())
    return document


def documents(rendered: Rendered) -> Rendered:
    """Fill ``rendered.documents`` (call on the worker thread that rendered it)."""
    rendered.documents = [
        tinted_document(rendered.unified, rendered.unified_kinds),
        tinted_document(rendered.left, rendered.side_kinds_left),
        tinted_document(rendered.right, rendered.side_kinds_right),
    ]
    return rendered


def _flush(
    minus: list[str],
    plus: list[str],
    left: list[str],
    right: list[str],
    lk: list[int],
    rk: list[int],
) -> None:
    """Removed lines on the left beside the added lines on the right, padded to one height."""
    for k in range(max(len(minus), len(plus))):
        if k < len(minus):
            left.append(minus[k])
            lk.append(MINUS)
        else:
            left.append("")
            lk.append(FILLER)
        if k < len(plus):
            right.append(plus[k])
            rk.append(PLUS)
        else:
            right.append("")
            rk.append(FILLER)
    minus.clear()
    plus.clear()


def _editor(parent: QWidget) -> QPlainTextEdit:
    editor = QPlainTextEdit(parent)
    editor.setReadOnly(True)
    editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    editor.setUndoRedoEnabled(False)
    return editor


class TextDiffView(QWidget):
    """Unified and side-by-side layouts of one text diff, with next/previous change."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.unified_button = QToolButton(self)
        self.unified_button.setText("Unified")
        self.unified_button.setCheckable(True)
        self.unified_button.setChecked(True)
        self.side_button = QToolButton(self)
        self.side_button.setText("Side by side")
        self.side_button.setCheckable(True)
        self.prev_button = QToolButton(self)
        self.prev_button.setText("Previous change")
        self.prev_button.setShortcut("Shift+F7")
        self.next_button = QToolButton(self)
        self.next_button.setText("Next change")
        self.next_button.setShortcut("F7")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        for button in (self.unified_button, self.side_button, self.prev_button, self.next_button):
            bar.addWidget(button)
        self.unified = _editor(self)
        self.left = _editor(self)
        self.right = _editor(self)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.left)
        split.addWidget(self.right)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.unified)
        self.stack.addWidget(split)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        # Side by side scrolls as one.
        self.left.verticalScrollBar().valueChanged.connect(self.right.verticalScrollBar().setValue)
        self.right.verticalScrollBar().valueChanged.connect(self.left.verticalScrollBar().setValue)
        self.unified_button.clicked.connect(lambda: self.set_side_by_side(False))
        self.side_button.clicked.connect(lambda: self.set_side_by_side(True))
        self.next_button.clicked.connect(self.next_change)
        self.prev_button.clicked.connect(self.previous_change)
        self._rendered: Rendered | None = None
        self._attached: set[int] = set()
        self._stop = -1

    def show_rendered(self, rendered: Rendered, summary: str) -> None:
        self._rendered = rendered
        note = "  (first lines only: use the CLI for the whole diff)" if rendered.truncated else ""
        self.summary.setText(summary + note)
        if not rendered.documents:
            documents(rendered)  # small diffs shown straight away (tests, empty pages)
        self._attached = set()
        self._attach()
        self._stop = -1
        self.next_button.setEnabled(bool(rendered.unified_stops))
        self.prev_button.setEnabled(bool(rendered.unified_stops))

    def _attach(self) -> None:
        """Swap in the documents of the layout on screen (the other one when it is chosen)."""
        rendered = self._rendered
        if rendered is None:
            return
        wanted = (1, 2) if self.side_by_side() else (0,)
        editors = (self.unified, self.left, self.right)
        for index in wanted:
            if index not in self._attached:
                editors[index].setDocument(rendered.documents[index])
                self._attached.add(index)

    def side_by_side(self) -> bool:
        return self.stack.currentIndex() == 1

    def set_side_by_side(self, on: bool) -> None:
        self.stack.setCurrentIndex(1 if on else 0)
        self._attach()
        self.side_button.setChecked(on)
        self.unified_button.setChecked(not on)
        if self._stop >= 0:
            self._go(self._stop)

    def stops(self) -> list[int]:
        if self._rendered is None:
            return []
        return self._rendered.side_stops if self.side_by_side() else self._rendered.unified_stops

    @Slot()
    def next_change(self) -> None:
        stops = self.stops()
        if stops:
            self._go(min(self._stop + 1, len(stops) - 1))

    @Slot()
    def previous_change(self) -> None:
        if self.stops():
            self._go(max(self._stop - 1, 0))

    def current_stop(self) -> int:
        return self._stop

    def _go(self, index: int) -> None:
        self._stop = index
        block_number = self.stops()[index]
        editors = [self.left, self.right] if self.side_by_side() else [self.unified]
        for editor in editors:
            block = editor.document().findBlockByNumber(block_number)
            cursor = QTextCursor(block)
            editor.setTextCursor(cursor)
            editor.centerCursor()

    def fixed_font(self) -> QFont:
        return self.unified.font()
