"""PDF diff view: the two documents' pages rendered side by side (one page number, shown on
both sides), above the per-page text diff; the changed pages listed on the left.

Pages are rendered by PDFium (pypdfium2, which releases the GIL while drawing) on a worker
thread through the view's ``run`` function; the GUI thread only wraps the pixels in a
pixmap. A render that comes back after the page was changed again is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.compare import CompareError, PageImage, PdfDiff, render_page
from artifact_viewer.core.units import plural
from artifact_viewer.ui.compare.textdiff import Rendered, TextDiffView

#: width in pixels pages are rendered at (each side) before the view is laid out, and at most
PAGE_WIDTH = 560
MAX_PAGE_WIDTH = 1600
_OPS = {"add": "only in B", "remove": "only in A", "change": "changed"}


@dataclass(slots=True)
class PdfPair:
    """What the view needs besides the diff: each changed page's rendered text diff, and the
    two files (pages are rendered from them as they are shown)."""

    rendered: list[Rendered]
    path_a: Path | None
    path_b: Path | None


Side = PageImage | str | None  # a rendered page, why it could not be, or no such page


def render_pair(
    path_a: Path | None, path_b: Path | None, index: int, width: int, progress: Any, cancel: Any
) -> tuple[int, Side, Side]:
    """Page ``index`` of both files, for a worker: None for a side without that page, and a
    one-line reason for a side that cannot be rendered (the other side still shows)."""
    images: list[Side] = []
    for path in (path_a, path_b):
        if cancel is not None:
            cancel.raise_if_cancelled()
        if path is None:
            images.append(None)
            continue
        try:
            images.append(render_page(path, index, width))
        except CompareError as exc:
            images.append(exc.message)
        except OSError as exc:
            images.append(f"{path.name} cannot be read ({exc.strerror or exc}).")
    return index, images[0], images[1]


def _pixmap(image: PageImage) -> QPixmap:
    qimage = QImage(image.data, image.width, image.height, image.stride, QImage.Format.Format_RGB32)
    return QPixmap.fromImage(qimage.copy())  # copy: the QImage only borrows ``data``


class PageSide(QScrollArea):
    """One side's page (or a note that the document has no such page)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.page = QLabel(self)
        self.page.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page.setTextFormat(Qt.TextFormat.PlainText)
        self.page.setWordWrap(True)
        self.setWidget(self.page)
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)

    def show_image(self, image: Side, number: int, count: int) -> None:
        if isinstance(image, str):
            self.show_text(image)
            return
        if image is None:
            self.page.setPixmap(QPixmap())
            self.page.setText(f"{self.label} has no page {number} ({plural(count, 'page')}).")
            return
        self.page.setText("")
        self.page.setPixmap(_pixmap(image))

    def show_text(self, text: str) -> None:
        self.page.setPixmap(QPixmap())
        self.page.setText(text)

    def has_image(self) -> bool:
        pixmap = self.page.pixmap()
        return pixmap is not None and not pixmap.isNull()


class PdfDiffView(QWidget):
    """Changed pages on the left; pages A and B side by side (synced page and scrolling)
    above the text diff of the page shown."""

    def __init__(self, run: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run = run  # (fn, *args, on_result) -> starts background work
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.pages = QListWidget(self)
        self.prev_button = QToolButton(self)
        self.prev_button.setText("Previous page")
        self.next_button = QToolButton(self)
        self.next_button.setText("Next page")
        self.page_box = QSpinBox(self)
        self.page_box.setPrefix("Page ")
        self.page_box.setKeyboardTracking(False)
        self.counts = QLabel(self)
        self.counts.setTextFormat(Qt.TextFormat.PlainText)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.page_box)
        nav.addWidget(self.next_button)
        nav.addWidget(self.counts, 1)
        self.side_a = PageSide("A", self)
        self.side_b = PageSide("B", self)
        sides = QSplitter(Qt.Orientation.Horizontal, self)
        sides.addWidget(self.side_a)
        sides.addWidget(self.side_b)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addLayout(nav)
        top_layout.addWidget(sides, 1)
        self.text = TextDiffView(self)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(top)
        right.addWidget(self.text)
        right.setSizes([520, 280])
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.pages)
        split.addWidget(right)
        split.setSizes([160, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        # Both pages scroll as one.
        for one, other in ((self.side_a, self.side_b), (self.side_b, self.side_a)):
            one.verticalScrollBar().valueChanged.connect(other.verticalScrollBar().setValue)
            one.horizontalScrollBar().valueChanged.connect(other.horizontalScrollBar().setValue)
        self.pages.currentRowChanged.connect(self._changed_page_chosen)
        self.page_box.valueChanged.connect(self._page_number_chosen)
        self.prev_button.clicked.connect(lambda: self.page_box.setValue(self.page_box.value() - 1))
        self.next_button.clicked.connect(lambda: self.page_box.setValue(self.page_box.value() + 1))
        self._diff: PdfDiff | None = None
        self._pair = PdfPair([], None, None)
        self._by_page: dict[int, int] = {}  # page number -> row of the changed-pages list
        self.page_number = 0  # the page shown (1-based; 0: none)
        self._wanted = 0  # the page whose render is awaited

    def show_diff(self, diff: PdfDiff, pair: PdfPair | list[Rendered]) -> None:
        if not isinstance(pair, PdfPair):
            pair = PdfPair(list(pair), None, None)
        self._diff, self._pair = diff, pair
        self.summary.setText(diff.one_line())
        change = diff.pages_b - diff.pages_a
        self.counts.setText(
            f"A: {plural(diff.pages_a, 'page')}, B: {plural(diff.pages_b, 'page')}"
            + (f" ({change:+d})" if change else "")
        )
        self._by_page = {page.page: row for row, page in enumerate(diff.pages)}
        self.pages.blockSignals(True)
        self.pages.clear()
        for page in diff.pages:
            self.pages.addItem(f"Page {page.page} ({_OPS[page.op]})")
        self.pages.blockSignals(False)
        last = max(diff.pages_a, diff.pages_b, 1)
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, last)
        self.page_box.setSuffix(f" of {last}")
        self.page_box.blockSignals(False)
        self.page_number = 0
        first = diff.pages[0].page if diff.pages else 1
        self.go_to(first)

    def go_to(self, number: int) -> None:
        """Show page ``number`` (1-based) of both documents and its text diff."""
        if self._diff is None:
            return
        number = max(1, min(number, self.page_box.maximum()))
        if self.page_box.value() != number:
            self.page_box.blockSignals(True)
            self.page_box.setValue(number)
            self.page_box.blockSignals(False)
        row = self._by_page.get(number, -1)
        if self.pages.currentRow() != row:
            self.pages.blockSignals(True)
            self.pages.setCurrentRow(row)
            self.pages.blockSignals(False)
        self.prev_button.setEnabled(number > 1)
        self.next_button.setEnabled(number < self.page_box.maximum())
        if row >= 0 and row < len(self._pair.rendered):
            page = self._diff.pages[row]
            self.text.show_rendered(self._pair.rendered[row], page.text.one_line())
        else:
            same = Rendered("", [], [], "", "", [], [], [], False)
            self.text.show_rendered(same, f"Page {number}: same text on both sides")
        if number == self.page_number:
            return
        self.page_number = number
        self._wanted = number
        for side in (self.side_a, self.side_b):
            side.show_text(f"Rendering page {number}…")
        # Once the view is laid out (it may just have been shown): pages fit its width.
        QTimer.singleShot(0, lambda: self._render(number))

    def _render(self, number: int) -> None:
        pair = self._pair
        if number != self._wanted:
            return
        if pair.path_a is None and pair.path_b is None:
            self.side_a.show_text("")
            self.side_b.show_text("")
            return
        room = self.side_a.viewport().width() - self.side_a.verticalScrollBar().sizeHint().width()
        width = min(room, MAX_PAGE_WIDTH) if self.isVisible() and room > 200 else PAGE_WIDTH
        self._run(
            render_pair, pair.path_a, pair.path_b, number - 1, width, on_result=self._on_render
        )

    @Slot(object)
    def _on_render(self, result: tuple[int, Side, Side]) -> None:
        index, image_a, image_b = result
        if self._diff is None or index + 1 != self._wanted:
            return  # the user moved on to another page
        self.side_a.show_image(image_a, index + 1, self._diff.pages_a)
        self.side_b.show_image(image_b, index + 1, self._diff.pages_b)

    @Slot(int)
    def _changed_page_chosen(self, row: int) -> None:
        if self._diff is not None and 0 <= row < len(self._diff.pages):
            self.go_to(self._diff.pages[row].page)

    @Slot(int)
    def _page_number_chosen(self, number: int) -> None:
        self.go_to(number)
