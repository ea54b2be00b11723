"""Multi-page tax-form PDFs (941 / W-2 style) with real, searchable text, drawn by reportlab."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from artifact_viewer.demo.content import person_name

if TYPE_CHECKING:  # reportlab is imported when a PDF is drawn, not when the server starts
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

LETTER = (612.0, 792.0)  # US Letter in points (reportlab's ``letter``)

_FORM_TITLES = {
    "941": "Form 941 - Employer's QUARTERLY Federal Tax Return",
    "W-2": "Form W-2 - Wage and Tax Statement 2026",
}


def _page(canvas: Canvas, rng: random.Random, form: str, page: int, pages: int) -> None:
    width, height = LETTER
    canvas.setFont("Helvetica-Bold", 15)
    canvas.drawString(48, height - 60, _FORM_TITLES.get(form, form))
    canvas.setFont("Helvetica", 9)
    canvas.drawString(48, height - 78, "Department of the Treasury - Internal Revenue Service")
    canvas.drawRightString(width - 48, height - 60, f"Page {page} of {pages}")
    canvas.drawString(48, height - 100, "Employer identification number (EIN): 12-3456789")
    canvas.drawString(
        48, height - 114, "Name: Acme Robotics, Inc.  Address: 500 Market St, San Francisco, CA"
    )
    y = height - 150
    if form == "941":
        lines = (
            ("1", "Number of employees who received wages", f"{rng.randint(20, 400)}"),
            ("2", "Wages, tips, and other compensation", f"{rng.uniform(1e5, 9e6):,.2f}"),
            ("3", "Federal income tax withheld", f"{rng.uniform(1e4, 9e5):,.2f}"),
            ("5a", "Taxable social security wages", f"{rng.uniform(1e5, 8e6):,.2f}"),
            ("5c", "Taxable Medicare wages & tips", f"{rng.uniform(1e5, 8e6):,.2f}"),
            ("10", "Total taxes after adjustments", f"{rng.uniform(1e4, 2e6):,.2f}"),
        )
        for box, label, value in lines:
            canvas.rect(44, y - 6, width - 88, 22)
            canvas.drawString(50, y, f"{box:>3}  {label}")
            canvas.drawRightString(width - 52, y, value)
            y -= 28
    for _ in range(12 if form == "W-2" else 6):
        name = person_name(rng)
        canvas.drawString(50, y, f"Employee: {name}   SSN: XXX-XX-{rng.randint(1000, 9999)}")
        canvas.drawRightString(width - 52, y, f"Box 1 wages: {rng.uniform(3e4, 3e5):,.2f}")
        y -= 18
    canvas.setFont("Helvetica-Oblique", 8)
    canvas.drawString(
        48, 40, "For Privacy Act and Paperwork Reduction Act Notice, see separate instructions."
    )
    canvas.showPage()


def write_tax_pdf(target: BinaryIO | Path, seed: int, form: str = "941", pages: int = 3) -> None:
    """Write a ``pages``-page form to a file object or path."""
    from reportlab.pdfgen.canvas import Canvas

    rng = random.Random(seed)
    # invariant=1 fixes the creation date and document id: same seed, same bytes, same hash.
    canvas = Canvas(
        str(target) if isinstance(target, Path) else target, pagesize=LETTER, invariant=1
    )
    canvas.setTitle(_FORM_TITLES.get(form, form))
    canvas.setAuthor("Acme Robotics, Inc.")
    for page in range(1, pages + 1):
        _page(canvas, rng, form, page, pages)
    canvas.save()


def tax_pdf(seed: int, form: str = "941", pages: int = 3) -> bytes:
    out = io.BytesIO()
    write_tax_pdf(out, seed, form, pages)
    return out.getvalue()
