"""PDF previewer: QtPdf pages with navigation, zoom (own fit-width), search with a hit list."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtPdf import QPdfDocument, QPdfPageRenderer, QPdfSearchModel
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QSpacerItem,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import PreviewError, user_message
from artifact_viewer.core.masking import Masker
from artifact_viewer.core.masking.boxes import MaskingError, PageBoxes, pdf_boxes
from artifact_viewer.previews.base import Previewer, PreviewSource, loading_stack
from artifact_viewer.previews.fmt import human_size
from artifact_viewer.previews.pdf import layout as pdf_layout
from artifact_viewer.previews.pdf import probe
from artifact_viewer.previews.pdf.layout import FirstPageImage, PageLayout, PdfGeometry
from artifact_viewer.previews.pdf.masking import MaskedPdfView
from artifact_viewer.previews.pdf.search import (
    MAX_HITS,
    PdfHit,
)
from artifact_viewer.qt.buttons import tool_button
from artifact_viewer.qt.worker import Progress, Task, run_in_pool

log = logging.getLogger(__name__)

ZOOM_MIN, ZOOM_MAX, ZOOM_STEP = 0.1, 8.0, 1.25
# Toolbar widths (px) under which it drops the file info, then shortens labels, then
# hides what has a shortcut anyway: a narrow pane keeps every control readable.
COMPACT_WIDTH, NARROW_WIDTH, TINY_WIDTH = 660, 560, 440
FULL_CONTROLS_WIDTH = 600  # every control at full size, search box included
_FULL, _COMPACT, _NARROW, _TINY = range(4)
_PAGE_LOADING, _PAGE_VIEW, _PAGE_ERROR = range(3)
#: the longest the text form (preview --dump) waits for a PDF's text
TEXT_TIMEOUT_S = 60.0
# Longest wait for the view's first rendered page before ``ready`` is sent anyway.
_FIRST_PAGE_WAIT_MS = 500
#: a page on screen whose image has not come back in this many seconds is taken as one
#: PDFium cannot draw: the view is replaced by a message and asks PDFium nothing more
RENDER_TIMEOUT_S = 5.0
_RENDER_CHECK_MS = 250


#: documents of previewers gone, closed once the next file has been shown
_closing: list[QPdfDocument] = []
_CLOSE_LATER_MS = 1000


def _close_released() -> None:
    while _closing:
        document = _closing.pop()
        document.close()
        document.deleteLater()


def mask_pages(
    path: Path, masker: Masker, progress: Progress, cancel: CancelToken
) -> list[PageBoxes]:
    """Worker: the redacted view's boxes, page by page (each page sent as it is done)."""

    def sent(boxes: PageBoxes, pages: int) -> None:
        progress.partial(boxes)
        progress(boxes.page + 1, pages)

    return pdf_boxes(path, masker, cancel, on_page=sent)


class PdfPreviewer(Previewer):
    """Pages of a PDF. Zoom is always QPdfView's Custom mode: fit width is computed here,
    because its FitToWidth/FitInView modes can loop forever as scrollbars come and go.

    Opening a file: the helper process draws the visible top of page 1 and sends it
    (``ready``: that image is shown), then measures the whole document; only then is the
    file opened in this process and handed to QPdfView, whose own render of page 1
    replaces the image (``finished``).
    """

    kind = "pdf"
    title = "PDF"
    #: page content has been painted on screen for the file being loaded
    painted = Signal()

    @staticmethod
    def warm_up() -> None:
        """Start the helper process that opens PDFs first and wait until it answers (a
        worker thread: the app's warm-up after its first paint), so the first PDF does
        not wait for it."""
        # PySide creates its QtWidgets classes on first use, all of them at the first
        # widget pointer it has to give its most derived class (the view's first
        # ``viewport()``: 20-30 ms on the GUI thread). Creating them here, on the
        # warm-up's thread, makes no Qt object.
        from PySide6 import QtWidgets

        for number, name in enumerate(dir(QtWidgets)):
            getattr(QtWidgets, name)
            if number % 16 == 0:
                time.sleep(0)  # the GUI thread gets the interpreter in between
        if not probe.prober().warm_up(wait=True):
            log.info("The PDF helper did not answer in time; it starts again on first use")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._source: PreviewSource | None = None
        self._geometry: PdfGeometry | None = None
        self._geometry_job: pdf_layout.GeometryJob | None = None
        self._tasks: dict[str, Task] = {}
        self._hits: list[PdfHit] = []
        self._reveal_page: int | None = None  # show_match: the page whose match to select
        self._fit_width = True
        self._awaiting_first_page = False
        self._ready_sent = False  # ``ready`` went out for the file being loaded
        self._pages = 0  # as the document claims (known from the helper's first answer)
        self._searched = ""  # the query of the search running or shown
        self._pending_result: int | None = None  # a hit the search model has not reached
        # Render watchdog: pages drawn at the current zoom, and pages on screen waiting
        # for their image (page -> monotonic deadline).
        self._rendered: set[int] = set()
        self._render_waits: dict[int, float] = {}
        self.message = ""

        # The document comes opened and measured from a worker (see layout.read_geometry);
        # until then there is none, so no PDFium call ever runs here before it answered.
        self._document: QPdfDocument | None = None
        # What the view and search model show while there is no document (they warn on
        # None); never loaded.
        self._empty = QPdfDocument(self)
        self.search_model = QPdfSearchModel(self)
        self.view = MaskedPdfView()
        self.view.setDocument(self._empty)
        self.search_model.setDocument(self._empty)
        # The helper that opens PDFs first (see layout.read_geometry) starts now, while
        # the view is built, so the first PDF does not wait for it.
        probe.prober().warm_up()
        self._layout_timer = QTimer(self, singleShot=True)
        self._layout_timer.timeout.connect(self._layout_timed_out)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        # A fixed vertical scrollbar keeps the viewport width constant, so a zoom
        # computed from it can never make a scrollbar appear and change it again.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.setSearchModel(self.search_model)
        self.view.pagePainted.connect(self.painted)
        self._result_timer = QTimer(self, singleShot=True, interval=0)
        self._result_timer.timeout.connect(self._mark_pending_result)
        self.search_model.rowsInserted.connect(self._search_results_grew)
        self.search_model.modelReset.connect(self._search_results_grew)
        self.view.installEventFilter(self)
        self.navigator = self.view.pageNavigator()
        self.page_layout = PageLayout(self.view)
        self.view.page_layout = self.page_layout
        self.view.verticalScrollBar().valueChanged.connect(self._scrolled)

        self.prev_button = tool_button("◀", "Previous page (PgUp)")
        self.next_button = tool_button("▶", "Next page (PgDn)")
        self.page_box = QSpinBox()
        self.page_box.setKeyboardTracking(False)
        self.page_count_label = QLabel("/ 0")
        self.zoom_out_button = tool_button("−", "Zoom out (Ctrl+-)")
        self.zoom_label = QLabel("100%")
        self.zoom_in_button = tool_button("+", "Zoom in (Ctrl++)")
        self.actual_button = tool_button("100%", "Actual size (Ctrl+0)")
        self.fit_button = tool_button(
            "Fit width", "Fit the page width", checkable=True, checked=True
        )
        self.reveal_button = tool_button(
            "Reveal", "Show this PDF unmasked until the redacted view is turned off"
        )
        self.reveal_button.setVisible(False)
        self.search_box = QLineEdit()
        self.search_box.setToolTip("Search the text of all pages (Ctrl+F)")
        self.search_box.setPlaceholderText("Search text (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(160)
        self._toolbar_level = _FULL
        self.hit_label = QLabel()
        self.hit_label.setContentsMargins(4, 0, 0, 0)
        self.info = QLabel()
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Long names and notes must not make the whole preview wider than its pane.
        self.info.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.info.setMinimumWidth(40)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 4, 6, 2)
        for w in (self.prev_button, self.page_box, self.page_count_label, self.next_button):
            bar.addWidget(w)
        self._gaps = [QSpacerItem(12, 0), QSpacerItem(12, 0)]
        bar.addItem(self._gaps[0])
        for w in (
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.actual_button,
            self.fit_button,
        ):
            bar.addWidget(w)
        bar.addItem(self._gaps[1])
        bar.addWidget(self.info, 1)
        bar.addWidget(self.reveal_button)
        bar.addWidget(self.search_box)
        bar.addWidget(self.hit_label)

        self.hit_list = QListWidget()
        self.hit_list.setVisible(False)
        self.hit_list.currentRowChanged.connect(self._hit_selected)
        self.splitter = QSplitter()
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.hit_list)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.error_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.loading, self.stack = loading_stack(self.splitter, self.error_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The toolbar never sets the preview's minimum width: on a narrow pane it is
        # squeezed, and _fit_toolbar() drops or shortens its parts to fit.
        self.toolbar = QWidget()
        self.toolbar.setLayout(bar)
        self.toolbar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)

        self._fit_timer = QTimer(self, singleShot=True, interval=0)
        self._fit_timer.timeout.connect(self._apply_fit)
        self._search_timer = QTimer(self, singleShot=True, interval=300)
        self._first_page_timer = QTimer(self, singleShot=True, interval=_FIRST_PAGE_WAIT_MS)
        self._first_page_timer.timeout.connect(self._first_page_shown)
        # QPdfView renders pages on its own renderer's thread; the first image back
        # (after the view has cached it) is the moment the first page can be seen.
        renderer = self.view.findChild(QPdfPageRenderer)
        if renderer is not None:
            renderer.pageRendered.connect(self._page_rendered)
        self._search_timer.timeout.connect(self._start_search)
        self.reveal_button.clicked.connect(self.reveal)
        self._render_timer = QTimer(self, interval=_RENDER_CHECK_MS)
        self._render_timer.timeout.connect(self._check_renders)
        self.prev_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)
        self.page_box.valueChanged.connect(self._page_box_changed)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.actual_button.clicked.connect(self.actual_size)
        self.fit_button.toggled.connect(self._fit_toggled)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self._start_search)
        for text, keys, slot in (
            ("Previous page", QKeySequence(Qt.Key.Key_PageUp), self.previous_page),
            ("Next page", QKeySequence(Qt.Key.Key_PageDown), self.next_page),
            ("Zoom in", QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            ("Zoom out", QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            ("Actual size", QKeySequence("Ctrl+0"), self.actual_size),
            ("Find", QKeySequence.StandardKey.Find, self._focus_search),
            ("Next match", QKeySequence.StandardKey.FindNext, self.next_hit),
            ("Previous match", QKeySequence.StandardKey.FindPrevious, self.previous_hit),
        ):
            self.add_action(text, keys, slot)
        self._set_controls_enabled(False)

    # --- toolbar on narrow panes --------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_toolbar(event.size().width())
        super().resizeEvent(event)

    @property
    def toolbar_level(self) -> int:
        """0 full, 1 without the file info, 2 short labels, 3 only the essential controls."""
        return self._toolbar_level

    def _fit_toolbar(self, width: int) -> None:
        # The file info stays only while it fits whole next to the full-size controls.
        info_width = self.info.fontMetrics().horizontalAdvance(self.info.text()) + 12
        full_width = max(COMPACT_WIDTH, FULL_CONTROLS_WIDTH + info_width)
        level = sum(width < limit for limit in (full_width, NARROW_WIDTH, TINY_WIDTH))
        if level != self._toolbar_level:
            self._toolbar_level = level
            self._apply_toolbar_level(level)
        self._squeeze_toolbar(width)

    def _apply_toolbar_level(self, level: int) -> None:
        # The file info moves to a tooltip rather than being cut mid-word.
        self.info.setVisible(level == _FULL)
        short = level >= _NARROW
        self.fit_button.setText("Fit" if short else "Fit width")
        self.actual_button.setText("1:1" if short else "100%")
        self.search_box.setPlaceholderText("Search" if short else "Search text (Ctrl+F)")
        self.search_box.setMinimumWidth(70 if short else 160)
        # Zoom steps stay reachable through the buttons; the exact figure and the
        # 1:1 button (Ctrl+0) go first.
        self.zoom_label.setVisible(level < _TINY)
        self.actual_button.setVisible(level < _TINY)
        for gap in self._gaps:
            gap.changeSize(4 if level >= _TINY else 12, 0)
        layout = self.toolbar.layout()
        if layout is not None:
            layout.invalidate()

    def _squeeze_toolbar(self, width: int) -> None:
        """Below the tiny level, drop the zoom steps and the page count (their keys stay)
        rather than let the hit count slide over the search box."""
        layout = self.toolbar.layout()
        if layout is None:
            return
        extras = (self.zoom_out_button, self.zoom_in_button, self.page_count_label)
        for w in extras:
            w.setVisible(True)
        layout.invalidate()
        for w in extras:
            if layout.minimumSize().width() <= width:
                break
            w.setVisible(False)
            layout.invalidate()

    def _set_info(self, text: str) -> None:
        self.info.setText(text)
        for w in (self.page_count_label, self.page_box):
            w.setToolTip(text)
        self._fit_toolbar(self.width())

    # --- loading ------------------------------------------------------------------------
    def load(self, source: PreviewSource) -> None:
        self.cancel()
        self._source = source
        self._geometry = None
        self.message = ""
        self._reveal_page = None
        self._clear_hits()
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.search_model.setSearchString("")
        self._set_document(None)
        self.page_layout.reset()
        self._pages = 0
        self._ready_sent = False
        self.view.set_first_page(None)
        self.view.announce_next_page_paint()
        self._set_controls_enabled(False)
        self.stack.setCurrentIndex(_PAGE_LOADING)
        masker = self._active_masker()
        self.view.set_masking(masker is not None)
        # The helper is asked first (the toolbar's layout can wait): page 1 is drawn there
        # while this thread does the rest. Masked, every page stays covered until its
        # boxes are known: no early image.
        first_page = self._first_page_request() if masker is None else None
        job = self._geometry_job = pdf_layout.GeometryJob(source.path, first_page)
        job.firstPage.connect(self._first_page_arrived)
        job.done.connect(self._checked)
        job.failed.connect(self._check_failed)
        job.start()
        self._set_info(source.name or source.path.name)
        self.reveal_button.setVisible(masker is not None)
        if masker is not None:
            # Every page stays covered until its boxes are known.
            self._tasks["mask"] = run_in_pool(
                mask_pages,
                source.path,
                masker,
                on_partial=self._page_masked,
                on_result=self._masking_done,
                on_error=self._masking_failed,
            )
        # The helper process is ended after LAYOUT_TIMEOUT_S; this covers the rest
        # (a helper still starting, a machine under load).
        self._layout_timer.start(int((pdf_layout.LAYOUT_TIMEOUT_S + 5) * 1000))

    def _first_page_request(self) -> probe.FirstPageRequest | None:
        """The size page 1 will be shown at: fit to the view's width, and how much of it
        the view shows. A previewer not shown yet (the host shows it once ready) is not
        laid out: its parent's size tells what it will be."""
        parent = self.parentWidget()
        if self.isVisible() or parent is None:
            viewport = self.view.maximumViewportSize()
            view_w, view_h = viewport.width(), viewport.height()
        else:
            # Hidden widgets are not laid out: the view will take the parent's width and
            # its height less the toolbar, less the frame and the vertical scrollbar.
            frame = 2 * self.view.frameWidth()
            bar = self.view.verticalScrollBar().sizeHint().width()
            view_w = parent.width() - frame - bar
            view_h = parent.height() - self.toolbar.sizeHint().height() - frame
        margins = self.view.documentMargins()
        width = view_w - margins.left() - margins.right()
        height = view_h  # the view is scrolled to page 1's top edge
        if width < 16 or height < 16:
            return None
        return probe.FirstPageRequest(width, height, self.view.devicePixelRatioF())

    @Slot(object)
    def _first_page_arrived(self, page: FirstPageImage) -> None:
        """Page 1 as the helper drew it: shown at once, while the rest is measured."""
        if self._source is None or self._document is not None or self._ready_sent:
            return
        self._pages = page.pages
        self.page_count_label.setText(f"/ {page.pages}")
        self.view.set_first_page(page.image, page.page_size)
        self.stack.setCurrentIndex(_PAGE_VIEW)
        self._ready_sent = True
        self.ready.emit()

    @property
    def page_count(self) -> int:
        """Pages of the file shown (0 until the helper has answered)."""
        return self._pages

    # --- redacted view ------------------------------------------------------------------
    def _active_masker(self) -> Masker | None:
        """The masker while this PDF is shown masked (redacted view on, not revealed)."""
        masker = self.masker()
        source = self._source
        if masker is None or source is None or self.redaction is None:
            return None
        return None if self.redaction.is_revealed(source.path) else masker

    @property
    def masking(self) -> bool:
        return self.view.masking

    def masking_busy(self) -> bool:
        """True while the pages' boxes are still being found (pages wait covered)."""
        return "mask" in self._tasks

    @Slot(object)
    def _page_masked(self, boxes: object) -> None:
        if isinstance(boxes, PageBoxes) and self.view.masking:
            self.view.add_page_boxes(boxes)

    @Slot(object)
    def _masking_done(self, pages: object) -> None:
        self._tasks.pop("mask", None)
        if isinstance(pages, list):
            for boxes in pages:  # partial results may be coalesced: set them all
                if isinstance(boxes, PageBoxes) and boxes.page not in self.view.page_boxes():
                    self.view.add_page_boxes(boxes)

    @Slot(object)
    def _masking_failed(self, exc: BaseException) -> None:
        self._tasks.pop("mask", None)
        reason = str(exc) if isinstance(exc, MaskingError) else user_message(exc)
        log.info("PDF masking failed: %s", reason)
        self.view.set_failed(True)

    @Slot()
    def reveal(self) -> None:
        """Show this PDF unmasked until the redacted view is turned off."""
        task = self._tasks.pop("mask", None)
        if task is not None:
            task.cancel()
        if self._source is not None and self.redaction is not None:
            self.redaction.reveal(self._source.path)
        self.view.set_masking(False)
        self.reveal_button.setVisible(False)

    def release(self) -> None:
        """The view is going away: its document is closed a moment later (PDFium takes
        a few ms to close a large one), not while the next file is being opened."""
        document, self._document = self._document, None
        if document is None:
            return
        document.setParent(None)
        _closing.append(document)
        QTimer.singleShot(_CLOSE_LATER_MS, _close_released)

    @property
    def document(self) -> QPdfDocument:
        """The document shown (an empty one, never loaded, while there is none)."""
        return self._document or self._empty

    def _set_document(self, document: QPdfDocument | None) -> None:
        """Show ``document`` (None: nothing); the one shown before is closed."""
        old, self._document = self._document, document
        self.view.setDocument(document or self._empty)
        self.search_model.setDocument(document or self._empty)
        if document is not None:
            document.setParent(self)
        if old is not None:
            old.close()
            old.deleteLater()

    @Slot()
    def _layout_timed_out(self) -> None:
        job, self._geometry_job = self._geometry_job, None
        if job is None:
            return
        job.token.cancel()
        self._fail(pdf_layout.not_laid_out_message(pdf_layout.LAYOUT_TIMEOUT_S))

    def cancel(self) -> None:
        self._stop_render_watch()
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
        if self._geometry_job is not None:
            self._geometry_job.token.cancel()
            self._geometry_job = None
        self._search_timer.stop()
        self._awaiting_first_page = False
        self._first_page_timer.stop()
        self._layout_timer.stop()
        self.view.set_first_page(None)

    @Slot(object)
    def _checked(self, geometry: PdfGeometry) -> None:
        self._geometry_job = None
        self._layout_timer.stop()
        self._geometry = geometry
        if self._source is None or geometry.document is None:
            return
        self._set_document(geometry.document)
        geometry.document = None
        pages = self._pages = geometry.pages
        self.page_layout.reset(geometry.sizes)
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, pages)
        self.page_box.setValue(1)
        self.page_box.blockSignals(False)
        self.page_count_label.setText(f"/ {pages}")
        self._set_controls_enabled(True)
        self.stack.setCurrentIndex(_PAGE_VIEW)
        self._set_info(self._info_text())
        self._set_fit(True)
        self.page_layout.scroll_to(0)
        # ``ready`` waits for the first page's image: a paint before it would show a
        # blank page. A hidden view paints nothing, so it is ready at once.
        self._awaiting_first_page = True
        if self.view.isVisible():
            self._first_page_timer.start()
        else:
            self._first_page_shown()
        self._watch_render(self.current_page)

    @Slot(int)
    def _page_rendered(self, page: int = -1) -> None:
        if page >= 0:
            self._rendered.add(page)
            self._render_waits.pop(page, None)
            if self._document is not None and page == self.current_page:
                self.view.page_drawn()
        if self._awaiting_first_page:
            self._first_page_shown()

    # --- render watchdog ----------------------------------------------------------------
    def _watch_render(self, page: int) -> None:
        """Expect ``page``'s image within :data:`RENDER_TIMEOUT_S` (unless drawn already)."""
        # Pages scrolled away from are not drawn any more: no image is due for them.
        for waiting in [p for p in self._render_waits if abs(p - page) > 1]:
            del self._render_waits[waiting]
        if self._document is None or not self.view.isVisible() or page in self._rendered:
            return
        self._render_waits.setdefault(page, time.monotonic() + RENDER_TIMEOUT_S)
        if not self._render_timer.isActive():
            self._render_timer.start()

    def _stop_render_watch(self) -> None:
        self._render_timer.stop()
        self._render_waits.clear()
        self._rendered.clear()

    @Slot()
    def _check_renders(self) -> None:
        if not self._render_waits:
            self._render_timer.stop()
            return
        now = time.monotonic()
        late = sorted(page for page, deadline in self._render_waits.items() if deadline <= now)
        if not late:
            return
        self._stop_render_watch()
        # PDFium is still busy with that page on the view's render thread and holds its
        # lock: any further call (a zoom, a search highlight, closing the document) would
        # wait for it. The document is never closed, and no other PDF is opened here.
        self._set_controls_enabled(False)
        self._tasks.pop("search", None)
        if self._document is not None:
            source = self._source
            name = (source.name or source.path.name) if source is not None else "a PDF"
            pdf_layout.park_stuck_document(self._document, name)
            self._document = None
        self._fail(
            f"Page {late[0] + 1} did not render within {RENDER_TIMEOUT_S:g} s: the PDF "
            "cannot be drawn here (it may be damaged). Open it in another viewer."
        )

    @Slot()
    def _first_page_shown(self) -> None:
        if not self._awaiting_first_page:
            return
        self._awaiting_first_page = False
        self._first_page_timer.stop()
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()
        # Last: a progress bar repaints at once, and with it everything waiting to be
        # painted (here the page just drawn rather than the whole new layout).
        if self._geometry is not None:
            self.progress.emit(self._geometry.size, self._geometry.size)
        self.finished.emit()

    def dump_chunks(self) -> Iterator[str]:
        """The text of every page, a form feed between pages."""
        if self._source is None or self.stack.currentIndex() != _PAGE_VIEW:
            return
        masker = self._active_masker()
        # Read by the helper process: a text extraction that never returns must not stop
        # this process (QtPdf holds the GIL inside PDFium).
        try:
            texts = probe.prober().page_texts(self._source.path, TEXT_TIMEOUT_S, CancelToken())
        except probe.ProbeTimeout:
            raise PreviewError(
                f"The PDF's text could not be read within {TEXT_TIMEOUT_S:g} s."
            ) from None
        for number, text in enumerate(texts):
            if masker is not None:
                text = masker.mask_text(text)
            yield text if number == 0 else "\f" + text

    def _info_text(self) -> str:
        parts = []
        geometry = self._geometry
        title = geometry.title if geometry is not None else ""
        if title and title.lower() != "untitled":
            parts.append(title)
        elif self._source is not None:
            parts.append(self._source.name or self._source.path.name)
        pages = geometry.pages if geometry is not None else 0
        parts.append(f"{pages} page{'s' if pages != 1 else ''}")
        if geometry is not None:
            parts.append(human_size(geometry.size))
            if not geometry.has_eof:
                parts.append("looks truncated: later pages may be missing")
        return " · ".join(parts)

    @Slot(object)
    def _check_failed(self, exc: BaseException) -> None:
        self._geometry_job = None
        self._layout_timer.stop()
        self._fail(exc.user_message() if isinstance(exc, PreviewError) else user_message(exc))

    def _fail(self, message: str) -> None:
        self.view.set_first_page(None)
        self.message = message
        self.error_label.setText(message)
        self.stack.setCurrentIndex(_PAGE_ERROR)
        self.failed.emit(message)

    def _set_controls_enabled(self, on: bool) -> None:
        for w in (
            self.prev_button,
            self.next_button,
            self.page_box,
            self.zoom_in_button,
            self.zoom_out_button,
            self.actual_button,
            self.fit_button,
            self.search_box,
        ):
            w.setEnabled(on)

    # --- pages --------------------------------------------------------------------------
    @property
    def current_page(self) -> int:
        return self.page_layout.position()[0]

    def go_to_page(self, page: int, location: QPointF | None = None) -> None:
        """Scroll so that ``location`` (points from the page's top-left) is at the top."""
        self.page_layout.scroll_to(page, location.y() if location is not None else 0.0)

    @Slot()
    def next_page(self) -> None:
        self.go_to_page(self.current_page + 1)

    @Slot()
    def previous_page(self) -> None:
        self.go_to_page(self.current_page - 1)

    @Slot(int)
    def _scrolled(self, value: int) -> None:
        if self.page_layout.pages:
            page = self.page_layout.position()[0]
            self._page_changed(page)
            self._watch_render(page)

    @Slot(int)
    def _page_changed(self, page: int) -> None:
        self.page_box.blockSignals(True)
        self.page_box.setValue(page + 1)
        self.page_box.blockSignals(False)

    @Slot(int)
    def _page_box_changed(self, value: int) -> None:
        if value - 1 != self.current_page:
            self.go_to_page(value - 1)

    # --- zoom ---------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return float(self.view.zoomFactor())

    @property
    def fit_width(self) -> bool:
        return self._fit_width

    def set_zoom(self, factor: float) -> None:
        self._set_fit(False)
        self._apply_zoom(factor)

    def _apply_zoom(self, factor: float) -> None:
        factor = max(ZOOM_MIN, min(ZOOM_MAX, factor))
        if abs(factor - self.view.zoomFactor()) > 1e-4:
            # QPdfView keeps the scroll offset in pixels across a zoom change, which
            # would land on another page: go back to the same spot at the new zoom.
            page, y_pts = self.page_layout.position()
            self.view.setZoomFactor(factor)
            self.page_layout.scroll_to(page, y_pts)
            self._rendered.clear()  # every page is drawn again at the new zoom
            self._watch_render(page)
        percent = f"{round(factor * 100)}%"
        self.zoom_label.setText(percent)
        # The figure is hidden on tiny panes: the buttons still tell it.
        self.zoom_in_button.setToolTip(f"Zoom in (Ctrl++), now {percent}")
        self.zoom_out_button.setToolTip(f"Zoom out (Ctrl+-), now {percent}")

    @Slot()
    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP)

    @Slot()
    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP)

    @Slot()
    def actual_size(self) -> None:
        self.set_zoom(1.0)

    @Slot(bool)
    def _fit_toggled(self, on: bool) -> None:
        self._set_fit(on)

    def _set_fit(self, on: bool) -> None:
        self._fit_width = on
        self.fit_button.blockSignals(True)
        self.fit_button.setChecked(on)
        self.fit_button.blockSignals(False)
        # Fitting the width needs no horizontal scrollbar; keeping it off removes the
        # other half of the scrollbar feedback loop.
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff if on else Qt.ScrollBarPolicy.ScrollBarAsNeeded
        )
        self.view.setHorizontalScrollBarPolicy(policy)
        if on:
            self._apply_fit()

    def fit_width_zoom(self) -> float:
        """The zoom that makes the current page exactly as wide as the viewport."""
        return self.page_layout.fit_width_zoom(self.current_page)

    @Slot()
    def _apply_fit(self) -> None:
        if self._fit_width and self.page_layout.pages:
            self._apply_zoom(self.fit_width_zoom())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() == QEvent.Type.Resize and self._fit_width:
            self._fit_timer.start()  # coalesces a burst of resizes into one zoom change
        return False

    # --- search -------------------------------------------------------------------------
    @Slot()
    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _clear_hits(self) -> None:
        self._hits = []
        self._pending_result = None
        self.hit_list.clear()
        self.hit_list.setVisible(False)
        self.hit_label.setText("")
        self.hit_label.setToolTip("")

    @Slot()
    def _start_search(self) -> None:
        self._search_timer.stop()
        old = self._tasks.pop("search", None)
        if old is not None:
            old.cancel()
        query = self.search_box.text().strip()
        self._clear_hits()
        self.search_model.setSearchString("")
        if not query or self._source is None or not self.page_layout.pages:
            return
        self.hit_label.setText("searching…")
        self._searched = query
        self._squeeze_toolbar(self.width())
        self._tasks["search"] = run_in_pool(
            probe.search_in_helper,
            self._source.path,
            query,
            on_result=self._search_done,
            on_error=self._search_failed,
        )

    def show_match(self, page: int, text: str) -> None:
        """Show ``page`` (0-based) with ``text`` highlighted on it: the search box is
        filled with it and the first match on that page becomes the current hit."""
        self.go_to_page(page)
        text = " ".join(text.split())
        if not text:
            return
        self._reveal_page = page
        self.search_box.blockSignals(True)
        self.search_box.setText(text)
        self.search_box.blockSignals(False)
        self._start_search()

    @property
    def hits(self) -> list[PdfHit]:
        return list(self._hits)

    @Slot(object)
    def _search_done(self, hits: list[PdfHit]) -> None:
        self._tasks.pop("search", None)
        if self._document is None or self.stack.currentIndex() != _PAGE_VIEW:
            return
        # The search model feeds the view's highlights of the pages on screen. It searches
        # with PDFium in this process: only now that the helper has read the same text
        # in time (so the same calls here return too).
        self.search_model.setSearchString(self._searched)
        self._hits = hits
        self.hit_list.blockSignals(True)
        masker = self._active_masker()
        for hit in hits:
            label = masker.mask_text(hit.label()) if masker is not None else hit.label()
            item = QListWidgetItem(label)
            item.setToolTip(label)
            self.hit_list.addItem(item)
        self.hit_list.blockSignals(False)
        more = "+" if len(hits) >= MAX_HITS else ""
        self.hit_label.setText(f"{len(hits)}{more} hit{'s' if len(hits) != 1 else ''}")
        self._squeeze_toolbar(self.width())
        if hits and not self.hit_list.isVisibleTo(self):
            # Wide enough to read a hit in context: a third of the preview, 180 to 320 px.
            total = max(self.splitter.width(), 2)
            wanted = min(max(180, total // 3), 320, total // 2)
            self.hit_list.setVisible(True)
            self.splitter.setSizes([total - wanted, wanted])
        self.hit_list.setVisible(bool(hits))
        page, self._reveal_page = self._reveal_page, None
        if page is not None:  # opened at a match on this page: that one is current
            row = next((i for i, hit in enumerate(hits) if hit.page == page), None)
            # After the width the hit list just took is fitted (its timer is due first).
            if row is None:
                QTimer.singleShot(0, self, lambda: self.go_to_page(page))
            else:
                QTimer.singleShot(0, self, lambda: self.hit_list.setCurrentRow(row))
        elif hits:
            self.hit_list.setCurrentRow(0)

    @Slot(object)
    def _search_failed(self, exc: BaseException) -> None:
        self._tasks.pop("search", None)
        message = exc.user_message() if isinstance(exc, PreviewError) else user_message(exc)
        self.hit_label.setText("search failed")
        self.hit_label.setToolTip(message)
        log.info("PDF search failed: %s", message)

    @Slot(int)
    def _hit_selected(self, row: int) -> None:
        if 0 <= row < len(self._hits):
            hit = self._hits[row]
            # The view marks the current one of the search model's results (found in the
            # same page and text order as these hits). The model searches a page per timer
            # tick, after the helper's search: a result it has not reached yet is marked
            # when it has (marking it earlier would move the view to the first page).
            self._pending_result = None
            if self.search_model.rowCount(QModelIndex()) > row:
                self.view.setCurrentSearchResultIndex(row)
            else:
                self._pending_result = row
            self._show_hit(hit)

    def _show_hit(self, hit: PdfHit) -> None:
        # Land a little above the match so it is not glued to the top edge.
        self.go_to_page(hit.page, QPointF(max(hit.x - 20, 0), max(hit.y - 40, 0)))

    @Slot()
    def _search_results_grew(self) -> None:
        row = self._pending_result
        if (
            row is None
            or self.search_model.rowCount(QModelIndex()) <= row
            or row >= len(self._hits)
        ):
            return
        self._pending_result = None
        # After the model's insertion has been taken in by the view too.
        self._result_timer.setProperty("row", row)
        self._result_timer.start()

    @Slot()
    def _mark_pending_result(self) -> None:
        row = self._result_timer.property("row")
        if not isinstance(row, int) or row >= len(self._hits):
            return
        if self.hit_list.currentRow() != row:
            return  # another hit was chosen meanwhile
        self.view.setCurrentSearchResultIndex(row)
        self._show_hit(self._hits[row])

    @Slot()
    def next_hit(self) -> None:
        if self._hits:
            self.hit_list.setCurrentRow((self.hit_list.currentRow() + 1) % len(self._hits))

    @Slot()
    def previous_hit(self) -> None:
        if self._hits:
            self.hit_list.setCurrentRow((self.hit_list.currentRow() - 1) % len(self._hits))
