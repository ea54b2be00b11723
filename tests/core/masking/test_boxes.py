"""Boxes over sensitive values: on PDF pages from pdfium's character positions, on
screenshots from the words tesseract reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from artifact_viewer.core.masking import Kind, Masker
from artifact_viewer.core.masking.boxes import (
    MaskingError,
    image_boxes,
    line_boxes,
    ocr_available,
    pdf_boxes,
)

SSN = "234-56-7890"
FONT, SIZE = "Helvetica", 12


def write_pdf(path: Path, lines: list[list[str]], *, rotate: int = 0) -> Path:
    """One page per list of lines; each line drawn at x=72, from y=720 down by 20 pt."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for page in lines:
        if rotate:
            pdf.setPageRotation(rotate)
        pdf.setFont(FONT, SIZE)
        for i, line in enumerate(page):
            pdf.drawString(72, 720 - 20 * i, line)
        pdf.showPage()
    pdf.save()
    path.write_bytes(buf.getvalue())
    return path


def width_of(text: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, FONT, SIZE))


def test_pdf_box_covers_exactly_the_value_on_its_line(tmp_path):
    prefix = "Employee SSN: "
    path = write_pdf(tmp_path / "w2.pdf", [[prefix + SSN + " order 100-200-3000", "no values"]])
    [page] = pdf_boxes(path, Masker())
    assert not page.cover_all
    [box] = page.boxes
    assert box.kind is Kind.SSN
    left = 72 + width_of(prefix)
    assert box.x <= left and left - box.x < 3
    assert box.x + box.w >= left + width_of(SSN) and box.w - width_of(SSN) < 6
    baseline_from_top = page.height - 720
    assert box.y < baseline_from_top < box.y + box.h  # the box sits on the first line
    assert box.y > baseline_from_top - SIZE - 3


def test_pdf_value_on_each_page_and_pages_without_text_are_covered_whole(tmp_path):
    path = write_pdf(
        tmp_path / "pages.pdf",
        [["mail ana.ruiz@example.com"], [], ["Phone (212) 555-0143", "SSN " + SSN]],
    )
    seen: list[int] = []
    pages = pdf_boxes(path, Masker(), on_page=lambda boxes, total: seen.append(total))
    assert seen == [3, 3, 3]
    assert [p.page for p in pages] == [0, 1, 2]
    assert [b.kind for b in pages[0].boxes] == [Kind.EMAIL]
    assert pages[1].cover_all and not pages[1].boxes
    assert [b.kind for b in pages[2].boxes] == [Kind.PHONE, Kind.SSN]
    assert pages[2].boxes[0].y < pages[2].boxes[1].y  # second line lower on the page


def test_a_turned_page_is_covered_whole(tmp_path):
    path = write_pdf(tmp_path / "rot.pdf", [["SSN " + SSN]], rotate=90)
    [page] = pdf_boxes(path, Masker())
    assert page.cover_all and not page.boxes


def test_pdf_that_pdfium_cannot_open_is_an_error(tmp_path):
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"%PDF-1.4 garbage")
    with pytest.raises(MaskingError):
        pdf_boxes(path, Masker())


def test_ocr_line_boxes_cover_every_word_a_value_touches():
    words = ["Call", "(212)", "555-0143", "about", "order", "100-200-3000"]
    boxes = [[10 * i, 5, 8, 12] for i in range(len(words))]
    found = list(line_boxes(words, boxes, Masker()))
    assert [(b.x, b.kind) for b in found] == [(10 - 2, Kind.PHONE), (20 - 2, Kind.PHONE)]


needs_tesseract = pytest.mark.skipif(
    not ocr_available(), reason="tesseract is not installed (the Makefile installs tesseract-ocr)"
)


def write_screenshot(path: Path) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=36)
    draw.text((20, 20), "Employee SSN " + SSN, fill="black", font=font)
    draw.text((20, 90), "Order 100-200-3000 shipped", fill="black", font=font)
    image.save(path)
    return path


@needs_tesseract
def test_screenshot_words_flagged_by_the_detectors_get_boxes(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    found = image_boxes(write_screenshot(tmp_path / "shot.png"), Masker())
    assert found.words >= 6
    [box] = found.boxes
    assert box.kind is Kind.SSN
    # Where the value was drawn: after "Employee SSN " on the first line.
    font = ImageFont.load_default(size=36)
    draw = ImageDraw.Draw(Image.new("RGB", (10, 10)))
    left = 20 + draw.textlength("Employee SSN ", font=font)
    right = left + draw.textlength(SSN, font=font)
    assert abs(box.x - left) < 12 and abs(box.x + box.w - right) < 12
    assert box.y < 60 < box.y + box.h + 20 and box.y + box.h < 90


@needs_tesseract
def test_unreadable_screenshot_is_an_error(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(MaskingError):
        image_boxes(path, Masker())
