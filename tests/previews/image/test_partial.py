"""Truncated PNG, JPEG and GIF files show the part that decodes, with a banner saying
how much is missing; damaged ones are refused."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from artifact_viewer.previews.base import PreviewSource
from artifact_viewer.previews.image.partial import png_truncation, truncation
from artifact_viewer.previews.image.previewer import ImagePreviewer
from tests.previews import samples


def striped_png(width: int = 40, height: int = 100) -> bytes:
    """Rows of varied bytes (so the compressed data is long enough to cut mid-way)."""
    raw = b"".join(
        b"\x00" + bytes((x * 7 + y * 13) % 256 for x in range(width * 3)) for y in range(height)
    )

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def pillow_bytes(fmt: str, frames: int = 1) -> bytes:
    images = [
        Image.effect_noise((64, 64), 40 + 20 * i).convert("RGB" if fmt == "JPEG" else "P")
        for i in range(frames)
    ]
    buf = io.BytesIO()
    if frames > 1:
        images[0].save(buf, fmt, save_all=True, append_images=images[1:])
    else:
        images[0].save(buf, fmt)
    return buf.getvalue()


def load(qtbot, path: Path) -> ImagePreviewer:
    view = ImagePreviewer()
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.finished, timeout=20_000):
        view.load(PreviewSource(path))
    return view


def test_png_cut_in_its_image_data_says_how_many_rows_decode(tmp_path):
    data = striped_png()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) * 6 // 10])
    cut = png_truncation(path)
    assert cut is not None
    assert "of 100 rows decode" in cut.banner and "missing" in cut.banner


def test_whole_or_damaged_pngs_are_not_truncated(tmp_path):
    whole = tmp_path / "whole.png"
    whole.write_bytes(striped_png())
    assert png_truncation(whole) is None
    bad = bytearray(striped_png())
    bad[14] ^= 0xFF  # inside the header: its checksum no longer matches
    cut_and_bad = tmp_path / "bad.png"
    cut_and_bad.write_bytes(bytes(bad[: len(bad) - 30]))
    assert png_truncation(cut_and_bad) is None
    not_a_chunk = bytearray(striped_png())
    not_a_chunk[38:41] = b"\x00\x01\x02"  # the image data chunk's name
    garbled = tmp_path / "garbled.png"
    garbled.write_bytes(bytes(not_a_chunk[: len(not_a_chunk) - 30]))
    assert png_truncation(garbled) is None


def test_truncated_png_is_shown_with_a_banner(qtbot, tmp_path):
    data = striped_png()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) * 6 // 10])
    view = load(qtbot, path)
    info = view.image_info()
    assert info is not None and (info.width, info.height) == (40, 100)
    assert view.banner.isVisibleTo(view)
    assert view.banner.text().startswith("Truncated file: ")
    assert "rows decode" in view.problem()


@pytest.mark.parametrize("fmt", ["JPEG", "GIF"])
def test_truncated_jpeg_and_gif_show_what_decodes(qtbot, tmp_path, fmt):
    data = pillow_bytes(fmt, frames=3 if fmt == "GIF" else 1)
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) * 7 // 10])
    assert truncation(path, fmt) is not None
    view = load(qtbot, path)
    assert view.image_info() is not None
    assert view.banner.text().startswith("Truncated file: ")


def test_small_truncated_sample_png_still_ends_shown_or_refused(qtbot, tmp_path):
    path = samples.write_truncated_png(tmp_path / "half.png")
    view = ImagePreviewer()
    qtbot.addWidget(view)
    outcomes: list[str] = []
    view.finished.connect(lambda: outcomes.append("shown"))
    view.failed.connect(lambda message: outcomes.append(message))
    view.load(PreviewSource(path))
    qtbot.waitUntil(lambda: bool(outcomes), timeout=20_000)
    assert outcomes[0] == "shown" or outcomes[0].startswith("Damaged image: ")
