"""A virtual text view: paints only the visible lines of a memory-mapped document.

The scroll position is a byte offset (the start of the top line), so the view works before
the newline index exists: the index only adds line numbers. The vertical scrollbar maps to
byte offsets, shifted to fit Qt's int range for files over 2 GiB.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from artifact_viewer.previews.text.document import LineIndex, TextDocument, classify
from artifact_viewer.previews.text.syntax import Highlighter, runs
from artifact_viewer.qt import colors

_PAD = 6  # pixels between gutter and text
_TAB = 4


class TextView(QAbstractScrollArea):
    """Virtual, read-only text view. Emits ``topChanged(offset)`` when it scrolls."""

    topChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.viewport().setFont(self.font())
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._doc: TextDocument | None = None
        self._index: LineIndex | None = None
        self._top = 0
        self._wrap = False
        self._levels = False
        self._syntax: Highlighter | None = None
        self._query = ""
        self._case = False
        self._current: int | None = None
        self._anchor: int | None = None
        self._cursor: int | None = None
        self._shift = 0
        self._syncing = False
        self._drawn: list[tuple[int, int, int]] = []  # (offset, y0, y1) from the last paint
        # What the last paint took from the line index: the gutter width, and whether a line
        # on screen had no number yet (see index_changed).
        self._painted_gutter: int | None = None
        self._numbers_pending = True
        self._max_top_cache: tuple[int, int] | None = None
        self._wheel_rest = 0
        self.verticalScrollBar().valueChanged.connect(self._on_vbar)
        self.horizontalScrollBar().valueChanged.connect(self.viewport().update)

    # --- state ---------------------------------------------------------------------------

    def set_document(self, doc: TextDocument | None, index: LineIndex | None = None) -> None:
        self._doc, self._index = doc, index
        self._top = doc.start if doc else 0
        self._current = self._anchor = self._cursor = None
        self._max_top_cache = None
        size = (doc.size - doc.start) if doc else 0
        self._shift = max(0, size.bit_length() - 30)
        self._sync_bars()
        self.viewport().update()

    def document(self) -> TextDocument | None:
        return self._doc

    def set_index(self, index: LineIndex | None) -> None:
        self._index = index
        self._sync_bars()
        self.viewport().update()

    def index_changed(self) -> None:
        """The index grew (a chunk of the file was scanned): the scrollbar follows, and the
        text is painted again only if what it shows changed (the gutter's width, or a line
        on screen whose number is now known). While a big file is indexed, a repaint per
        chunk would redraw the same screen dozens of times a second on the GUI thread."""
        self._sync_bars()
        if self._numbers_pending or self._gutter_width() != self._painted_gutter:
            self.viewport().update()

    def set_wrap(self, wrap: bool) -> None:
        self._wrap = wrap
        self.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if wrap else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self._max_top_cache = None
        self.viewport().update()

    def wrap(self) -> bool:
        return self._wrap

    def set_levels(self, on: bool) -> None:
        self._levels = on
        self.viewport().update()

    def set_syntax(self, highlighter: Highlighter | None) -> None:
        """Colour each line's markup (see :mod:`.syntax`); None: plain."""
        self._syntax = highlighter
        self.viewport().update()

    def set_highlight(self, query: str, case_sensitive: bool = False) -> None:
        self._query, self._case = query, case_sensitive
        self.viewport().update()

    def top_offset(self) -> int:
        return self._top

    def current_offset(self) -> int | None:
        return self._current

    def visible_offsets(self) -> list[int]:
        return [offset for offset, _y0, _y1 in self._drawn]

    def rows(self) -> int:
        return max(1, self.viewport().height() // self.fontMetrics().lineSpacing())

    # --- scrolling -----------------------------------------------------------------------

    def scroll_to(self, offset: int, *, center: bool = True, mark: bool = True) -> None:
        """Show the line holding ``offset`` (a third down the screen when ``center``)."""
        if self._doc is None:
            return
        line = self._doc.snap(offset)
        if mark:
            self._current = line
        top = line
        if center:
            for _ in range(self.rows() // 3):
                top = self._doc.previous_start(top)
        self._set_top(top)

    def reveal(self, offset: int, length: int) -> None:
        """Scroll sideways so the ``length`` characters at byte ``offset`` are in view
        (a search hit far right on a long line); nothing to do while wrapping."""
        doc = self._doc
        if doc is None or self._wrap:
            return
        line = doc.snap(offset)
        before = bytes(doc.buf[line:offset]).decode(doc.codec, errors="replace")
        column = len(before.expandtabs(_TAB))
        char_width = max(1.0, QFontMetricsF(self.font()).horizontalAdvance("0" * 64) / 64)
        visible = self.viewport().width() - self._gutter_width() - _PAD
        bar = self.horizontalScrollBar()
        left, right = column * char_width, (column + length) * char_width
        if bar.value() <= left and right <= bar.value() + visible:
            return
        target = max(0, int(left - visible / 3)) if right > visible else 0
        if bar.maximum() < target:
            bar.setRange(0, target)
        bar.setValue(target)

    def scroll_to_start(self) -> None:
        if self._doc is not None:
            self._set_top(self._doc.start)

    def scroll_to_end(self) -> None:
        if self._doc is not None:
            self._set_top(self._max_top())

    def scroll_lines(self, count: int) -> None:
        doc = self._doc
        if doc is None or count == 0:
            return
        top = self._top
        for _ in range(abs(count)):
            if count > 0:
                following = doc.next_start(top)
                if following is None:
                    break
                top = following
            else:
                if top <= doc.start:
                    break
                top = doc.previous_start(top)
        self._set_top(top)

    def _max_top(self) -> int:
        doc = self._doc
        if doc is None:
            return 0
        rows = self.rows()
        if self._max_top_cache is None or self._max_top_cache[0] != rows:
            self._max_top_cache = (rows, doc.last_screen_start(rows))
        return self._max_top_cache[1]

    def _set_top(self, top: int) -> None:
        if self._doc is None:
            return
        top = max(self._doc.start, min(top, self._max_top()))
        if top != self._top:
            self._top = top
            self.topChanged.emit(top)
        self._sync_bars()
        self.viewport().update()

    def _sync_bars(self) -> None:
        bar = self.verticalScrollBar()
        doc = self._doc
        self._syncing = True
        try:
            if doc is None or doc.size <= doc.start:
                bar.setRange(0, 0)
                return
            top_limit = self._max_top()
            bar.setRange(0, (top_limit - doc.start) >> self._shift)
            per_line = 80
            if self._index is not None and self._index.newlines:
                per_line = max(1, (self._index.covered - doc.start) // self._index.newlines)
            bar.setPageStep(max(1, (per_line * self.rows()) >> self._shift))
            bar.setSingleStep(max(1, per_line >> self._shift))
            bar.setValue((self._top - doc.start) >> self._shift)
        finally:
            self._syncing = False

    @Slot(int)
    def _on_vbar(self, value: int) -> None:
        if self._syncing or self._doc is None:
            return
        bar = self.verticalScrollBar()
        if value >= bar.maximum():
            self._set_top(self._max_top())
        else:
            self._set_top(self._doc.snap(self._doc.start + (value << self._shift)))

    # --- painting ------------------------------------------------------------------------

    def _gutter_width(self) -> int:
        lines = self._index.estimated_lines() if self._index is not None else 9999
        digits = max(4, len(str(lines)))
        return self.fontMetrics().horizontalAdvance("0") * (digits + 1) + _PAD

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        palette = self.palette()
        metrics = self.fontMetrics()
        line_height = metrics.lineSpacing()
        # The true (fractional) advance of a monospace cell: integer rounding would make
        # hit boxes drift away from the text over a long line.
        char_width = max(1.0, QFontMetricsF(self.font()).horizontalAdvance("0" * 64) / 64)
        width, height = self.viewport().width(), self.viewport().height()
        gutter = self._painted_gutter = self._gutter_width()
        painter.fillRect(QRect(0, 0, gutter - _PAD // 2, height), colors.gutter_background(palette))
        self._drawn = []
        self._numbers_pending = False
        doc = self._doc
        if doc is None or doc.size <= doc.start:
            painter.setPen(colors.gutter_text(palette))
            text = "(empty file)" if doc is not None else ""
            painter.drawText(
                QRect(gutter, 0, width - gutter, height), Qt.AlignmentFlag.AlignCenter, text
            )
            return
        x_shift = self.horizontalScrollBar().value()
        first_col = int(x_shift // char_width)
        columns = int((width - gutter) // char_width) + 2
        selection = self._selection()
        longest = 0
        y, offset = 0, self._top
        while y < height and offset < doc.size:
            raw, following = doc.line_at(offset)
            text = raw.expandtabs(_TAB)
            longest = max(longest, len(text))
            level = classify(text) if self._levels else None
            layout = None
            if self._wrap:
                # Lay out no more than fits on the rest of the screen: a 64 KiB line
                # would otherwise be wrapped in full on every paint.
                fits = ((height - y) // line_height + 1) * (columns + 1)
                layout = self._wrapped_layout(text[:fits], width - gutter - _PAD, level)
                rows = max(1, layout.lineCount())
            else:
                rows = 1
            box = QRect(gutter, y, width - gutter, rows * line_height)
            selected = selection is not None and selection[0] <= offset <= selection[1]
            if selected:
                painter.fillRect(box, palette.color(QPalette.ColorRole.Highlight))
            elif offset == self._current:
                painter.fillRect(box, colors.current_line(palette))
            self._paint_number(painter, offset, y, gutter, line_height)
            pen = (
                palette.color(QPalette.ColorRole.HighlightedText)
                if selected
                else colors.level_color(palette, level)
            )
            painter.setPen(pen)
            if layout is not None:
                layout.draw(painter, QPointF(gutter, y))
            else:
                self._paint_hits(
                    painter, text, first_col, columns, gutter, y, char_width, line_height, x_shift
                )
                painter.setPen(pen)
                visible = text[first_col : first_col + columns]
                x = gutter + first_col * char_width - x_shift
                if self._syntax is not None and not selected and visible:
                    self._paint_coloured(
                        painter, text, first_col, len(visible), gutter, y + metrics.ascent(),
                        char_width, x_shift, pen,
                    )  # fmt: skip
                else:
                    painter.drawText(QPointF(x, y + metrics.ascent()), visible)
            self._drawn.append((offset, y, y + rows * line_height))
            y += rows * line_height
            offset = following
        painter.end()
        self._update_hbar(int(longest * char_width) + gutter + _PAD - width)

    def _paint_coloured(
        self, painter: QPainter, text: str, first_col: int, count: int, gutter: int,
        baseline: int, char_width: float, x_shift: int, plain: QColor,
    ) -> None:  # fmt: skip
        """The visible columns in runs of one colour each (monospace: a run's x is its
        column times the cell width)."""
        assert self._syntax is not None
        palette = self.palette()
        for start, length, role in runs(self._syntax(text), first_col, count):
            painter.setPen(colors.syntax(palette, role) if role is not None else plain)
            x = gutter + start * char_width - x_shift
            painter.drawText(QPointF(x, baseline), text[start : start + length])

    def _paint_number(
        self, painter: QPainter, offset: int, y: int, gutter: int, line_height: int
    ) -> None:
        if self._index is None or self._doc is None or self._doc.is_continuation(offset):
            return
        number = self._index.line_number(offset)
        if number is None:
            self._numbers_pending = True
            return
        painter.setPen(colors.gutter_text(self.palette()))
        painter.drawText(
            QRect(0, y, gutter - _PAD, line_height),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(number),
        )

    def _hit_columns(self, text: str) -> list[int]:
        if not self._query:
            return []
        haystack, needle = (
            (text, self._query) if self._case else (text.lower(), self._query.lower())
        )
        hits: list[int] = []
        start = haystack.find(needle)
        while start >= 0 and len(hits) < 1000:
            hits.append(start)
            start = haystack.find(needle, start + max(1, len(needle)))
        return hits

    def _paint_hits(
        self, painter: QPainter, text: str, first_col: int, columns: int, gutter: int,
        y: int, char_width: float, line_height: int, x_shift: int,
    ) -> None:  # fmt: skip
        color = colors.search_hit(self.palette())
        for col in self._hit_columns(text):
            if col + len(self._query) < first_col or col > first_col + columns:
                continue
            x = gutter + col * char_width - x_shift
            painter.fillRect(QRectF(x, y, len(self._query) * char_width, line_height), color)

    def _wrapped_layout(self, text: str, width: int, level: str | None) -> QTextLayout:
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        formats = []
        if self._syntax is not None:
            for start, length, role in self._syntax(text):
                fmt = QTextLayout.FormatRange()
                fmt.start, fmt.length = start, length
                char_format = QTextCharFormat()
                char_format.setForeground(colors.syntax(self.palette(), role))
                fmt.format = char_format
                formats.append(fmt)
        for col in self._hit_columns(text):
            fmt = QTextLayout.FormatRange()
            fmt.start, fmt.length = col, len(self._query)
            char_format = QTextCharFormat()
            char_format.setBackground(colors.search_hit(self.palette()))
            fmt.format = char_format
            formats.append(fmt)
        layout.setFormats(formats)
        layout.beginLayout()
        y = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(10, width))
            line.setPosition(QPointF(0, y))
            y += self.fontMetrics().lineSpacing()
        layout.endLayout()
        return layout

    def _update_hbar(self, overflow: int) -> None:
        bar = self.horizontalScrollBar()
        maximum = 0 if self._wrap else max(0, overflow)
        # Only grow while scrolled: shrinking under the user's thumb would make it jump.
        if maximum > bar.maximum() or bar.value() == 0:
            bar.setRange(0, maximum)
            bar.setPageStep(self.viewport().width())

    # --- input ---------------------------------------------------------------------------

    def _selection(self) -> tuple[int, int] | None:
        if self._anchor is None or self._cursor is None:
            return None
        return min(self._anchor, self._cursor), max(self._anchor, self._cursor)

    def _offset_at(self, y: int) -> int | None:
        for offset, y0, y1 in self._drawn:
            if y0 <= y < y1:
                return offset
        return self._drawn[-1][0] if self._drawn and y >= self._drawn[-1][2] else None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        offset = self._offset_at(int(event.position().y()))
        if offset is not None and event.button() == Qt.MouseButton.LeftButton:
            if not (event.modifiers() & Qt.KeyboardModifier.ShiftModifier) or self._anchor is None:
                self._anchor = offset
            self._cursor = offset
            self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._anchor is not None:
            offset = self._offset_at(int(event.position().y()))
            if offset is not None and offset != self._cursor:
                self._cursor = offset
                self.viewport().update()

    def selected_text(self) -> str:
        selection = self._selection()
        if selection is None or self._doc is None:
            return ""
        return self._doc.text_between(*selection)

    def copy_selection(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if delta.x() and not delta.y():
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - delta.x())
            return
        self._wheel_rest += delta.y()
        steps = int(self._wheel_rest / 40)  # 3 lines per 120-unit notch
        if steps:
            self._wheel_rest -= steps * 40
            self.scroll_lines(-steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif key == Qt.Key.Key_Down:
            self.scroll_lines(1)
        elif key == Qt.Key.Key_Up:
            self.scroll_lines(-1)
        elif key == Qt.Key.Key_PageDown:
            self.scroll_lines(max(1, self.rows() - 1))
        elif key == Qt.Key.Key_PageUp:
            self.scroll_lines(-max(1, self.rows() - 1))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            bar = self.horizontalScrollBar()
            step = self.fontMetrics().horizontalAdvance("0") * 4
            bar.setValue(bar.value() + (step if key == Qt.Key.Key_Right else -step))
        elif key == Qt.Key.Key_End:
            self.scroll_to_end()
        elif key == Qt.Key.Key_Home:
            self.scroll_to_start()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._max_top_cache = None
        self._sync_bars()
