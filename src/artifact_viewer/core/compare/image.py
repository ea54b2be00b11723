"""Image diff: changed pixels, their fraction, sizes, and boxes around changed regions.

Both images are compared as RGBA on a canvas the size of the larger one, aligned at the
top-left: pixels only one image covers count as changed. Regions are the connected groups
of changed cells of a mask downsampled to at most ``GRID`` cells a side, each box then
tightened to the changed pixels inside it.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from artifact_viewer.core.compare.limits import MAX_IMAGE_PIXELS
from artifact_viewer.core.compare.model import (
    IMAGE,
    CompareError,
    CompareOptions,
    Diff,
    JsonObj,
    Steps,
    TooBigToCompare,
)

GRID = 256
MAX_BOXES = 200

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(slots=True)
class ImageDiff(Diff):
    size_a: tuple[int, int] = (0, 0)
    size_b: tuple[int, int] = (0, 0)
    pixels_changed: int = 0
    fraction: float = 0.0
    boxes: list[Box] = field(default_factory=list)
    #: True where a pixel differs (canvas height x width); for heatmaps, not for JSON
    mask: np.ndarray[Any, Any] | None = field(default=None, repr=False)

    def summary(self) -> JsonObj:
        return {
            "pixelsChanged": self.pixels_changed,
            "fraction": self.fraction,
            "sizeA": list(self.size_a),
            "sizeB": list(self.size_b),
            "boxes": [list(b) for b in self.boxes],
        }

    def changes(self) -> list[JsonObj]:
        return [{"box": list(b)} for b in self.boxes]

    def one_line(self) -> str:
        if self.identical:
            return "identical"
        size = ""
        if self.size_a != self.size_b:
            size = f"size {self.size_a[0]}x{self.size_a[1]} -> {self.size_b[0]}x{self.size_b[1]}, "
        regions = len(self.boxes)
        return (
            f"{size}{self.fraction:.2%} of pixels changed in {regions}"
            f" region{'s' if regions != 1 else ''}"
        )


def _load(path: Path) -> np.ndarray[Any, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise TooBigToCompare(
                    f"{path.name} is too big to compare ({width}x{height} pixels; at most"
                    f" {MAX_IMAGE_PIXELS:,})."
                )
            return np.asarray(img.convert("RGBA"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CompareError(f"{path.name} cannot be read as an image ({exc}).") from None


def diff_pixels(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> ImageDiff:
    """Compare two RGBA arrays (height x width x 4)."""
    ha, wa = a.shape[:2]
    hb, wb = b.shape[:2]
    height, width = max(ha, hb), max(wa, wb)
    mask = np.ones((height, width), dtype=bool)
    h, w = min(ha, hb), min(wa, wb)
    mask[:h, :w] = np.any(a[:h, :w] != b[:h, :w], axis=2)
    # Transparent pixels equal whatever their colour channels hold.
    mask[:h, :w] &= ~((a[:h, :w, 3] == 0) & (b[:h, :w, 3] == 0))
    if ha < height or wa < width or hb < height or wb < width:
        covered_both = np.zeros((height, width), dtype=bool)
        covered_both[:h, :w] = True
        mask |= ~covered_both
    changed = int(mask.sum())
    total = height * width
    boxes = regions(mask) if changed else []
    return ImageDiff(
        IMAGE,
        changed == 0 and (wa, ha) == (wb, hb),
        [],
        size_a=(wa, ha),
        size_b=(wb, hb),
        pixels_changed=changed,
        fraction=round(changed / total, 6) if total else 0.0,
        boxes=boxes,
        mask=mask,
    )


def regions(mask: np.ndarray[Any, Any]) -> list[Box]:
    """Boxes around the connected changed regions of ``mask``, largest first."""
    height, width = mask.shape
    cell = max(1, -(-max(height, width) // GRID))
    gh, gw = -(-height // cell), -(-width // cell)
    padded = np.zeros((gh * cell, gw * cell), dtype=bool)
    padded[:height, :width] = mask
    grid: np.ndarray[Any, Any] = np.asarray(padded.reshape(gh, cell, gw, cell).any(axis=(1, 3)))
    seen = np.zeros_like(grid)
    boxes: list[Box] = []
    for y0, x0 in zip(*np.nonzero(grid), strict=True):
        if seen[y0, x0]:
            continue
        seen[y0, x0] = True
        queue = deque([(int(y0), int(x0))])
        top, left, bottom, right = int(y0), int(x0), int(y0), int(x0)
        while queue:
            y, x = queue.popleft()
            top, bottom, left, right = min(top, y), max(bottom, y), min(left, x), max(right, x)
            for ny in (y - 1, y, y + 1):
                for nx in (x - 1, x, x + 1):
                    if 0 <= ny < gh and 0 <= nx < gw and grid[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        queue.append((ny, nx))
        y1, y2 = top * cell, min(height, (bottom + 1) * cell)
        x1, x2 = left * cell, min(width, (right + 1) * cell)
        part = mask[y1:y2, x1:x2]
        rows = np.flatnonzero(part.any(axis=1))
        cols = np.flatnonzero(part.any(axis=0))
        boxes.append(
            (
                x1 + int(cols[0]),
                y1 + int(rows[0]),
                int(cols[-1] - cols[0]) + 1,
                int(rows[-1] - rows[0]) + 1,
            )
        )
    boxes.sort(key=lambda b: (-(b[2] * b[3]), b[1], b[0]))
    return boxes[:MAX_BOXES]


def compare_images(path_a: Path, path_b: Path, options: CompareOptions, steps: Steps) -> ImageDiff:
    a = _load(path_a)
    steps.advance(30)
    b = _load(path_b)
    steps.advance(60)
    result = diff_pixels(a, b)
    steps.advance(100)
    return result
