"""XML previewer: indented and coloured in the virtual text view (search, line numbers,
wrap); malformed files are shown as they are, at the parser's complaint.

The text view is the text kind's, made through the registry (preview kinds never import
each other); this module gives it the indented text. Indenting is linear in the file at
any depth (see format.pretty); files too big to indent are shown as they are.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from artifact_viewer.core import sniff as sn
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError
from artifact_viewer.previews import registry
from artifact_viewer.previews.base import Previewer, PreviewSource
from artifact_viewer.previews.xml.format import (
    ENTITIES_DECLARED,
    XmlProblem,
    check,
    decode,
    pretty_lines,
    shown_lines,
)
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
    #: indented: for each shown line, the file line its first token starts on
    sources: array[int] = field(default_factory=lambda: array("l"))


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
    made = pretty_lines(text, MAX_PRETTY_CHARS)
    if made is None:
        return XmlResult(text, None, too_big=True)
    indented, sources = made
    return XmlResult(indented, None, indented=True, sources=sources)


def prepare_xml(path: Path, progress: Progress, cancel: CancelToken) -> tuple[bytes | None, str]:
    """Worker step for the text view: sends the :class:`XmlResult` along as a note, and
    gives the text to show (None: the file as it is, too big to read whole)."""
    result = load_xml(path, progress, cancel)
    progress.partial(("note", result))
    if result.too_big and not result.text:
        return None, ""
    label = "UTF-8, indented" if result.indented else "as read"
    return result.text.encode("utf-8", "surrogatepass"), label


class XmlPreviewer(Previewer):
    """Indented XML with colours and search, or the text as it is with the parser's
    complaint on top."""

    kind = "xml"
    title = "XML"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: XmlResult | None = None
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setContentsMargins(6, 4, 6, 4)
        self.banner.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        # Through the registry, not the text kind's class: kinds never import each other.
        self.text: Any = (
            cast(Any, registry.create(sn.TEXT)) if registry.available(sn.TEXT) else None
        )
        if self.text is not None:
            layout.addWidget(self.text, 1)
            self.text.progress.connect(self.progress)
            self.text.ready.connect(self._text_ready)
            self.text.finished.connect(self.finished)
            self.text.failed.connect(self.failed)
            self.text.noted.connect(self._noted)

    # --- the text view's surface ---------------------------------------------------------
    @property
    def view(self) -> Any:
        return self.text.view

    @property
    def find_edit(self) -> Any:
        return self.text.find_edit

    def document(self) -> Any:
        return self.text.document() if self.text is not None else None

    def line_index(self) -> Any:
        """The index of the file's lines, or None while the file is shown indented: its
        lines are then not the file's, so a file line (a search hit) cannot be placed."""
        if self.text is None or self._result is None or self._result.indented:
            return None
        return self.text.line_index()

    def offset_of_file_line(self, number: int, match: str = "") -> int | None:
        """Where 1-based line ``number`` of the file is shown (a search hit's line). In the
        indented text one file line may be several: the first holding ``match`` is chosen."""
        if self.text is None or self._result is None:
            return None
        index, doc = self.text.line_index(), self.document()
        if index is None or doc is None:
            return None
        if not self._result.indented:
            offset = index.offset_of_line(number)
            return int(offset) if offset is not None else None
        offsets = [index.offset_of_line(n) for n in shown_lines(self._result.sources, number)]
        found = [int(o) for o in offsets if o is not None]
        wanted = match.casefold()
        for offset in found if wanted else ():
            if wanted in doc.line_at(offset)[0].casefold():
                return offset
        return found[0] if found else None

    def search_result(self) -> Any:
        return self.text.search_result() if self.text is not None else None

    def start_search(self) -> None:
        if self.text is not None:
            self.text.start_search()

    def dump_chunks(self) -> Iterator[str]:
        """The displayed lines: indented, or the file as it is."""
        if self.text is not None:
            yield from self.text.dump_chunks()

    # --- loading -------------------------------------------------------------------------
    def load(self, source: PreviewSource) -> None:
        self._result = None
        self.banner.setVisible(False)
        self.banner.clear()
        if self.text is None:
            self.failed.emit("The text view is not available.")
            return
        self.text.redaction = self.redaction  # the redacted view masks the lines shown
        self.text.load_prepared(source, prepare_xml, "xml")

    def cancel(self) -> None:
        if self.text is not None:
            self.text.cancel()

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
    def _noted(self, result: object) -> None:
        if isinstance(result, XmlResult):
            self._result = result
            self._show_banner(result)

    @Slot()
    def _text_ready(self) -> None:
        if self._result is not None and self._result.problem is not None:
            self._go_to_line(self._result.problem.line)
        self.ready.emit()

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
