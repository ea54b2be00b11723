"""Extraction per kind: each row's text and the location a hit reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from artifact_viewer.core.search.extract import (
    BINARY,
    IMAGE,
    JSON,
    PDF,
    TABLE,
    TEXT,
    FileHints,
    extract,
)
from artifact_viewer.core.search.jsondoc import json_path
from artifact_viewer.core.search.rows import CELL_SEP, CHUNK_CHARS
from artifact_viewer.demo.pdfs import tax_pdf
from artifact_viewer.previews.json.paths import json_path as preview_json_path


def rows_of(tmp_path: Path, data: bytes, name: str, mime: str = ""):
    path = tmp_path / "blob"
    path.write_bytes(data)
    info, rows = extract(path, FileHints(name, mime))
    return info, list(rows)


def test_csv_rows_are_numbered_from_the_first_data_row_with_cells_as_written(tmp_path):
    data = b'id,name,amount\nE00001,Ada Lovelace,0012.50\nE00002,"Smith, Jo",7\n'
    info, rows = rows_of(tmp_path, data, "payroll.csv", "text/csv")
    assert info.kind == TABLE and info.columns == ["id", "name", "amount"]
    assert rows == [
        (CELL_SEP.join(["E00001", "Ada Lovelace", "0012.50"]), "1"),
        (CELL_SEP.join(["E00002", "Smith, Jo", "7"]), "2"),
    ]


def test_tsv_is_split_on_tabs(tmp_path):
    info, rows = rows_of(tmp_path, b"a\tb\nx,y\tz\n", "t.tsv")
    assert info.columns == ["a", "b"] and rows == [(f"x,y{CELL_SEP}z", "1")]


def test_a_table_row_longer_than_a_chunk_is_cut_at_cells_keeping_the_first_column(tmp_path):
    wide = "w" * (CHUNK_CHARS - 3)
    data = f"a,b,c\n1,{wide},tail\n".encode()
    _info, rows = rows_of(tmp_path, data, "wide.csv")
    assert [loc for _text, loc in rows] == ["1", "1:2"]
    assert rows[1][0] == "tail"


def test_json_paths_are_the_ones_the_preview_copies(tmp_path):
    doc = {"employees": [{"id": "E00042", "first name": "Ada"}], "ok": True, "n": None}
    info, rows = rows_of(tmp_path, json.dumps(doc).encode(), "e.json")
    assert info.kind == JSON
    assert rows == [
        ("employees", "$.employees"),
        ("id: E00042", "$.employees[0].id"),
        ("first name: Ada", '$.employees[0]["first name"]'),
        ("ok: true", "$.ok"),
        ("n: null", "$.n"),
    ]
    for steps in [("employees", 0, "first name"), ("a-b", 3), (), ("ключ", "x y", 0)]:
        assert json_path(steps) == preview_json_path(steps)


def test_json_lines_items_are_list_items_and_blank_lines_do_not_count(tmp_path):
    data = b'{"a": 1}\n\n{"a": "two"}\nnot json\n'
    info, rows = rows_of(tmp_path, data, "x.jsonl")
    assert rows == [("a: 1", "$[0].a"), ("a: two", "$[1].a"), ("not json", "$[2]")]
    assert "1 record(s) are not valid JSON" in info.skipped[0]


def test_json_beyond_orjson_keeps_big_integers_and_invalid_json_falls_back_to_lines(tmp_path):
    _info, rows = rows_of(tmp_path, b'{"big": 123456789012345678901234567890}', "b.json")
    assert rows == [("big: 123456789012345678901234567890", "$.big")]
    info, rows = rows_of(tmp_path, b'{"a": 1,\n "b": oops}\n', "bad.json")
    assert info.kind == TEXT and "not valid JSON" in info.skipped[0]
    assert rows == [('{"a": 1,', "1"), (' "b": oops}', "2")]


def test_log_and_xml_lines_are_numbered_from_one_and_blank_lines_skipped(tmp_path):
    info, rows = rows_of(tmp_path, b"first\r\n\nERROR third\n", "run.log", "text/plain")
    assert info.kind == TEXT and rows == [("first", "1"), ("ERROR third", "3")]
    _info, rows = rows_of(
        tmp_path, b'<?xml version="1.0"?>\n<a>\n  <b>EIN 12-3456789</b>\n</a>', "a.xml"
    )
    assert ("  <b>EIN 12-3456789</b>", "3") in rows


def test_a_huge_single_line_is_indexed_in_overlapping_pieces(tmp_path):
    line = ("abcdefghij" * 100_000) + "NEEDLE-77" + ("z" * 50_000)
    _info, rows = rows_of(tmp_path, f"head\n{line}\nlast\n".encode(), "one.log")
    pieces = [text for text, loc in rows if loc == "2"]
    assert all(len(text) <= CHUNK_CHARS for text, _loc in rows)
    assert len(pieces) > 60 and any("NEEDLE-77" in p for p in pieces)
    assert rows[-1] == ("last", "3")


def test_latin1_text_is_decoded_not_dropped(tmp_path):
    _info, rows = rows_of(tmp_path, "Müller straße\n".encode("latin-1") * 3, "n.txt")
    assert rows[0][0] == "Müller straße"


def test_pdf_text_is_read_per_page(tmp_path):
    info, rows = rows_of(tmp_path, tax_pdf(7, pages=3), "941.pdf", "application/pdf")
    assert info.kind == PDF and not info.skipped
    assert sorted({loc for _t, loc in rows}) == ["1", "2", "3"]
    assert all(text.strip() for text, _loc in rows)


def test_a_truncated_pdf_indexes_what_it_can_and_says_why(tmp_path):
    data = tax_pdf(7, pages=3)
    info, rows = rows_of(tmp_path, data[: len(data) // 3], "cut.pdf")
    assert info.kind == PDF
    assert rows or info.skipped  # whatever pdfium salvages, never an exception
    if not rows:
        assert "PDF" in info.skipped[0]


def test_binary_files_are_indexed_by_name_only(tmp_path):
    info, rows = rows_of(tmp_path, b"\x00\x01\x02garbage" * 10, "x.bin")
    assert info.kind == BINARY and rows == [] and "binary" in info.skipped[0]


def _text_png(path: Path, words: str) -> None:
    image = Image.new("RGB", (900, 160), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", 48)
    draw.text((40, 50), words, fill="black", font=font)
    image.save(path)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_screenshot_text_is_read_by_ocr_with_word_boxes(tmp_path):
    png = tmp_path / "shot.png"
    try:
        _text_png(png, "Invoice TOTAL 4711")
    except OSError:
        pytest.skip("the DejaVu font is not installed")
    info, rows = extract(png, FileHints("shot.png", "image/png"))
    rows = list(rows)
    assert info.kind == IMAGE and not info.skipped
    text, loc = rows[0]
    assert "TOTAL" in text
    boxes = json.loads(loc)
    assert len(boxes) == len(text.split(" "))
    x, y, w, h = boxes[text.split(" ").index("TOTAL")]
    assert 40 < x < 700 and 30 < y < 130 and w > 20 and h > 10


def test_without_tesseract_an_image_says_why_it_has_no_text(tmp_path, monkeypatch):
    monkeypatch.setattr("artifact_viewer.core.search.ocr.shutil.which", lambda _name: None)
    png = tmp_path / "shot.png"
    Image.new("RGB", (10, 10), "white").save(png)
    info, rows = extract(png, FileHints("shot.png", "image/png"))
    assert list(rows) == [] and "tesseract is not installed" in info.skipped[0]


def _nested(depth: int) -> tuple[str, str]:
    """A document ``depth`` levels deep (objects with plain and quoted keys, arrays), and the
    path of its leaf as the preview writes it."""
    doc: object = {"leaf": "E00042"}
    steps: list[str | int] = []
    for level in range(depth):
        doc = {"k": [doc]} if level % 2 else {"a b": doc}
        steps = (["k", 0] if level % 2 else ["a b"]) + steps
    import sys

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4 * depth + 100))
    try:
        return json.dumps(doc), preview_json_path((*steps, "leaf"))
    finally:
        sys.setrecursionlimit(limit)


def test_deeply_nested_json_gets_exact_paths_at_every_depth(tmp_path):
    text, leaf_path = _nested(300)  # past the depth where paths stop being kept as strings
    info, rows = rows_of(tmp_path, text.encode(), "deep.json")
    assert info.kind == JSON
    assert [loc for row, loc in rows if row == "leaf: E00042"] == [leaf_path]
    assert rows[:2] == [("k", "$.k"), ("a b", '$.k[0]["a b"]')]


def test_json_too_deep_for_the_parsers_is_indexed_as_text_and_says_so(tmp_path):
    text, _path = _nested(3000)
    info, rows = rows_of(tmp_path, text.encode(), "deep.json")
    assert info.kind == TEXT and "nested too deeply" in info.skipped[0]
    assert any("E00042" in row for row, _loc in rows)


@pytest.mark.parametrize(
    "steps",
    [(), ("employees", 0, "first name"), ("a-b", 3, 'say "hi"'), ("ключ", "x]y", 0), ("_ok", 12)],
)
def test_a_json_path_reads_back_into_the_steps_it_was_made_from(steps):
    from artifact_viewer.core.search.jsondoc import parse_json_path

    assert parse_json_path(json_path(steps)) == steps
    with pytest.raises(ValueError):
        parse_json_path("employees[0]")
