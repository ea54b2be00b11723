"""PDF diff: the text of each page compared, page count changes reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from artifact_viewer.core.compare import CompareError, PdfDiff, compare_files


def pdf(path: Path, pages: list[list[str]]) -> Path:
    c = canvas.Canvas(str(path))
    for lines in pages:
        y = 800
        for line in lines:
            c.drawString(72, y, line)
            y -= 20
        c.showPage()
    c.save()
    return path


def test_changed_page_text_and_an_added_page(tmp_path) -> None:
    a = pdf(tmp_path / "a.pdf", [["Form 941", "Wages 1000"], ["Signature"]])
    b = pdf(tmp_path / "b.pdf", [["Form 941", "Wages 1200"], ["Signature"], ["Schedule B"]])
    result = compare_files(a, b)
    assert isinstance(result, PdfDiff)
    assert (result.pages_a, result.pages_b) == (2, 3)
    assert [(p.page, p.op) for p in result.pages] == [(1, "change"), (3, "add")]
    assert "-Wages 1000" in result.pages[0].text.hunks[0].lines
    assert "+Wages 1200" in result.pages[0].text.hunks[0].lines
    assert result.summary()["pagesChanged"] == 2


def test_same_text_is_identical(tmp_path) -> None:
    result = compare_files(pdf(tmp_path / "a.pdf", [["x"]]), pdf(tmp_path / "b.pdf", [["x"]]))
    assert result.identical and result.one_line() == "identical text"


def test_damaged_pdf_says_so(tmp_path) -> None:
    good = pdf(tmp_path / "a.pdf", [["x"]])
    bad = tmp_path / "b.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really\n")
    with pytest.raises(CompareError, match="b.pdf cannot be read as a PDF"):
        compare_files(good, bad)


def test_pages_render_to_the_width_asked_and_a_missing_page_is_none(tmp_path) -> None:
    from artifact_viewer.core.compare import render_page

    path = pdf(tmp_path / "a.pdf", [["Form 941", "Wages 1000"], ["Signature"]])
    image = render_page(path, 1, 300)
    assert image is not None
    assert image.width == 300 and image.height > 300  # A4 portrait
    assert image.stride >= image.width * 4 and len(image.data) == image.stride * image.height
    # White paper with dark text on it.
    assert image.data.count(b"\xff") > len(image.data) // 2
    assert min(image.data) < 160
    assert render_page(path, 2, 300) is None


def test_rendering_a_file_that_is_not_a_pdf_says_so(tmp_path) -> None:
    from artifact_viewer.core.compare import render_page

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(CompareError, match="cannot be read as a PDF"):
        render_page(bad, 0, 100)
