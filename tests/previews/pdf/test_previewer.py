"""PDF previewer: pages, navigation, zoom without livelock, search with hits, broken files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument, QPdfPageRenderer
from PySide6.QtWidgets import QLineEdit, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.pdf.previewer import ZOOM_STEP, PdfPreviewer
from artifact_viewer.previews.pdf.search import search_pdf
from tests.previews import samples


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


class _NoProgress:
    def __call__(self, done: int, total: int = 0) -> None:
        pass


@pytest.fixture
def view(qtbot):
    widget = PdfPreviewer()
    qtbot.addWidget(widget)
    widget.resize(760, 560)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.cancel()


def load(qtbot, view, path, mime="application/pdf"):
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(path, mime))


def load_failing(qtbot, view, path, mime="application/pdf") -> str:
    with qtbot.waitSignal(view.failed, timeout=20_000) as blocker:
        view.load(PreviewSource(path, mime))
    assert view.stack.currentWidget() is view.error_label
    return blocker.args[0]


def test_good_pdf_shows_first_page_and_info(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=3))
    assert view.document.status() == QPdfDocument.Status.Ready
    assert view.document.pageCount() == 3
    assert view.current_page == 0
    assert view.page_box.value() == 1 and view.page_count_label.text() == "/ 3"
    assert "3 pages" in view.info.text()
    assert view.fit_width


def test_page_navigation_buttons_keys_and_box(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=5))
    view.next_page()
    assert view.current_page == 1 and view.page_box.value() == 2
    view.activateWindow()
    view.view.setFocus()
    qtbot.waitUntil(view.view.hasFocus)
    qtbot.keyClick(view.view, Qt.Key.Key_PageDown)
    assert view.current_page == 2
    qtbot.keyClick(view.view, Qt.Key.Key_PageUp)
    assert view.current_page == 1
    view.page_box.setValue(5)
    assert view.current_page == 4
    view.next_page()  # stays on the last page
    assert view.current_page == 4
    view.go_to_page(0)
    view.previous_page()
    assert view.current_page == 0


def test_zoom_in_out_actual_and_fit_width(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=2))
    fit = view.zoom
    assert fit == pytest.approx(view.fit_width_zoom())
    view.zoom_in()
    assert view.zoom == pytest.approx(fit * ZOOM_STEP)
    assert not view.fit_width
    view.zoom_out()
    view.zoom_out()
    assert view.zoom == pytest.approx(fit / ZOOM_STEP)
    view.actual_size()
    assert view.zoom == pytest.approx(1.0) and view.zoom_label.text() == "100%"
    view.fit_button.setChecked(True)
    assert view.zoom == pytest.approx(fit)


def test_zoom_keeps_the_current_page_in_view(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=30))
    view.go_to_page(20)
    view.set_zoom(0.5)
    assert view.current_page == 20
    view.set_zoom(2.0)
    assert view.current_page == 20


def test_fit_width_follows_resizes_without_a_repaint_loop(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=4))
    zooms = []
    for width in (620, 790, 660, 720):  # within the offscreen screen's 800 px
        before = view.view.viewport().width()
        view.resize(width, 600)
        qtbot.waitUntil(lambda b=before: view.view.viewport().width() != b)
        qtbot.waitUntil(lambda: view.zoom == pytest.approx(view.fit_width_zoom()))
        zooms.append(view.zoom)
    assert zooms[1] > zooms[3] > zooms[2] > zooms[0]
    qtbot.wait(300)  # let pending layout and paints settle
    counter = PaintCounter()
    view.view.viewport().installEventFilter(counter)
    zoom = view.zoom
    qtbot.wait(400)
    view.view.viewport().removeEventFilter(counter)
    # An idle view does not repaint itself; a scrollbar feedback loop would, endlessly.
    assert counter.paints <= 2
    assert view.zoom == zoom


def test_search_lists_hits_and_jumps_to_them(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=12))
    view.search_box.setText("page 11")
    qtbot.waitUntil(lambda: bool(view.hits), timeout=10_000)
    assert [h.page for h in view.hits] == [10]
    assert view.hit_label.text() == "1 hit"
    assert view.current_page == 10
    assert view.view.searchModel() is view.search_model
    assert view.search_model.searchString() == "page 11"


def test_search_is_case_insensitive_and_steps_through_hits(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=4))
    view.search_box.setText("WAGE")
    qtbot.waitUntil(lambda: len(view.hits) == 4, timeout=10_000)
    assert view.hit_list.count() == 4 and view.hit_list.isVisibleTo(view)
    assert "[Wage]" in view.hit_list.item(0).text()
    assert "W-2 [Wage] and" in view.hit_list.item(0).text()  # words stay apart from the match
    view.next_hit()
    assert view.current_page == 1
    view.hit_list.setCurrentRow(3)
    assert view.current_page == 3
    view.next_hit()  # wraps to the first hit
    assert view.current_page == 0
    view.previous_hit()
    assert view.current_page == 3


def test_search_without_hits(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=2))
    view.search_box.setText("no such words")
    qtbot.waitUntil(lambda: view.hit_label.text() == "0 hits", timeout=10_000)
    assert not view.hit_list.isVisibleTo(view)


def test_search_function_reports_page_and_context(qtbot, tmp_path):
    path = samples.write_pdf(tmp_path / "w2.pdf", pages=3)
    hits = search_pdf(path, "tax statement", _NoProgress(), CancelToken())
    assert [h.page for h in hits] == [0, 1, 2]
    assert hits[2].match == "Tax Statement" and hits[2].after.strip() == "page 3"
    assert hits[0].y > 0


def test_truncated_pdf_is_reported_as_damaged(qtbot, view, tmp_path):
    data = samples.pdf_bytes(3)
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    message = load_failing(qtbot, view, path)
    assert "damaged" in message and "truncated" in message


def test_text_file_labelled_pdf_is_not_a_pdf(qtbot, view, tmp_path):
    path = samples.write_csv(tmp_path / "report.pdf")
    assert "not a PDF" in load_failing(qtbot, view, path)


def test_png_labelled_pdf_is_not_a_pdf(qtbot, view, tmp_path):
    assert "not a PDF" in load_failing(qtbot, view, samples.write_png(tmp_path / "x.pdf"))


def test_empty_pdf_file(qtbot, view, tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert "empty" in load_failing(qtbot, view, path)


def test_password_protected_pdf(qtbot, view, tmp_path):
    message = load_failing(qtbot, view, samples.write_encrypted_pdf(tmp_path / "locked.pdf"))
    assert "password" in message


def test_big_pdf_opens_and_reaches_its_last_page(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "big.pdf", pages=400))
    assert view.page_count_label.text() == "/ 400"
    view.page_box.setValue(400)
    assert view.current_page == 399
    view.search_box.setText("page 400")
    qtbot.waitUntil(lambda: len(view.hits) == 1, timeout=20_000)
    assert view.hits[0].page == 399


def test_a_new_load_replaces_the_previous_document(qtbot, view, tmp_path):
    load(qtbot, view, samples.write_pdf(tmp_path / "a.pdf", pages=6))
    view.search_box.setText("page")
    qtbot.waitUntil(lambda: bool(view.hits), timeout=10_000)
    load(qtbot, view, samples.write_pdf(tmp_path / "b.pdf", pages=2))
    assert view.document.pageCount() == 2
    assert not view.hits and view.search_box.text() == ""


@pytest.mark.parametrize("width", [900, 600, 480, 330])
def test_toolbar_fits_narrow_panes_without_cutting_labels(qtbot, tmp_path, width):
    widget = PdfPreviewer()
    qtbot.addWidget(widget)
    widget.resize(width, 400)
    widget.show()
    qtbot.waitExposed(widget)
    load(qtbot, widget, samples.write_pdf(tmp_path / "Form W-2 for employee 1234567.pdf", 3))
    assert widget.minimumSizeHint().width() <= 330  # the toolbar never widens the pane
    bar = widget.toolbar
    for child in bar.findChildren(QWidget):
        if child.isVisibleTo(bar) and child.parent() is bar:
            # Every shown control lies fully inside the toolbar and shows its whole text.
            geometry = child.geometry()
            assert geometry.right() <= bar.width(), (width, child)
            text = child.text() if hasattr(child, "text") else ""
            if text and not isinstance(child, QLineEdit):
                needed = child.fontMetrics().horizontalAdvance(text)
                assert needed <= child.contentsRect().width(), (width, text)
    assert widget.info.isVisible() == (widget.toolbar_level == 0)
    assert "3 pages" in widget.page_box.toolTip()  # the info is never lost


def test_narrow_toolbar_keeps_zoom_reachable(qtbot, tmp_path):
    widget = PdfPreviewer()
    qtbot.addWidget(widget)
    widget.resize(330, 400)
    widget.show()
    load(qtbot, widget, samples.write_pdf(tmp_path / "w2.pdf", 1))
    assert widget.toolbar_level == 3 and not widget.zoom_label.isVisible()
    widget.zoom_in_button.click()
    assert widget.zoom_label.text() in widget.zoom_in_button.toolTip()
    widget.resize(1000, 400)
    qtbot.waitUntil(lambda: widget.toolbar_level == 0)
    assert widget.zoom_label.isVisible() and widget.fit_button.text() == "Fit width"


def _shows_text(widget: QWidget) -> bool:
    """True when ``widget`` paints near-black pixels (printed text), not just blank pages."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    return any(
        min(image.constScanLine(y).tobytes()[: image.width()]) < 64 for y in range(image.height())
    )


def test_ready_comes_with_the_first_page_already_rendered(qtbot, view, tmp_path):
    path = samples.write_pdf(tmp_path / "w2.pdf", pages=40)
    seen: list[bool] = []
    # Grabbing right at ``ready`` paints from the view's page cache, as a user's screen would.
    view.ready.connect(lambda: seen.append(_shows_text(view.view.viewport())))
    load(qtbot, view, path)
    assert seen == [True]


def test_ready_comes_even_when_no_page_image_arrives(qtbot, view, tmp_path):
    renderer = view.view.findChild(QPdfPageRenderer)
    renderer.blockSignals(True)
    try:
        load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=2))
    finally:
        renderer.blockSignals(False)
    assert view.document.pageCount() == 2


def test_hidden_previewer_is_ready_without_a_paint(qtbot, tmp_path):
    widget = PdfPreviewer()
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.ready, timeout=20_000):
        widget.load(
            PreviewSource(samples.write_pdf(tmp_path / "w2.pdf", pages=2), "application/pdf")
        )
    assert not widget._first_page_timer.isActive()
    widget.cancel()


def test_loading_another_pdf_drops_the_first_ones_pending_ready(qtbot, view, tmp_path):
    first = samples.write_pdf(tmp_path / "a.pdf", pages=3)
    second = samples.write_pdf(tmp_path / "b.pdf", pages=5)
    readies: list[int] = []
    view.ready.connect(lambda: readies.append(view.page_count))
    view.load(PreviewSource(first, "application/pdf"))
    qtbot.waitUntil(lambda: view.document.pageCount() == 3, timeout=20_000)
    before = len(readies)
    load(qtbot, view, second)
    qtbot.wait(50)  # anything still queued for the first file would arrive now
    assert readies[before:] == [5]


@pytest.mark.parametrize("width", [760, 520, 430, 340])
def test_hit_count_sits_beside_the_search_box_and_the_hit_list_is_readable(
    qtbot, view, tmp_path, width
):
    load(qtbot, view, samples.write_pdf(tmp_path / "w2.pdf", pages=12))
    view.resize(width, 560)
    view.search_box.setText("wage")
    qtbot.waitUntil(lambda: len(view.hits) == 12, timeout=10_000)
    qtbot.waitUntil(lambda: view.hit_list.isVisible())
    qtbot.wait(50)
    box, label = view.search_box.geometry(), view.hit_label.geometry()
    # The count never covers the box (and its clear button) and is shown whole.
    assert label.left() > box.right()
    assert label.width() >= view.hit_label.sizeHint().width()
    assert label.right() <= view.toolbar.width()
    # The hit list is wide enough to read a hit: at least 180 px, or a third of the preview.
    assert view.hit_list.width() >= min(180, width // 3)
