"""XML previewer: indented and highlighted; malformed files show where, with the raw text.

Files too big for a text widget fall back to the virtual text view.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.previews import registry
from artifact_viewer.previews import sniff as sn
from artifact_viewer.previews.base import Previewer, PreviewSource
from artifact_viewer.previews.xml.format import XmlProblem, check, decode, pretty
from artifact_viewer.qt import colors
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

if TYPE_CHECKING:
    from artifact_viewer.core.masking import Masker

# Above this the file goes to the virtual text view: a QPlainTextEdit with highlighting
# takes long enough on bigger documents to stall the GUI thread.
MAX_PRETTY_BYTES = 1024 * 1024
# Raw text with a longer line than this also goes to the text view (a text widget lays
# out a whole line at once).
MAX_LINE_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class XmlResult:
    text: str
    problem: XmlProblem | None
    too_big: bool = False


def load_xml_shown(
    path: Path, masker: Masker | None, progress: Progress, cancel: CancelToken
) -> XmlResult:
    """Worker: :func:`load_xml`, masked here for the redacted view (up to a megabyte of
    text: too long for the GUI thread)."""
    result = load_xml(path, progress, cancel)
    if masker is None or result.too_big:
        return result
    return dataclasses.replace(result, text=masker.mask_text(result.text))


def load_xml(path: Path, progress: Progress, cancel: CancelToken) -> XmlResult:
    """Worker: read, check well-formedness (no entity expansion), and indent."""
    try:
        size = path.stat().st_size
        if size > MAX_PRETTY_BYTES:
            return XmlResult("", None, too_big=True)
        data = path.read_bytes()
    except OSError as exc:
        raise PreviewError(f"Cannot read the file: {exc.strerror or exc}.") from exc
    if not data.strip():
        return XmlResult("", XmlProblem("The file is empty", 1, 0))
    problem = check(data)
    cancel.raise_if_cancelled()
    text = decode(data) if problem else pretty(decode(data))
    if max(map(len, text.splitlines()), default=0) > MAX_LINE_CHARS:
        return XmlResult("", problem, too_big=True)
    return XmlResult(text, problem)


class XmlHighlighter(QSyntaxHighlighter):
    """Tags, attributes, values, comments (also across lines), CDATA and entities."""

    # Possessive quantifiers and a start guard keep every pattern linear: a backtracking
    # name pattern on a 300k-character "word" would take hours.
    _TAG = re.compile(r"</?[\w:.-]++|/?>|<\?[\w:.-]++|\?>")
    _ATTR = re.compile(r"(?<![\w:.-])([\w:.-]++)\s*+=\s*+(\"[^\"]*+\"|'[^']*+')")
    _ENTITY = re.compile(r"&[#\w]++;")
    #: characters of a line that get colours; the rest of a giant line stays plain
    MAX_HIGHLIGHT = 4000

    def __init__(self, document: QTextDocument, palette_source: QWidget) -> None:
        super().__init__(document)
        palette = palette_source.palette()
        self._formats = {role: self._format(colors.syntax(palette, role)) for role in
                         ("tag", "attr", "value", "comment", "entity")}  # fmt: skip

    @staticmethod
    def _format(color: QColor) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(color)
        return fmt

    def highlightBlock(self, text: str) -> None:
        text = text[: self.MAX_HIGHLIGHT]
        for match in self._TAG.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._formats["tag"])
        for match in self._ATTR.finditer(text):
            self.setFormat(match.start(1), len(match.group(1)), self._formats["attr"])
            self.setFormat(match.start(2), len(match.group(2)), self._formats["value"])
        for match in self._ENTITY.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._formats["entity"])
        self._comments(text)

    def _comments(self, text: str) -> None:
        start = 0 if self.previousBlockState() == 1 else text.find("<!--")
        self.setCurrentBlockState(0)
        while start >= 0:
            end = text.find("-->", start)
            if end < 0:
                self.setCurrentBlockState(1)
                length = len(text) - start
            else:
                length = end + 3 - start
            self.setFormat(start, length, self._formats["comment"])
            start = text.find("<!--", start + length) if end >= 0 else -1


class XmlPreviewer(Previewer):
    """Indented XML with highlighting, or the raw text with the parser's complaint on top."""

    kind = "xml"
    title = "XML"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._task: Task | None = None
        self._result: XmlResult | None = None
        self._fallback: Previewer | None = None
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(6, 4, 6, 4)
        self.banner.setVisible(False)
        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = XmlHighlighter(self.editor.document(), self)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.banner)
        self._layout.addWidget(self.editor, 1)

    def load(self, source: PreviewSource) -> None:
        self.cancel()
        self._source = source
        self._result = None
        self._task = run_in_pool(
            load_xml_shown,
            source.path,
            self.masker(),
            on_result=self._on_loaded,
            on_error=self._on_error,
        )

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._fallback is not None:
            self._fallback.cancel()

    def result(self) -> XmlResult | None:
        return self._result

    def fallback(self) -> Previewer | None:
        """The raw-text view a big file went to, or None."""
        return self._fallback

    def dump_chunks(self) -> Iterator[str]:
        """The displayed lines: indented, or the file as it is (with a problem, or too big)."""
        if self._fallback is not None:
            yield from self._fallback.dump_chunks()
        elif self._result is not None:
            text = self._result.text
            yield text if not text or text.endswith("\n") else text + "\n"

    def problem(self) -> str:
        problem = self._result.problem if self._result is not None else None
        return f"Not well-formed XML: {problem.describe()}" if problem is not None else ""

    @Slot(object)
    def _on_loaded(self, result: object) -> None:
        assert isinstance(result, XmlResult)
        self._task = None
        self._result = result
        if result.too_big:
            self._use_text_view(result.problem)
            return
        self.editor.setPlainText(result.text)
        if result.problem is not None:
            self._show_problem(result.problem)
        self.ready.emit()
        self.finished.emit()

    def _show_problem(self, problem: XmlProblem) -> None:
        color = colors.level_color(self.palette(), "error").name()
        self.banner.setText(
            f'<b style="color:{color}">Not well-formed XML:</b> {problem.describe()}. '
            "Showing the file as it is."
        )
        self.banner.setVisible(True)
        block = self.editor.document().findBlockByNumber(max(0, problem.line - 1))
        if not block.isValid():
            return
        cursor = QTextCursor(block)
        cursor.movePosition(
            QTextCursor.MoveOperation.Right, n=min(problem.column, max(0, block.length() - 1))
        )
        self.editor.setTextCursor(cursor)
        mark = QTextEdit.ExtraSelection()
        mark.cursor = QTextCursor(block)
        mark.format.setBackground(colors.current_line(self.palette()))
        mark.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        self.editor.setExtraSelections([mark])
        self.editor.centerCursor()

    def _use_text_view(self, problem: XmlProblem | None) -> None:
        # Through the registry, not the text kind's class: preview kinds never import each
        # other, and a missing text view only costs this fallback.
        if not registry.available(sn.TEXT):
            self.failed.emit("The file is too big for the XML view, and no text view is available.")
            return
        fallback = registry.create(sn.TEXT)
        fallback.redaction = self.redaction
        fallback.setParent(self)
        self._fallback = fallback
        self.editor.hide()
        if problem is not None:
            self._show_problem(problem)
        else:
            self.banner.setText("Large XML: shown as plain text without indentation.")
        self.banner.setVisible(True)
        self._layout.addWidget(fallback, 1)
        fallback.progress.connect(self.progress)
        fallback.ready.connect(self.ready)
        fallback.finished.connect(self.finished)
        fallback.failed.connect(self.failed)
        fallback.load(self._source)

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self._task = None
        self.failed.emit(user_message(exc))
