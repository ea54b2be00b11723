"""Page 1 drawn by the helper process and shown before the view has the document; the
helper started ahead of need, kept across opens, and started again once ended."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStackedWidget, QWidget

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.pdf import layout as pdf_layout
from artifact_viewer.previews.pdf import probe
from artifact_viewer.previews.pdf.previewer import PdfPreviewer
from tests.previews import samples


@pytest.fixture
def helper(monkeypatch):
    """A helper of this test's own in place of the app's."""
    own = probe.Prober()
    monkeypatch.setattr(probe, "prober", lambda: own)
    yield own
    own.stop()


def _shows_text(widget: QWidget) -> bool:
    """Printed text on white paper: near-black and white pixels both."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    rows = [image.constScanLine(y).tobytes()[: image.width()] for y in range(image.height())]
    return any(min(row) < 64 for row in rows) and any(max(row) > 240 for row in rows)


def _shown_view(qtbot) -> PdfPreviewer:
    view = PdfPreviewer()
    qtbot.addWidget(view)
    view.resize(760, 560)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_page_one_from_the_helper_shows_before_the_view_has_the_document(qtbot, tmp_path, helper):
    view = _shown_view(qtbot)
    at_ready: list[tuple[int, bool, bool, int]] = []

    def ready() -> None:
        at_ready.append(
            (
                view.document.pageCount(),  # nothing opened in this process yet
                view.view.showing_first_page,
                _shows_text(view.view.viewport()),
                view.page_count,
            )
        )

    view.ready.connect(ready)
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "w2.pdf", 12), "application/pdf"))
    assert at_ready == [(0, True, True, 12)]
    assert view.document.pageCount() == 12
    # The view's own render of page 1 takes over from the helper's image.
    qtbot.waitUntil(lambda: not view.view.showing_first_page, timeout=10_000)
    assert _shows_text(view.view.viewport())
    view.cancel()


def test_a_previewer_the_host_has_not_shown_yet_asks_for_page_one_at_its_parents_size(
    qtbot, tmp_path, helper
):
    stack = QStackedWidget()
    qtbot.addWidget(stack)
    stack.resize(900, 640)
    stack.show()
    qtbot.waitExposed(stack)
    placeholder = QWidget()
    stack.addWidget(placeholder)
    view = PdfPreviewer()
    stack.addWidget(view)  # hidden behind the placeholder, as the host keeps it until ready
    asked: list[probe.FirstPageRequest | None] = []
    real = helper.measure

    def measure(path, timeout_s, cancel, first_page=None, on_first_page=None):
        asked.append(first_page)
        return real(path, timeout_s, cancel, first_page, on_first_page)

    helper.measure = measure  # type: ignore[method-assign]
    with qtbot.waitSignal(view.ready, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "w2.pdf", 2), "application/pdf"))
    assert view.view.showing_first_page
    (request,) = asked
    assert request is not None
    # As wide as the view's page area will be once shown, less its margins and scrollbar.
    assert 820 < request.width < 900 and 520 < request.height < 640
    stack.setCurrentWidget(view)
    with qtbot.waitSignal(view.painted, timeout=10_000):
        pass
    assert _shows_text(view.view.viewport())
    view.cancel()


def test_the_helper_started_ahead_is_reused_for_every_open(qtbot, tmp_path, helper):
    PdfPreviewer.warm_up()  # what the app's warm-up runs after its first paint
    started = helper.pid
    assert started is not None
    view = _shown_view(qtbot)
    for name, pages in (("a.pdf", 3), ("b.pdf", 5), ("a.pdf", 3)):
        with qtbot.waitSignal(view.finished, timeout=20_000):
            view.load(PreviewSource(samples.write_pdf(tmp_path / name, pages), "application/pdf"))
        assert view.document.pageCount() == pages
    assert helper.pid == started
    view.cancel()


def test_a_killed_helper_is_started_again_on_the_next_open(qtbot, tmp_path, helper):
    assert helper.warm_up(wait=True)
    first = helper.pid
    assert first is not None
    os.kill(first, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    qtbot.waitUntil(lambda: helper.pid is None, timeout=10_000)
    view = _shown_view(qtbot)
    with qtbot.waitSignal(view.finished, timeout=30_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "a.pdf", 4), "application/pdf"))
    assert view.document.pageCount() == 4
    assert helper.pid not in (None, first)
    view.cancel()


def test_a_request_given_up_stops_the_helper_work_without_ending_it(tmp_path, helper):
    path = samples.write_pdf(tmp_path / "long.pdf", 300)
    assert helper.warm_up(wait=True)
    started = helper.pid
    token = CancelToken()
    pages: list[int] = []

    def first_page(page: probe.FirstPage) -> None:
        pages.append(page.pages)
        token.cancel()  # the user clicked elsewhere once page 1 was shown

    with pytest.raises(Cancelled):
        helper.measure(path, 10, token, probe.FirstPageRequest(600, 400), first_page)
    assert pages == [300]
    assert helper.pid == started
    measured = helper.measure(path, 10, CancelToken())
    assert measured.pages == 300 and len(measured.sizes) == 300
    assert helper.pid == started


_FIRST_PAGE_THEN_SILENCE = r"""
import json, sys, time
sys.stdin.buffer.readline()
pixels = b"\x00\x00\x00\xff" * (40 * 30)
header = {"partial": True, "pages": 2, "size": [612, 792], "image": {
    "width": 40, "height": 30, "stride": 160, "bytes": len(pixels), "dpr": 1.0,
    "page": [40, 52]}}
sys.stdout.buffer.write(json.dumps(header).encode() + b"\n" + pixels)
sys.stdout.buffer.flush()
time.sleep(600)
"""


def test_a_pdf_that_stops_answering_after_page_one_ends_in_the_error_panel(
    qtbot, tmp_path, helper, monkeypatch
):
    """A stand-in for PDFium that draws page 1 and never finishes measuring the rest."""
    monkeypatch.setattr(
        helper, "_command", lambda: [sys.executable, "-c", _FIRST_PAGE_THEN_SILENCE]
    )
    monkeypatch.setattr(pdf_layout, "LAYOUT_TIMEOUT_S", 1.0)
    view = _shown_view(qtbot)
    ticks: list[float] = []
    ticker = QTimer(interval=20)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start()
    events: list[str] = []
    view.ready.connect(lambda: events.append("ready"))
    with qtbot.waitSignal(view.failed, timeout=20_000) as failed:
        view.load(PreviewSource(samples.write_pdf(tmp_path / "stuck.pdf"), "application/pdf"))
    ticker.stop()
    assert events == ["ready"]  # page 1 was shown first
    assert "could not be laid out" in failed.args[0]
    assert view.stack.currentWidget() is view.error_label
    assert not view.view.showing_first_page
    assert view.document.pageCount() == 0  # PDFium in this process was never asked
    assert max((b - a for a, b in zip(ticks, ticks[1:], strict=False)), default=0.0) < 0.5
    view.cancel()


def test_the_redacted_view_gets_no_early_page_image(qtbot, tmp_path, helper, monkeypatch):
    asked: list[probe.FirstPageRequest | None] = []
    real = helper.measure

    def measure(path, timeout_s, cancel, first_page=None, on_first_page=None):
        asked.append(first_page)
        return real(path, timeout_s, cancel, first_page, on_first_page)

    helper.measure = measure  # type: ignore[method-assign]
    view = _shown_view(qtbot)
    monkeypatch.setattr(view, "_active_masker", lambda: object())
    monkeypatch.setattr("artifact_viewer.previews.pdf.previewer.run_in_pool", _no_pool)
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "w2.pdf", 2), "application/pdf"))
    assert asked == [None]
    assert not view.view.showing_first_page
    view.cancel()


class _NoTask:
    def cancel(self) -> None:
        pass


def _no_pool(*_args: object, **_kwargs: object) -> _NoTask:
    return _NoTask()


@pytest.mark.parametrize("shared", [True, False], ids=["shared-memory", "pipe"])
def test_page_one_pixels_come_back_through_shared_memory_or_the_pipe(tmp_path, monkeypatch, shared):
    if not shared:  # as where the system has no anonymous memory files
        monkeypatch.setattr(probe, "_new_shared_memory", lambda: (-1, None))
    elif not hasattr(os, "memfd_create"):
        pytest.skip("no anonymous memory files here")
    helper = probe.Prober()
    try:
        path = samples.write_pdf(tmp_path / "w2.pdf", 2)
        pages: list[probe.FirstPage] = []
        measured = helper.measure(
            path, 10, CancelToken(), probe.FirstPageRequest(300, 200, 2.0), pages.append
        )
        assert measured.pages == 2
        (page,) = pages
        assert (page.width, page.height) == (600, 400)  # device pixels, the visible part
        width_pt, height_pt = page.size
        assert page.page_width == 300 and page.page_height == round(300 * height_pt / width_pt)
        image = pdf_layout.first_page_image(page).image
        assert image.devicePixelRatio() == 2.0
        gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
        rows = [gray.constScanLine(y).tobytes()[: gray.width()] for y in range(gray.height())]
        assert min(min(row) for row in rows) < 64  # printed text, not a blank page
        assert max(max(row) for row in rows) > 200  # on white paper
    finally:
        helper.stop()


def test_a_released_view_closes_its_document_after_the_next_file_is_opened(qtbot, tmp_path, helper):
    view = _shown_view(qtbot)
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "w2.pdf", 2), "application/pdf"))
    document = view.document
    assert document.pageCount() == 2
    view.release()
    view.deleteLater()
    qtbot.wait(50)  # the view is gone; its document is not closed yet
    assert document.pageCount() == 2
    with qtbot.waitSignal(document.destroyed, timeout=5_000):
        pass
