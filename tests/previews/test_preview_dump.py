"""`artifact-viewer preview FILE --dump OUT|-`: the view's text form, for scripts and tests."""

from __future__ import annotations

import json

import pytest

from tests.previews import samples
from tests.previews.test_preview_cli import run_preview


def test_table_dump_is_the_files_text_as_tsv(tmp_path) -> None:
    lines = ["zip,account,amount,flag"]
    lines += [f"{i % 100000:05d},{i:020d},{i % 997}.{i % 10}0,TRUE" for i in range(60_000)]
    path = tmp_path / "pay.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "\n".join(line.replace(",", "\t") for line in lines) + "\n"
    assert result.stderr == ""


def test_json_dump_is_one_path_and_value_per_leaf(tmp_path) -> None:
    path = tmp_path / "doc.json"
    doc = {"a": [{"b": 1}, {"first name": "Zoë"}], "big": 123456789012345678901234, "e": {}}
    path.write_text(json.dumps(doc))
    result = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "$.a[0].b\t1",
        '$.a[1]["first name"]\t"Zoë"',
        "$.big\t123456789012345678901234",
        "$.e\t{}",
    ]


def test_json_dump_of_a_small_file_keeps_number_literals_and_duplicate_keys(tmp_path) -> None:
    path = tmp_path / "pay.json"
    path.write_text('{"amount": 4495.90, "e": 1E22, "z": -0, "a": 1, "a": 2, "n": [1.0e-7]}')
    result = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "$.amount\t4495.90",
        "$.e\t1E22",
        "$.z\t-0",
        "$.a\t1",
        "$.a\t2",
        "$.n[0]\t1.0e-7",
    ]


def test_lenient_json_says_not_strict_on_stderr_and_exits_zero(tmp_path) -> None:
    path = tmp_path / "nan.json"
    path.write_text('{"x": NaN, "y": -Infinity}')
    result = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["$.x\tNaN", "$.y\t-Infinity"]
    assert "not strict json" in result.stderr.lower()


def test_log_dump_to_a_file_holds_its_lines(tmp_path) -> None:
    log = samples.write_log(tmp_path / "run.log", 50)
    out = tmp_path / "out.txt"
    result = run_preview(str(log), "--dump", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(log view)" in result.stdout
    assert out.read_text(encoding="utf-8") == log.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_xml_dump_is_the_indented_lines(tmp_path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<a><b>x</b><c/></a>")
    result = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "<a>\n  <b>x</b>\n  <c/>\n</a>\n"


def test_image_dump_is_its_metadata(tmp_path) -> None:
    png = samples.write_png(tmp_path / "p.png", 120, 80)
    result = run_preview(str(png), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["format: PNG", "width: 120", "height: 80"]


def test_damaged_file_fails_with_one_line_and_no_output_file(tmp_path) -> None:
    bad = samples.write_corrupt_png(tmp_path / "bad.png")
    out = tmp_path / "out.txt"
    result = run_preview(str(bad), "--kind", "image", "--dump", str(out), cwd=tmp_path)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_dump_and_screenshot_together_is_a_usage_error(tmp_path) -> None:
    log = samples.write_log(tmp_path / "run.log", 5)
    result = run_preview(
        str(log), "--dump", "-", "--screenshot", str(tmp_path / "s.png"), cwd=tmp_path
    )
    assert result.returncode == 2


@pytest.mark.parametrize("kind", ["hex", "text"])
def test_every_view_has_a_text_form(tmp_path, kind: str) -> None:
    path = tmp_path / "t.txt"
    path.write_text("one\ntwo\n")
    result = run_preview(str(path), "--kind", kind, "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "one" in result.stdout


def test_redacted_dump_masks_what_the_view_masks(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,ssn\nAnn,123-45-6789\n")
    plain = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    masked = run_preview(str(path), "--redact", "--dump", "-", cwd=tmp_path)
    assert plain.returncode == 0 and masked.returncode == 0, masked.stderr
    assert "123-45-6789" in plain.stdout
    assert "123-45-6789" not in masked.stdout
    assert masked.stdout.splitlines()[0] == "name\tssn"


def test_redacted_dump_of_a_pdf_is_its_page_texts_masked(tmp_path) -> None:
    path = tmp_path / "w2.pdf"
    path.write_bytes(samples.pdf_bytes(pages=2, text="Employee SSN 234-56-7890 order 100-200-3000"))
    plain = run_preview(str(path), "--dump", "-", cwd=tmp_path)
    masked = run_preview(str(path), "--redact", "--dump", "-", cwd=tmp_path)
    assert plain.returncode == 0 and masked.returncode == 0, masked.stderr
    assert plain.stdout.count("234-56-7890") == 2
    assert "234-56-7890" not in masked.stdout
    assert masked.stdout.count("***-**-7890") == 2 and "100-200-3000" in masked.stdout
    assert masked.stdout.count("\f") == plain.stdout.count("\f") == 1


def test_pdf_dump_is_its_page_texts_with_form_feeds(tmp_path) -> None:
    pdf = samples.write_pdf(tmp_path / "w2.pdf", pages=3)
    result = run_preview(str(pdf), "--dump", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = result.stdout.split("\f")
    assert len(pages) == 3
    assert [f"page {n}" in text for n, text in enumerate(pages, start=1)] == [True] * 3
