"""Image diff: changed pixels, fraction, sizes aligned top-left, boxes around changed regions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from artifact_viewer.core.compare import ImageDiff, compare_files
from artifact_viewer.core.compare.image import regions


def png(path: Path, pixels: np.ndarray) -> Path:
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(path)
    return path


def canvas(width: int, height: int) -> np.ndarray:
    return np.full((height, width, 3), 255, dtype=np.uint8)


def test_changed_regions_are_boxed_and_counted(tmp_path) -> None:
    a = canvas(200, 100)
    b = a.copy()
    b[10:20, 30:50] = 0  # 10 x 20 = 200 pixels
    b[70:75, 150:160] = 0  # 5 x 10 = 50 pixels
    result = compare_files(png(tmp_path / "a.png", a), png(tmp_path / "b.png", b))
    assert isinstance(result, ImageDiff)
    assert result.pixels_changed == 250
    assert result.fraction == 250 / 20000
    assert result.boxes == [(30, 10, 20, 10), (150, 70, 10, 5)]
    assert result.summary()["sizeA"] == [200, 100] and result.summary()["boxes"][0] == [
        30,
        10,
        20,
        10,
    ]


def test_same_pixels_in_different_files_are_identical(tmp_path) -> None:
    a = canvas(40, 30)
    a[5, 5] = (1, 2, 3)
    pa = png(tmp_path / "a.png", a)
    pb = tmp_path / "b.bmp"
    Image.open(pa).save(pb)
    result = compare_files(pa, pb)
    assert result.kind == "image" and result.identical and result.boxes == []


def test_different_sizes_align_top_left_and_count_the_uncovered_part(tmp_path) -> None:
    result = compare_files(
        png(tmp_path / "a.png", canvas(100, 50)), png(tmp_path / "b.png", canvas(100, 60))
    )
    assert result.size_a == (100, 50) and result.size_b == (100, 60)
    assert result.pixels_changed == 100 * 10
    assert result.boxes == [(0, 50, 100, 10)]
    assert not result.identical


def test_regions_on_a_big_mask_are_found_on_a_downsampled_grid() -> None:
    mask = np.zeros((3000, 4000), dtype=bool)
    mask[100:110, 100:110] = True
    mask[2900:2950, 3900:3990] = True
    assert regions(mask) == [(3900, 2900, 90, 50), (100, 100, 10, 10)]
