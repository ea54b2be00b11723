"""XML previewer: indented and coloured in the virtual text view (search, line numbers,
wrap); malformed files are shown as they are, at the parser's complaint.

Indenting is linear in the file at any depth (see format.pretty); files too big to
indent are shown as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.text.document import TextDocument
from artifact_viewer.previews.text.previewer import TextPreviewer
from artifact_viewer.previews.xml.format import ENTITIES_DECLARED, XmlProblem, check, decode, pretty
from artifact_viewer.qt import colors
from artifact_viewer.qt.worker import Progress

# Above this the file is shown as it is (checking and indenting read it whole).
MAX_PRETTY_BYTES = 16 * 1024 * 1024
# Indented text longer than this (characters) is not kept: the file is shown as it is.
MAX_PRETTY_CHARS = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class XmlResult:
    """What the worker found: ``text`` is what is shown (indented, or the file as it is)."""

    text: str
    problem: XmlProblem | None
    too_big: bool = False
    indented: bool = False


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
    text = decode(data)
    if problem is not None:
        return XmlResult(text, problem)
    indented = pretty(text, MAX_PRETTY_CHARS)
    if indented is None:
        return XmlResult(text, None, too_big=True)
    return XmlResult(indented, None, indented=True)


def open_xml(path: Path, progress: Progress, cancel: CancelToken) -> None:
    """Worker for the text view: the result first, then the document it shows, then its
    line index (as :func:`~artifact_viewer.previews.text.previewer.open_and_index`)."""
    result = load_xml(path, progress, cancel)
    progress.partial(("xml", result))
    if result.too_big and not result.text:
        doc = TextDocument.open(path)
    else:
        data = result.text.encode("utf-8", "surrogatepass")
        doc = TextDocument(path, data, 0, "utf-8", "UTF-8" if result.indented else "as read")
    progress.partial(("doc", doc))
    doc.scan_newlines(progress, cancel, lambda found, end: progress.partial(("lines", found, end)))


class XmlPreviewer(TextPreviewer):
    """Indented XML with colours and search, or the text as it is with the parser's
    complaint on top."""

    kind = "xml"
    title = "XML"
    syntax = "xml"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: XmlResult | None = None
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(6, 4, 6, 4)
        self.banner.setVisible(False)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, self.banner)

    def load(self, source: PreviewSource) -> None:
        self._result = None
        self.banner.setVisible(False)
        self.banner.clear()
        super().load(source)

    def _opener(self, source: PreviewSource) -> Callable[[Progress, CancelToken], None]:
        return partial(open_xml, source.path)

    def result(self) -> XmlResult | None:
        return self._result

    def problem(self) -> str:
        problem = self._result.problem if self._result is not None else None
        if problem is None:
            return ""
        if problem.message == ENTITIES_DECLARED:
            return f"{ENTITIES_DECLARED} (shown as written)"
        return f"Not well-formed XML: {problem.describe()}"

    @Slot(object)
    def _on_partial(self, message: object) -> None:
        assert isinstance(message, tuple)
        if message[0] == "xml":
            result = message[1]
            assert isinstance(result, XmlResult)
            self._result = result
            self._show_banner(result)
            return
        super()._on_partial(message)
        if message[0] == "doc" and self._result is not None and self._result.problem:
            self._go_to_line(self._result.problem.line)

    def _show_banner(self, result: XmlResult) -> None:
        problem = result.problem
        color = colors.level_color(self.palette(), "error").name()
        if problem is not None and problem.message == ENTITIES_DECLARED:
            self.banner.setText(
                f"<b>{ENTITIES_DECLARED}</b> (line {problem.line}): the file is shown as "
                "written, without indentation."
            )
        elif problem is not None:
            self.banner.setText(
                f'<b style="color:{color}">Not well-formed XML:</b> {problem.describe()}. '
                "Showing the file as it is."
            )
        elif result.too_big:
            self.banner.setText("Large XML: shown as it is, without indentation.")
        else:
            return
        self.banner.setVisible(True)

    def _go_to_line(self, line: int) -> None:
        doc = self.document()
        if doc is None:
            return
        offset = doc.start
        for _ in range(max(0, line - 1)):
            following = doc.next_start(offset)
            if following is None:
                break
            offset = following
        self.view.scroll_to(offset)
