"""P5: first page of a 500-page PDF in our previewer vs QtPdf rendering that page itself.

Ours: the file opened as the window opens it (``bench.previewload``), first open and
repeat open, until page 1 is painted: the view's ``painted`` signal, sent after a paint
that drew page content (as P6's canvas does, so no polling grab adds to the time); the
view must then show ink (printed text). ``full_load``: until the view has the whole
document and has drawn page 1 itself. Floor: ``QPdfDocument.load`` plus
``render`` of page 1 at 1200 px wide, on the GUI thread, nothing else.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench import previewload
from bench.qtrun import qt_app
from bench.spec import Benchmark, Metrics, Row, ratio_at_most

# Width the first page is drawn at by the floor: about what a 1280 px wide preview shows.
PAGE_WIDTH_PX = 1200


def ours(ctx: dict[str, Any]) -> Metrics:
    return previewload.load(
        Path(ctx["data"]["pdf_500p"]),
        "application/pdf",
        "pdf",
        # Page 1 shows (``painted``) before the view has the document; the stall probe
        # runs on until the view has it and has drawn the page itself (``finished``), so
        # P10 sees the hand-over too.
        want_finished=True,
        painted_in=lambda widget: widget.view.viewport(),
        painted_signal=lambda widget: widget.painted,
    )


def floor(ctx: dict[str, Any]) -> Metrics:
    from PySide6.QtCore import QSize
    from PySide6.QtPdf import QPdfDocument

    qt_app()
    t0 = time.perf_counter()
    doc = QPdfDocument()
    error = doc.load(ctx["data"]["pdf_500p"])
    if error != QPdfDocument.Error.None_:
        raise RuntimeError(f"QPdfDocument.load failed: {error}")
    points = doc.pagePointSize(0)
    height = round(PAGE_WIDTH_PX * points.height() / max(points.width(), 1.0))
    image = doc.render(0, QSize(PAGE_WIDTH_PX, height))
    elapsed = time.perf_counter() - t0
    if image.isNull():
        raise RuntimeError("QtPdf rendered a null image")
    return {"first_page": elapsed, "pages": float(doc.pageCount())}


BENCH = Benchmark(
    id="P5",
    title="500-page PDF: first page",
    roles={"ours": "bench.p5_pdf:ours", "floor": "bench.p5_pdf:floor"},
    floor_roles=frozenset({"floor"}),
    data=("pdf_500p",),
    check=previewload.checker("pdf"),
    rows=[
        Row(
            f"500-page PDF: first page painted, {which} open",
            ("ours", f"{prefix}painted"),
            ("floor", "first_page"),
            ratio_at_most(2.0),
            floor_name="QPdfDocument load + render page 1",
        )
        for which, prefix in (("first", ""), ("repeat", "repeat_"))
    ],
)
