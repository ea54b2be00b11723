"""Generators of sample files for previewer tests: good, malformed, empty, huge, mislabelled."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

LEVELS = ("INFO", "DEBUG", "WARNING", "ERROR", "INFO", "INFO", "CRITICAL", "INFO")


def log_lines(count: int, start: int = 0) -> list[str]:
    """Realistic log lines; every 8th block has each level once (ERROR at i % 8 == 3)."""
    out = []
    for i in range(start, start + count):
        level = LEVELS[i % len(LEVELS)]
        out.append(
            f"2026-11-28T12:{(i // 60) % 60:02d}:{i % 60:02d}Z {level:<8} "
            f"workflow.step extracting_employee_records row={i}"
        )
    return out


def write_log(path: Path, count: int = 200, *, line_end: str = "\n") -> Path:
    path.write_bytes(line_end.join(log_lines(count)).encode() + line_end.encode())
    return path


def write_big_log(path: Path, megabytes: int) -> Path:
    """A log of about ``megabytes`` MB, written in big blocks so it takes well under a second."""
    block = ("\n".join(log_lines(1000)) + "\n").encode()
    with path.open("wb") as fh:
        for _ in range(max(1, megabytes * 1024 * 1024 // len(block))):
            fh.write(block)
    return path


def write_text(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[
            encoding
        ] + data
    path.write_bytes(data)
    return path


def png_bytes(
    width: int = 4, height: int = 3, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A valid RGB PNG built by hand (no Qt, no Pillow needed)."""
    row = b"\x00" + bytes(color) * width
    raw = row * height

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def write_png(path: Path, width: int = 64, height: int = 48) -> Path:
    path.write_bytes(png_bytes(width, height))
    return path


def write_bomb_png(path: Path, width: int = 100_000, height: int = 100_000) -> Path:
    """A tiny PNG whose header claims an enormous canvas (a decompression bomb)."""
    head = png_bytes(1, 1)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    path.write_bytes(head[:16] + ihdr + crc + head[33:])
    return path


def write_truncated_png(path: Path, width: int = 64, height: int = 48) -> Path:
    data = png_bytes(width, height)
    path.write_bytes(data[: len(data) // 2])
    return path


def write_corrupt_png(path: Path) -> Path:
    """Valid signature and header, garbage after: the decoder must fail cleanly."""
    data = bytearray(png_bytes(32, 32))
    for i in range(40, len(data) - 12):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def write_jpeg_with_exif(path: Path, width: int = 40, height: int = 30) -> Path:
    from PIL import Image

    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "AnonCam"  # Make
    exif[0x0110] = "Screenshot 3000"  # Model
    image.save(path, "JPEG", exif=exif)
    return path


def write_animated_gif(path: Path, frames: int = 3) -> Path:
    from PIL import Image

    palette = [(220, 40, 40), (40, 200, 40), (40, 40, 220), (220, 220, 40)]
    images = [Image.new("RGB", (16, 16), palette[i % len(palette)]) for i in range(frames)]
    images[0].save(path, "GIF", save_all=True, append_images=images[1:], duration=40, loop=0)
    return path


def write_xml(path: Path, records: int = 3) -> Path:
    rows = "".join(
        f'<employee id="{i}"><name>Person {i}</name><salary currency="USD">{1000 + i}</salary></employee>'
        for i in range(records)
    )
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><payroll run="r1">{rows}</payroll>')
    return path


def write_malformed_xml(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0"?>\n<payroll>\n  <employee id="1">\n    <name>A</nam>\n</payroll>\n'
    )
    return path


def write_entity_bomb_xml(path: Path, levels: int = 9) -> Path:
    """The "billion laughs" shape: nested entities that expand exponentially."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, levels + 1)
    ]
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n'
        + "\n".join(entities)
        + f"\n]>\n<lolz>&lol{levels};</lolz>\n"
    )
    return path


def write_binary(path: Path, size: int = 4096) -> Path:
    path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(size)))
    return path


def pdf_bytes(pages: int = 2, text: str = "Form W-2 Wage and Tax Statement") -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for page in range(pages):
        pdf.drawString(72, 720, f"{text} page {page + 1}")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def write_pdf(path: Path, pages: int = 2) -> Path:
    path.write_bytes(pdf_bytes(pages))
    return path


def employees(count: int) -> list[dict[str, object]]:
    """Payroll-like records with strings, numbers, booleans, nulls and a nested object."""
    return [
        {
            "id": i,
            "name": f"Person {i}",
            "email": f"person{i}@example.com",
            "salary": 50_000 + (i * 137) % 40_000 + 0.5,
            "active": i % 3 != 0,
            "manager": None if i % 5 == 0 else i // 5,
            "address": {"city": ("Austin", "Boston", "Chicago")[i % 3], "zip": f"{10000 + i}"},
        }
        for i in range(count)
    ]


def write_json(path: Path, records: int = 5) -> Path:
    import json

    doc = {"employees": employees(records), "meta": {"source": "gusto", "count": records}}
    path.write_text(json.dumps(doc, indent=2))
    return path


def write_jsonl(path: Path, records: int = 5) -> Path:
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in employees(records)))
    return path


def write_big_json(path: Path, megabytes: int) -> Path:
    """A JSON array of records of about ``megabytes`` MB, written in blocks (fast)."""
    import json

    block = ",".join(json.dumps(r) for r in employees(1000)).encode()
    count = max(1, megabytes * 1024 * 1024 // len(block))
    with path.open("wb") as fh:
        fh.write(b"[")
        for n in range(count):
            fh.write(block if n == 0 else b"," + block)
        fh.write(b"]")
    return path


def csv_text(rows: int = 5, delimiter: str = ",", line_end: str = "\n") -> str:
    """A CSV with a header, a quoted field holding the delimiter and numeric columns."""
    lines = [delimiter.join(["id", "name", "salary", "city"])]
    for i in range(rows):
        name = f'"Doe{delimiter} Jane {i}"' if i % 4 == 1 else f"Person {i}"
        lines.append(delimiter.join([str(i), name, f"{50_000 + i * 10.5:.1f}", "Austin"]))
    return line_end.join(lines) + line_end


def write_csv(
    path: Path,
    rows: int = 5,
    delimiter: str = ",",
    line_end: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    return write_text(path, csv_text(rows, delimiter, line_end), encoding, bom)


def write_big_csv(path: Path, megabytes: int) -> Path:
    """A CSV of about ``megabytes`` MB (header + repeated blocks), written quickly."""
    header, *rows = csv_text(2000).splitlines(keepends=True)
    block = "".join(rows).encode()
    with path.open("wb") as fh:
        fh.write(header.encode())
        for _ in range(max(1, megabytes * 1024 * 1024 // len(block))):
            fh.write(block)
    return path


def write_encrypted_pdf(path: Path, password: str = "s3cret") -> Path:
    """A one-page PDF that needs a password to open."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=password)
    pdf.drawString(72, 720, "Confidential payroll summary")
    pdf.showPage()
    pdf.save()
    path.write_bytes(buf.getvalue())
    return path


def write_big_xml(path: Path, megabytes: int) -> Path:
    """A well-formed XML document of about ``megabytes`` MB, written in blocks."""
    block = "".join(
        f'<employee id="{i}"><name>Person {i}</name><salary>{1000 + i}</salary></employee>\n'
        for i in range(1000)
    ).encode()
    with path.open("wb") as fh:
        fh.write(b'<?xml version="1.0"?>\n<payroll>\n')
        for _ in range(max(1, megabytes * 1024 * 1024 // len(block))):
            fh.write(block)
        fh.write(b"</payroll>\n")
    return path
