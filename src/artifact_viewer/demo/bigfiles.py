"""Big benchmark files (1 GB CSV/JSON/log, 500-page PDF, 8k PNG) generated once on disk and reused."""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from artifact_viewer.demo import content

FORMAT_VERSION = 1
MB = 1024 * 1024
GB = 1024 * MB
_MARK = b"@@@@@@@@"  # replaced per block by the block number, so rows differ between blocks
_STAMP = b"@@@@@@@@@@@@@"  # 13 chars: "2026-11-28T12", the hour of a log block


@dataclass(frozen=True, slots=True)
class BigSpec:
    filename: str
    type: str
    mime: str
    target: int  # bytes (or pages / pixels per side for pdf / png), at scale 1.0


SPECS: dict[str, BigSpec] = {
    "csv_1g": BigSpec("payroll_history_1GB.csv", "extracted_data", "text/csv", GB),
    "json_100m": BigSpec("employees_100MB.json", "extracted_data", "application/json", 100 * MB),
    "json_1g": BigSpec("employees_1GB.json", "extracted_data", "application/json", GB),
    "log_1g": BigSpec("worker_1GB.log", "log_file", "text/plain", GB),
    "pdf_500p": BigSpec("w2_forms_500_pages.pdf", "report", "application/pdf", 500),
    "png_8k": BigSpec("dashboard_8k.png", "screenshot", "image/png", 8192),
}


def default_dir() -> Path:
    """Under the app's cache folder, so it survives runs and honours ARTIFACT_VIEWER_HOME."""
    from artifact_viewer.core.paths import app_paths

    return app_paths().cache_dir / "demo-bigfiles"


def ensure_big_files(
    directory: Path | None = None,
    which: Iterable[str] | None = None,
    *,
    scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Make sure each named file exists (generate it if missing or stale) and return their paths.

    ``scale`` multiplies every target (tests use a tiny one, 0.0001); files are reused when their side
    metadata matches size, scale and format version.
    """
    folder = Path(directory) if directory is not None else default_dir()
    folder.mkdir(parents=True, exist_ok=True)
    names = list(which) if which is not None else list(SPECS)
    unknown = [n for n in names if n not in SPECS]
    if unknown:
        raise ValueError(f"unknown big file(s) {unknown}; choose from {sorted(SPECS)}")
    out: dict[str, Path] = {}
    for name in names:
        spec = SPECS[name]
        path = folder / spec.filename
        if not _is_current(path, scale):
            if progress:
                progress(f"generating {spec.filename}")
            _generate(name, spec, path, scale)
        out[name] = path
    return out


def _meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def _read_meta(path: Path) -> dict[str, object] | None:
    try:
        meta = json.loads(_meta_path(path).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _is_current(path: Path, scale: float) -> bool:
    meta = _read_meta(path)
    if meta is None or not path.exists():
        return False
    return (
        meta.get("version") == FORMAT_VERSION
        and meta.get("scale") == scale
        and meta.get("size") == path.stat().st_size
    )


def file_sha256(path: Path) -> str:
    """SHA-256 of a big file: from its side metadata when current, else by reading it."""
    meta = _read_meta(path)
    if meta and meta.get("size") == path.stat().st_size and isinstance(meta.get("sha256"), str):
        return str(meta["sha256"])
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * MB):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingWriter:
    """Writes through to a file while hashing and counting, so nothing is read back."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.fh.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)


def _generate(name: str, spec: BigSpec, path: Path, scale: float) -> None:
    # Temp file in the same folder, then os.replace: a half-written file is never "current".
    fd, tmp = tempfile.mkstemp(prefix=f".{spec.filename}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            writer = _HashingWriter(fh)
            if name == "pdf_500p":
                _write_pdf(writer, max(2, round(spec.target * scale)))
            elif name == "png_8k":
                _write_png(writer, max(1280, round(spec.target * scale)))
            else:
                target = max(64 * 1024, round(spec.target * scale))
                for chunk in _text_chunks(name, target):
                    writer.write(chunk)
        meta = {
            "version": FORMAT_VERSION,
            "scale": scale,
            "size": writer.size,
            "sha256": writer.digest.hexdigest(),
        }
        os.replace(tmp, path)
        _meta_path(path).write_text(json.dumps(meta))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _blocks(
    template: bytes, marker: bytes, target: int, head: bytes, sep: bytes
) -> Iterator[bytes]:
    """Repeat ``template`` with ``marker`` replaced by a block number until ``target`` bytes."""
    parts = template.split(marker)
    written, k = len(head), 0
    yield head
    while written < target:
        block = (b"%08d" % k).join(parts) if k == 0 else sep + (b"%08d" % k).join(parts)
        written += len(block)
        k += 1
        yield block


def _text_chunks(name: str, target: int) -> Iterator[bytes]:
    if name == "csv_1g":
        rows = content.payroll_csv(7, rows=4000).split(b"\r\n", 1)
        header, body = rows[0] + b"\r\n", rows[1]
        body = b"\r\n".join(b"B" + _MARK + b"-" + line for line in body.split(b"\r\n") if line)
        yield from _blocks(body + b"\r\n", _MARK, target, header, b"")
    elif name in ("json_100m", "json_1g"):
        doc = json.loads(content.employees_json(7, "gusto", count=400))
        records = []
        for rec in doc["employees"]:
            rec["employeeId"] = "B" + _MARK.decode() + "-" + rec["employeeId"]
            records.append(json.dumps(rec, ensure_ascii=False).encode())
        body = b",\n".join(records)
        yield from _blocks(body, _MARK, target - 3, b"[\n", b",\n")
        yield b"\n]\n"
    elif name == "log_1g":
        # One hour of runs per block (one run starting each minute); the block number picks
        # the hour, so timestamps rise through the file.
        runs = []
        for minute in range(58):
            start = datetime(2026, 11, 1, 0, minute, tzinfo=UTC)
            states = ["extracting_employee_records", "exporting_csv"]
            runs.append(
                content.run_log(minute, start, states, "FAILED" if minute % 9 == 0 else "COMPLETED")
            )
        text = b"".join(runs)
        parts = text.replace(b"2026-11-01T00", _STAMP).split(_STAMP)
        base, written, k = datetime(2026, 1, 1, tzinfo=UTC).timestamp(), 0, 0
        while written < target:
            hour = datetime.fromtimestamp(base + k * 3600, tz=UTC).strftime("%Y-%m-%dT%H")
            block = hour.encode().join(parts)
            written += len(block)
            k += 1
            yield block
    else:
        raise ValueError(name)


def _write_pdf(writer: _HashingWriter, pages: int) -> None:
    from artifact_viewer.demo.pdfs import write_tax_pdf

    write_tax_pdf(writer, seed=7, form="W-2", pages=pages)  # type: ignore[arg-type]


def _write_png(writer: _HashingWriter, side: int) -> None:
    from PIL import Image, ImageDraw

    from artifact_viewer.demo.images import draw_page

    # Palette mode keeps an 8k x 8k canvas at 64 MB instead of 192 MB.
    image = Image.new("P", (side, side), (255, 255, 255))
    draw_page(ImageDraw.Draw(image), side, side, "benchmark", "Payroll dashboard (8k)", seed=7)
    image.save(writer, format="PNG", compress_level=1)  # type: ignore[arg-type]
    del image


def pages_or_pixels(name: str, scale: float) -> int:
    """The page count (pdf) or side in pixels (png) a scale gives; handy in benchmark labels."""
    spec = SPECS[name]
    return max(2 if name == "pdf_500p" else 1280, math.floor(spec.target * scale + 0.5))
