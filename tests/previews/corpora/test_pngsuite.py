"""PngSuite: every file not starting with ``x`` renders with its own size; every ``x*``
file is refused with a clear reason; nothing crashes or hangs, under any label."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from artifact_viewer.previews.dump import show_and_dump
from tests.previews.corpora.conftest import corpus_files, params

PNG_FILES = corpus_files("png/png", "*.png")
GOOD = [p for p in PNG_FILES if not p.name.startswith("x")]
DAMAGED = [p for p in PNG_FILES if p.name.startswith("x")]
WRONG_LABELS = ("application/json", "text/csv", "application/pdf", "text/plain")


def ihdr_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("path", params(GOOD))
def test_good_files_render_with_their_size(host, path: Path):
    shown = show_and_dump(path, "image/png", host=host)
    assert shown.kind == "image" and not shown.error, shown.error
    width, height = ihdr_size(path)
    lines = shown.text.splitlines()
    assert "format: PNG" in lines
    assert f"width: {width}" in lines and f"height: {height}" in lines


@pytest.mark.parametrize("path", params(DAMAGED))
def test_damaged_files_are_refused_with_a_reason(host, path: Path):
    shown = show_and_dump(path, "image/png", host=host)
    assert shown.error, "a damaged PNG was shown as an image"
    assert "unexpected error" not in shown.error.lower(), shown.error
    assert shown.error.startswith(("Damaged image: ", "Not a readable image: ")), shown.error


@pytest.mark.parametrize("path", params(PNG_FILES))
def test_any_file_under_a_wrong_label_ends_shown_or_refused(host, path: Path):
    label = WRONG_LABELS[sum(path.name.encode()) % len(WRONG_LABELS)]
    shown = show_and_dump(path, label, host=host)
    assert "unexpected error" not in shown.error.lower(), shown.error
    assert shown.kind is not None
