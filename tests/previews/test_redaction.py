"""The redacted view in the previews: every kind masks what it shows (and copies); images
get boxes over sensitive values (PDF pages, screenshots with OCR) or stay behind a cover
until revealed; turning it off shows the file as it is."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from artifact_viewer.previews.host import PreviewHost
from artifact_viewer.previews.redaction import HiddenCover
from tests.previews import samples

SSN = "234-56-7890"
MASKED_SSN = "***-**-7890"


@pytest.fixture
def host(qtbot):
    widget = PreviewHost()
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    return widget


def settle(qtbot, host) -> None:
    qtbot.waitUntil(lambda: not host.is_loading(), timeout=20_000)


def show(qtbot, host, path: Path, mime: str | None = None, kind: str | None = None) -> None:
    host.show_file(path, mime, kind=kind)
    qtbot.waitUntil(lambda: host.current_kind() is not None, timeout=20_000)
    settle(qtbot, host)


def toggle(qtbot, host, on: bool) -> None:
    host.redaction.set_enabled(on)
    settle(qtbot, host)


def write_csv(path: Path) -> Path:
    path.write_text(
        "name,ssn,salary,note\n"
        f"Ana Ruiz,{SSN},85000,call (212) 555-0143\n"
        "Jo Kim,345-67-8901,72000,order 100-200-3000\n"
    )
    return path


def test_table_masks_sensitive_columns_and_values_in_cells_and_copies(qtbot, host, tmp_path):
    show(qtbot, host, write_csv(tmp_path / "payroll.csv"), "text/csv")
    assert host.current_kind() == "table"
    toggle(qtbot, host, True)
    table = host.previewer()
    qtbot.waitUntil(lambda: table.model.rowCount() == 2, timeout=20_000)
    cells = [[table.model.text(r, c) for c in range(4)] for r in range(2)]
    assert cells[0] == ["Ana Ruiz", MASKED_SSN, "*****", "call (***) ***-****"]
    assert cells[1][3] == "order 100-200-3000"
    table.view.selectAll()
    table.copy_selection()
    copied = QGuiApplication.clipboard().text()
    assert SSN not in copied and "85000" not in copied and MASKED_SSN in copied
    toggle(qtbot, host, False)
    plain = host.previewer()
    qtbot.waitUntil(lambda: plain.model.rowCount() == 2, timeout=20_000)
    assert plain.model.text(0, 1) == SSN


def test_json_tree_raw_text_and_copy_are_masked(qtbot, host, tmp_path):
    path = tmp_path / "w2.json"
    path.write_text(json.dumps({"employee": {"ssn": SSN, "salary": 85000, "city": "Austin"}}))
    host.redaction.set_enabled(True)
    show(qtbot, host, path, "application/json")
    view = host.previewer()
    model = view.tree.model()
    qtbot.waitUntil(lambda: model is not None and model.rowCount() > 0, timeout=20_000)
    shown = {
        key: model.index_for_path(("employee", key)).siblingAtColumn(2).data()
        for key in ("ssn", "salary", "city")
    }
    assert shown["ssn"] == f'"{MASKED_SSN}"'
    assert shown["salary"] == "*****"
    assert shown["city"] == '"Austin"'
    dumped = "".join(view.dump_chunks())  # preview --dump --redact
    assert SSN not in dumped and "85000" not in dumped and "Austin" in dumped
    view.tree.setCurrentIndex(model.index_for_path(("employee", "ssn")))
    view.copy_value()
    assert QGuiApplication.clipboard().text() == f'"{MASKED_SSN}"'


def test_log_lines_and_copied_text_are_masked(qtbot, host, tmp_path):
    path = samples.write_text(
        tmp_path / "run.log",
        f"2025-01-02 INFO employee ssn {SSN} paid\n2025-01-02 INFO mail jo@example.com\n",
    )
    host.redaction.set_enabled(True)
    show(qtbot, host, path, "text/plain")
    view = host.previewer()
    qtbot.waitUntil(lambda: view.view.document() is not None, timeout=20_000)
    doc = view.view.document()
    lines = [text for _o, text in doc.lines_from(doc.start, 10)]
    assert lines == [
        f"2025-01-02 INFO employee ssn {MASKED_SSN} paid",
        "2025-01-02 INFO mail **@*******.***",
    ]
    assert SSN not in doc.text_between(doc.start, doc.start)


def test_xml_and_hex_views_are_masked(qtbot, host, tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(f"<employees><employee><SSN>{SSN}</SSN><Name>Ana</Name></employee></employees>")
    host.redaction.set_enabled(True)
    show(qtbot, host, path, "application/xml")
    assert host.current_kind() == "xml"
    text = "".join(host.previewer().dump_chunks())
    assert SSN not in text and MASKED_SSN in text and "Ana" in text
    host.set_kind("hex")
    settle(qtbot, host)
    hexview = host.previewer()
    assert hexview.view.masked
    size = len(path.read_bytes())
    text_columns = [hexview.view.row_text(s)[-min(16, size - s) :] for s in range(0, size, 16)]
    assert not any(ch.isdigit() for column in text_columns for ch in column)
    assert hexview.view.row_text(0).endswith("<*********><****")
    assert SSN not in hexview.head.toPlainText()


def test_images_are_hidden_until_revealed_per_file_without_ocr(qtbot, host, tmp_path, monkeypatch):
    monkeypatch.setattr("artifact_viewer.core.search.ocr.tesseract_path", lambda: None)
    image = samples.write_png(tmp_path / "shot.png")
    host.redaction.set_enabled(True)
    show(qtbot, host, image, "image/png")
    cover = host.stack.currentWidget()
    assert isinstance(cover, HiddenCover) and host.previewer() is None
    assert "Image hidden in redacted view" in cover.label.text()
    cover.reveal_button.click()
    settle(qtbot, host)
    assert host.previewer() is not None and host.previewer().kind == "image"
    other = samples.write_png(tmp_path / "other.png")
    show(qtbot, host, other, "image/png")
    assert isinstance(host.stack.currentWidget(), HiddenCover)  # a reveal is per file
    toggle(qtbot, host, False)
    assert host.previewer() is not None and host.previewer().kind == "image"


def write_w2_pdf(path: Path, pages: int = 1) -> Path:
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for _ in range(pages):
        pdf.setFont("Helvetica", 14)
        pdf.drawString(72, 760, f"Employee SSN: {SSN}")
        pdf.drawString(72, 730, "Order 100-200-3000")
        pdf.showPage()
    pdf.save()
    path.write_bytes(buf.getvalue())
    return path


def masked_pdf(qtbot, host, path: Path):
    host.redaction.set_enabled(True)
    show(qtbot, host, path, "application/pdf")
    view = host.previewer()
    assert view is not None and view.kind == "pdf" and view.masking
    qtbot.waitUntil(lambda: not view.masking_busy(), timeout=20_000)
    return view


def dark(color) -> bool:
    return color.red() < 40 and color.green() < 40 and color.blue() < 40


def test_pdf_pages_get_boxes_over_matches_and_a_reveal(qtbot, host, tmp_path):
    view = masked_pdf(qtbot, host, write_w2_pdf(tmp_path / "w2.pdf"))
    host.show()
    qtbot.waitExposed(host)
    [rect] = view.view.masked_rects(0)  # the SSN only; the order number stays
    shot = view.view.viewport().grab().toImage()
    centre = rect.center().toPoint()
    assert dark(shot.pixelColor(centre))
    # The whole box is filled: no light pixel is left inside it.
    inner = rect.adjusted(2, 2, -2, -2).toRect()
    assert all(
        dark(shot.pixelColor(x, y))
        for x in range(inner.left(), inner.right(), 3)
        for y in range(inner.top(), inner.bottom(), 2)
    )
    view.reveal_button.click()
    assert not view.masking and view.view.masked_rects(0) == []
    assert host.redaction.is_revealed(tmp_path / "w2.pdf")


def test_pdf_search_hits_are_listed_masked(qtbot, host, tmp_path):
    view = masked_pdf(qtbot, host, write_w2_pdf(tmp_path / "w2.pdf", pages=2))
    view.search_box.setText("Employee")
    qtbot.waitUntil(lambda: view.hit_list.count() == 2, timeout=20_000)
    labels = [view.hit_list.item(i).text() for i in range(2)]
    assert all(MASKED_SSN in label and SSN not in label for label in labels)


def test_pdf_pages_stay_covered_until_their_boxes_are_known(qtbot, host, tmp_path):
    view = masked_pdf(qtbot, host, write_w2_pdf(tmp_path / "w2.pdf"))
    pdf_view = view.view
    pdf_view.set_masking(True)  # as at load: nothing known yet
    [whole] = pdf_view.masked_rects(0)
    left, top, width, height = view.page_layout.page_rect(0)
    assert (whole.x(), whole.y(), whole.width(), whole.height()) == (left, top, width, height)


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (the Makefile installs tesseract-ocr)",
)


@needs_tesseract
def test_screenshot_words_are_masked_with_ocr(qtbot, host, tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    path = tmp_path / "shot.png"
    image = Image.new("RGB", (900, 160), "white")
    font = ImageFont.load_default(size=36)
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), f"Employee SSN {SSN}", fill="black", font=font)
    draw.text((20, 90), "Order 100-200-3000", fill="black", font=font)
    image.save(path)
    ssn_left = round(20 + draw.textlength("Employee SSN ", font=font))
    ssn_right = round(20 + draw.textlength(f"Employee SSN {SSN}", font=font))
    host.redaction.set_enabled(True)
    show(qtbot, host, path, "image/png")
    view = host.previewer()
    assert view is not None and view.kind == "image" and view.masked
    shown = view.canvas.image()
    row = 42  # through the middle of the first line
    inside = [shown.pixelColor(x, row) for x in range(ssn_left + 4, ssn_right - 4, 4)]
    assert all(dark(c) for c in inside)
    order_row = [shown.pixelColor(x, 112) for x in range(150, 300, 4)]
    assert not all(dark(c) for c in order_row)  # the order number is left as it is
    view.reveal_button.click()
    qtbot.waitUntil(lambda: not view.masked and view.image_info() is not None, timeout=20_000)
    qtbot.waitUntil(
        lambda: (
            not all(
                dark(view.canvas.image().pixelColor(x, row))
                for x in range(ssn_left + 4, ssn_right - 4, 4)
            )
        ),
        timeout=20_000,
    )
