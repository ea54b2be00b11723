"""The redacted view in the previews: every kind masks what it shows (and copies); images
and PDFs stay behind a cover until revealed; turning it off shows the file as it is."""

from __future__ import annotations

import json
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


def test_images_and_pdfs_are_hidden_until_revealed_per_file(qtbot, host, tmp_path):
    image = samples.write_png(tmp_path / "shot.png")
    host.redaction.set_enabled(True)
    show(qtbot, host, image, "image/png")
    cover = host.stack.currentWidget()
    assert isinstance(cover, HiddenCover) and host.previewer() is None
    assert "Image hidden in redacted view" in cover.label.text()
    cover.reveal_button.click()
    settle(qtbot, host)
    assert host.previewer() is not None and host.previewer().kind == "image"
    pdf = tmp_path / "w2.pdf"
    pdf.write_bytes(samples.pdf_bytes())
    show(qtbot, host, pdf, "application/pdf")
    assert isinstance(host.stack.currentWidget(), HiddenCover)  # a reveal is per file
    toggle(qtbot, host, False)
    assert host.previewer() is not None and host.previewer().kind == "pdf"
