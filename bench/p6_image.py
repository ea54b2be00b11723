"""P6: an 8k x 8k PNG visible in our image previewer vs a plain QImage decode.

Ours: the file opened as the window opens it (``bench.previewload``), first open and
repeat open, until the image canvas has painted it (its ``painted`` signal; ``ready``
alone means decoded and handed over), checked afterwards to show ink. Floor: ``QImageReader.read`` of the file.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import previewload
from bench.qtrun import qt_app
from bench.spec import Benchmark, Metrics, Row, ratio_at_most


def ours(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(
        Path(ctx["data"]["png_8k"]),
        "image/png",
        "image",
        want_finished=False,
        painted_in=lambda widget: widget.canvas,
        # The canvas says when it first drew the image: no polling grab in the time.
        painted_signal=lambda widget: widget.canvas.painted,
    )


def floor(ctx: dict[str, Any]) -> Metrics:
    from PySide6.QtGui import QImageReader

    qt_app()
    t0 = time.perf_counter()
    reader = QImageReader(ctx["data"]["png_8k"])
    # 8k x 8k RGBA is 256 MiB, at Qt's default allocation limit; lift it for the floor.
    QImageReader.setAllocationLimit(0)
    image = reader.read()
    elapsed = time.perf_counter() - t0
    if image.isNull():
        raise RuntimeError(f"QImageReader failed: {reader.errorString()}")
    return {"decode": elapsed, "pixels": float(image.width() * image.height())}


BENCH = Benchmark(
    id="P6",
    title="8k x 8k PNG: visible (painted)",
    roles={"ours": "bench.p6_image:ours", "floor": "bench.p6_image:floor"},
    floor_roles=frozenset({"floor"}),
    data=("png_8k",),
    check=previewload.checker("image"),
    rows=[
        Row(
            f"8k x 8k PNG: visible (painted), {which} open",
            ("ours", f"{prefix}painted"),
            ("floor", "decode"),
            ratio_at_most(1.2),
            floor_name="QImageReader.read",
        )
        for which, prefix in (("first", ""), ("repeat", "repeat_"))
    ],
)
