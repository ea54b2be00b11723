"""Sniffing: label, then extension, then content; unambiguous magic bytes beat a lying label."""

from __future__ import annotations

import pytest

from artifact_viewer.core import sniff as s
from tests.previews import samples


def test_png_labelled_csv_is_still_an_image(tmp_path) -> None:
    path = samples.write_png(tmp_path / "data.csv")
    result = s.sniff(path, mime="text/csv")
    assert result.kind == s.IMAGE and result.magic_wins
    assert result.label_kind == s.TABLE and result.ext_kind == s.TABLE


def test_pdf_labelled_json_is_a_pdf(tmp_path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(samples.pdf_bytes(1))
    assert s.sniff(path, mime="application/json").kind == s.PDF


def test_label_beats_extension_for_text(tmp_path) -> None:
    path = tmp_path / "report.txt"
    path.write_text('{"a": 1}')
    assert s.sniff(path, mime="application/json").kind == s.JSON


def test_extension_used_when_label_is_generic(tmp_path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n1,2\n")
    assert s.sniff(path, mime="application/octet-stream").kind == s.TABLE


@pytest.mark.parametrize(
    ("text", "kind", "mime"),
    [
        ('{"employees": [1, 2]}', s.JSON, "application/json"),
        ('{"a": 1}\n{"a": 2}\n{"a": 3}\n', s.JSON, "application/x-ndjson"),
        ('<?xml version="1.0"?><root/>', s.XML, "application/xml"),
        ("<payroll><row/></payroll>", s.XML, "application/xml"),
        ("<!DOCTYPE html><html></html>", s.TEXT, "text/html"),
        ("name,salary\nA,1\nB,2\nC,3\n", s.TABLE, "text/csv"),
        ("name\tsalary\nA\t1\nB\t2\n", s.TABLE, "text/tab-separated-values"),
        ("2026-11-28 12:00:01 ERROR boom\n2026-11-28 12:00:02 INFO ok\n", s.LOG, "text/x-log"),
        ("just some words\nand more words\n", s.TEXT, "text/plain"),
    ],
)
def test_content_decides_when_label_and_extension_say_nothing(tmp_path, text, kind, mime) -> None:
    path = tmp_path / "artifact.bin"
    path.write_text(text)
    result = s.sniff(path, mime=None, name="artifact")
    assert (result.kind, result.mime) == (kind, mime)


def test_text_plain_label_on_json_content_shows_the_structure(tmp_path) -> None:
    path = tmp_path / "a"
    path.write_text('[{"x": 1}]')
    assert s.sniff(path, mime="text/plain").kind == s.JSON


def test_binary_without_clues_is_hex(tmp_path) -> None:
    path = samples.write_binary(tmp_path / "blob")
    result = s.sniff(path)
    assert result.kind == s.HEX and result.encoding is None


def test_zip_is_described(tmp_path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    result = s.sniff(path, mime="text/plain")
    assert result.kind == s.HEX and result.magic_wins
    assert "Office" in result.description or "zip" in result.description.lower()


def test_empty_file_is_text_unless_labelled(tmp_path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert s.sniff(path).kind == s.TEXT
    assert s.sniff(path, mime="application/json").kind == s.JSON


def test_log_extension_on_plain_text(tmp_path) -> None:
    path = tmp_path / "run.log"
    path.write_text("hello\nworld\n")
    assert s.sniff(path, mime="text/plain").kind == s.LOG


@pytest.mark.parametrize(
    ("data", "name", "bom"),
    [
        (b"\xef\xbb\xbfh\xc3\xa9", "utf-8", 3),
        ("héllo".encode("utf-16"), "utf-16-le", 2),
        (b"\xfe\xff" + "hi".encode("utf-16-be"), "utf-16-be", 2),
        ("hello world, plain".encode("utf-16-le"), "utf-16-le", 0),
        ("na\u00efve caf\u00e9 r\u00e9sum\u00e9 \u00e0 la cr\u00e8me".encode("latin-1"), None, 0),
    ],
)
def test_encoding_detection(data, name, bom) -> None:
    enc = s.detect_encoding(data)
    assert enc is not None and enc.bom == bom
    if name is not None:
        assert enc.name == name
    else:
        # Not UTF-8; whatever single-byte codec is chosen must decode the accents.
        assert enc.name != "utf-8"
        assert "caf" in data.decode(enc.name)


def test_utf8_cut_mid_character_at_head_end_is_still_utf8() -> None:
    data = ("é" * 100).encode()[:-1]
    assert s.detect_encoding(data).name == "utf-8"


def test_utf16_csv_with_bom_is_a_table(tmp_path) -> None:
    path = samples.write_text(tmp_path / "x", "a,b\n1,2\n3,4\n", "utf-16-le", bom=True)
    result = s.sniff(path)
    assert result.kind == s.TABLE and result.encoding.name == "utf-16-le"


def test_mime_parameters_and_suffixes() -> None:
    assert s.kind_for_mime("application/json; charset=utf-8") == s.JSON
    assert s.kind_for_mime("application/vnd.api+json") == s.JSON
    assert s.kind_for_mime("application/atom+xml") == s.XML
    assert s.kind_for_mime("image/webp") == s.IMAGE
    assert s.kind_for_mime("text/markdown") == s.TEXT
    assert s.kind_for_mime("application/octet-stream") is None
    assert s.kind_for_mime("") is None


@pytest.mark.parametrize(
    ("name", "mime"),
    [("report.pdf", "application/pdf"), ("shot.png", "image/png"), ("shot.png", None)],
)
def test_text_labelled_as_pdf_or_image_opens_as_text(tmp_path, name, mime) -> None:
    path = samples.write_log(tmp_path / name, 20)
    result = s.sniff(path, mime=mime)
    assert result.kind == s.LOG
    assert (result.label_kind or result.ext_kind) in (s.PDF, s.IMAGE)  # still offered


def test_binary_labelled_as_image_keeps_the_image_view(tmp_path) -> None:
    # Formats without a magic we know (ICO here) must still reach the image view.
    path = tmp_path / "favicon.ico"
    path.write_bytes(b"\x00\x00\x01\x00\x01\x00\x10\x10" + bytes(range(256)) * 4)
    assert s.sniff(path, mime="image/x-icon").kind == s.IMAGE
