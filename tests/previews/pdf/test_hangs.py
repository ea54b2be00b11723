"""PDFs that do not answer: the window stays responsive and the view says so; damaged
PDFs of every kind end shown or refused."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtPdf import QPdfPageRenderer

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.dump import show_and_dump
from artifact_viewer.previews.pdf import layout as pdf_layout
from artifact_viewer.previews.pdf import previewer as pdf_previewer
from artifact_viewer.previews.pdf import probe
from artifact_viewer.previews.pdf import search as pdf_search
from artifact_viewer.previews.pdf.previewer import PdfPreviewer
from tests.previews import samples


def build_pdf(objects: list[bytes], *, xref: bool = True, root: int = 1) -> bytes:
    """A PDF of the given object bodies (numbered from 1) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    start = len(out)
    if xref:
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"


def damaged_pdfs() -> dict[str, bytes]:
    good = samples.pdf_bytes(3)
    broken_xref = build_pdf([CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE])
    broken_xref = broken_xref.replace(b" 00000 n ", b" 99999 n ").replace(b"0000000", b"9999999")
    return {
        "truncated": good[: len(good) * 6 // 10],
        "truncated_header_only": good[:20],
        "broken_xref": broken_xref,
        "no_xref": build_pdf(
            [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", PAGE], xref=False
        ),
        "kids_not_pages": build_pdf(
            [CATALOG, b"<< /Type /Pages /Kids [1 0 R 7 0 R (x)] /Count 3 >>", PAGE]
        ),
        "huge_page_count": build_pdf(
            [CATALOG, b"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>", PAGE]
        ),
        "huge_page_tree": build_pdf(
            [CATALOG, b"<< /Type /Pages /Kids [3 0 R 3 0 R 3 0 R] /Count 900000 >>", PAGE]
        ),
    }


@pytest.mark.qt_log_ignore("failed to load page", "QPdf")  # QtPdf's own words on damage
@pytest.mark.parametrize("name", sorted(damaged_pdfs()))
def test_damaged_pdfs_end_shown_or_refused(qapp, tmp_path, name):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(damaged_pdfs()[name])
    started = time.monotonic()
    shown = show_and_dump(path, "application/pdf", timeout_s=30)
    assert time.monotonic() - started < pdf_layout.LAYOUT_TIMEOUT_S + 10
    assert "unexpected error" not in shown.error.lower(), shown.error
    assert shown.error or shown.kind == "pdf"


@pytest.fixture
def pdfium_never_answers(monkeypatch):
    """A stand-in PDF reader that takes every request and never answers (as PDFium on
    some damaged files), with a short layout timeout; the real one is back afterwards."""
    helper = probe.Prober()
    monkeypatch.setattr(
        helper, "_command", lambda: [sys.executable, "-c", "import time; time.sleep(600)"]
    )
    monkeypatch.setattr(probe, "prober", lambda: helper)
    monkeypatch.setattr(pdf_layout, "LAYOUT_TIMEOUT_S", 1.0)
    yield helper
    helper.stop()


def test_a_pdf_that_never_answers_gets_the_error_panel_while_the_gui_runs(
    qtbot, tmp_path, pdfium_never_answers
):
    view = PdfPreviewer()
    qtbot.addWidget(view)
    view.show()
    ticks: list[float] = []
    ticker = QTimer(interval=20)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start()
    path = samples.write_pdf(tmp_path / "stuck.pdf", 2)
    started = time.monotonic()
    with qtbot.waitSignal(view.failed, timeout=15_000) as failed:
        view.load(PreviewSource(path, "application/pdf"))
    waited = time.monotonic() - started
    ticker.stop()
    assert "could not be laid out" in failed.args[0]
    assert view.stack.currentWidget() is view.error_label
    # The GUI thread kept turning while the reader did not answer.
    assert waited >= 1.0
    assert len(ticks) >= waited / 0.02 / 4
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert max(gaps, default=0) < 0.5
    view.cancel()


def test_after_a_reader_that_never_answered_pdfs_open_again(qtbot, tmp_path, monkeypatch):
    helper = probe.Prober()
    real_command = helper._command
    monkeypatch.setattr(
        helper, "_command", lambda: [sys.executable, "-c", "import time; time.sleep(600)"]
    )
    monkeypatch.setattr(probe, "prober", lambda: helper)
    monkeypatch.setattr(pdf_layout, "LAYOUT_TIMEOUT_S", 1.0)
    view = PdfPreviewer()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.failed, timeout=15_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "a.pdf"), "application/pdf"))
    monkeypatch.setattr(helper, "_command", real_command)
    monkeypatch.setattr(pdf_layout, "LAYOUT_TIMEOUT_S", 30.0)
    with qtbot.waitSignal(view.finished, timeout=40_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "b.pdf", 3), "application/pdf"))
    assert view.document.pageCount() == 3
    helper.stop()


def page_tree_cycle() -> bytes:
    """PDFium's loader never returns on this one (the page tree holds itself)."""
    return build_pdf([CATALOG, b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>", PAGE])


def test_a_pdf_whose_loading_never_returns_is_refused_in_time(qapp, tmp_path):
    path = tmp_path / "cycle.pdf"
    path.write_bytes(page_tree_cycle())
    started = time.monotonic()
    shown = show_and_dump(path, "application/pdf", timeout_s=60)
    assert "could not be laid out" in shown.error
    assert time.monotonic() - started < pdf_layout.LAYOUT_TIMEOUT_S + 10


def test_preview_refuses_a_pdf_whose_loading_never_returns(tmp_path):
    path = tmp_path / "cycle.pdf"
    path.write_bytes(page_tree_cycle())
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "artifact_viewer", "preview", str(path), "--dump", "-"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "could not be laid out" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert time.monotonic() - started < pdf_layout.LAYOUT_TIMEOUT_S + 20


_BUSY_GUI = """
import sys, time
from artifact_viewer.previews.host import PreviewHost
from artifact_viewer.cli import main
PreviewHost.show_file = lambda self, *a, **k: time.sleep(120)  # the GUI thread never returns
sys.argv = ["artifact-viewer", "preview", sys.argv[1], "--dump", "-", "--timeout", "1"]
main()
"""


def test_preview_timeout_fires_while_the_gui_thread_is_stuck(tmp_path):
    path = samples.write_pdf(tmp_path / "a.pdf")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", _BUSY_GUI, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "did not finish within 1 s" in result.stderr
    assert time.monotonic() - started < 30


def _ticking() -> tuple[QTimer, list[float]]:
    ticks: list[float] = []
    ticker = QTimer(interval=20)
    ticker.timeout.connect(lambda: ticks.append(time.monotonic()))
    ticker.start()
    return ticker, ticks


def _max_gap(ticks: list[float]) -> float:
    return max((b - a for a, b in zip(ticks, ticks[1:], strict=False)), default=0.0)


def test_a_page_that_never_renders_gets_a_message_while_the_gui_runs(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_previewer, "RENDER_TIMEOUT_S", 1.0)
    monkeypatch.setattr(pdf_layout, "_stuck", [])  # this session's stuck documents only
    view = PdfPreviewer()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    # A stand-in for PDFium stuck inside a page: the view's renderer never hands an image back.
    renderer = view.view.findChild(QPdfPageRenderer)
    assert renderer is not None
    renderer.blockSignals(True)
    ticker, ticks = _ticking()
    with qtbot.waitSignal(view.failed, timeout=20_000) as failed:
        view.load(PreviewSource(samples.write_pdf(tmp_path / "stuck.pdf", 3), "application/pdf"))
    assert "Page 1 did not render within 1 s" in failed.args[0]
    assert view.stack.currentWidget() is view.error_label
    assert not view.search_box.isEnabled() and not view.next_button.isEnabled()
    # PDFium may still be busy with that page: no other PDF is opened in this process.
    with qtbot.waitSignal(view.failed, timeout=20_000) as refused:
        view.load(PreviewSource(samples.write_pdf(tmp_path / "next.pdf", 2), "application/pdf"))
    ticker.stop()
    assert "cannot be shown until the app is restarted" in refused.args[0]
    assert "stuck.pdf" in refused.args[0]
    assert _max_gap(ticks) < 0.5
    view.cancel()


def test_pages_that_render_never_trip_the_render_watchdog(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_previewer, "RENDER_TIMEOUT_S", 1.5)
    view = PdfPreviewer()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "ok.pdf", 6), "application/pdf"))
    failures: list[str] = []
    view.failed.connect(failures.append)
    for page in (2, 5, 0):
        view.go_to_page(page)
        qtbot.wait(300)
    view.zoom_in()
    view.go_to_page(3)
    qtbot.wait(2500)
    assert failures == []
    assert view.stack.currentWidget() is not view.error_label
    view.cancel()


def test_a_search_that_never_returns_is_given_up_while_the_gui_runs(qtbot, tmp_path, monkeypatch):
    view = PdfPreviewer()
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "s.pdf", 3), "application/pdf"))
    # From now on the reader takes every request and never answers.
    helper = probe.Prober()
    monkeypatch.setattr(
        helper, "_command", lambda: [sys.executable, "-c", "import time; time.sleep(600)"]
    )
    monkeypatch.setattr(probe, "prober", lambda: helper)
    monkeypatch.setattr(pdf_search, "SEARCH_TIMEOUT_S", 1.0)
    ticker, ticks = _ticking()
    view.search_box.setText("wage")
    qtbot.waitUntil(lambda: view.hit_label.text() == "search failed", timeout=15_000)
    ticker.stop()
    assert "did not finish within 1 s" in view.hit_label.toolTip()
    # PDFium in this process was never asked to search (the highlights' model is empty).
    assert view.search_model.searchString() == ""
    assert view.hits == []
    assert _max_gap(ticks) < 0.5
    helper.stop()
    view.cancel()


def test_search_runs_in_the_helper_and_highlights_after_it(qtbot, tmp_path, monkeypatch):
    view = PdfPreviewer()
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(samples.write_pdf(tmp_path / "s.pdf", 4), "application/pdf"))
    asked: list[str] = []
    real = probe.prober()
    original = real.search

    def search(path, query, timeout_s, cancel):
        asked.append(query)
        return original(path, query, timeout_s, cancel)

    monkeypatch.setattr(real, "search", search)
    view.search_box.setText("page 3")
    qtbot.waitUntil(lambda: bool(view.hits), timeout=15_000)
    assert asked == ["page 3"]
    assert [h.page for h in view.hits] == [2]
    assert view.search_model.searchString() == "page 3"
    view.cancel()
