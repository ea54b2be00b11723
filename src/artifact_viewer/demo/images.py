"""PNG screenshots that look like an HR/payroll web app page: header, sidebar, table, text."""

from __future__ import annotations

import io
import random
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from artifact_viewer.demo.content import DEPARTMENTS, person_name

if TYPE_CHECKING:  # Pillow is imported when a picture is drawn, not when the server starts
    from PIL import ImageDraw, ImageFont

BRAND = {
    "gusto": (244, 93, 72),
    "rippling": (80, 36, 96),
    "quickbooks": (44, 160, 28),
    "adp": (208, 39, 29),
    "toast": (255, 102, 0),
    "benchmark": (60, 90, 140),
}
MENU = ("Home", "People", "Payroll", "Benefits", "Taxes & compliance", "Reports", "Settings")


def _ascii(text: str) -> str:
    """The built-in font has Latin glyphs only; fold accents, drop other scripts' names."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip()
    return folded if len(folded) > 3 else "Li Lei"


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    from PIL import ImageFont

    # The embedded default font (not a system one) keeps bytes identical across machines.
    return ImageFont.load_default(size=size)


def draw_page(
    draw: ImageDraw.ImageDraw, width: int, height: int, provider: str, title: str, seed: int
) -> None:
    """Paint one app page onto ``draw`` (used for screenshots and the 8k benchmark image)."""
    rng = random.Random(seed)
    scale = max(1, width // 1280)
    brand = BRAND.get(provider, (90, 90, 90))
    header, sidebar = 56 * scale, 220 * scale
    big, small = _font(22 * scale), _font(14 * scale)
    draw.rectangle((0, 0, width, header), fill=brand)
    draw.text((20 * scale, 14 * scale), provider.capitalize(), fill="white", font=big)
    draw.text((width - 260 * scale, 18 * scale), "Acme Robotics, Inc.", fill="white", font=small)
    draw.rectangle((0, header, sidebar, height), fill=(245, 246, 248))
    for i, item in enumerate(MENU):
        y = header + (24 + i * 40) * scale
        if item in title or (i == 1 and "employee" in title.lower()):
            draw.rectangle((0, y - 8 * scale, sidebar, y + 28 * scale), fill=(226, 232, 240))
        draw.text((24 * scale, y), item, fill=(40, 40, 40), font=small)
    x0 = sidebar + 32 * scale
    draw.text((x0, header + 24 * scale), title, fill=(20, 20, 20), font=big)
    top = header + 80 * scale
    cols = ("Name", "Department", "Pay date", "Gross pay", "Status")
    col_w = (width - x0 - 32 * scale) // len(cols)
    draw.rectangle((x0, top, width - 32 * scale, top + 36 * scale), fill=(236, 239, 243))
    for c, name in enumerate(cols):
        draw.text(
            (x0 + c * col_w + 10 * scale, top + 10 * scale), name, fill=(60, 60, 60), font=small
        )
    row_h = 34 * scale
    y = top + 36 * scale
    while y + row_h < height - 20 * scale:
        values = (
            _ascii(person_name(rng)),
            rng.choice(DEPARTMENTS),
            f"2026-{rng.randint(1, 11):02d}-15",
            f"${rng.randint(1_200, 14_000):,}.{rng.randint(0, 99):02d}",
            rng.choice(("Paid", "Paid", "Pending", "Needs review")),
        )
        for c, value in enumerate(values):
            draw.text(
                (x0 + c * col_w + 10 * scale, y + 9 * scale), value, fill=(30, 30, 30), font=small
            )
        draw.line((x0, y + row_h, width - 32 * scale, y + row_h), fill=(225, 225, 225), width=scale)
        y += row_h


def screenshot_png(
    seed: int, provider: str, title: str, size: tuple[int, int] = (1280, 800)
) -> bytes:
    """A full screenshot as PNG bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "white")
    draw_page(ImageDraw.Draw(image), size[0], size[1], provider, title, seed)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
