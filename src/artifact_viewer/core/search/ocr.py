"""Screenshots read by OCR with the ``tesseract`` command, one index row per text line.

A row's location keeps the box of each word (``x,y,w,h`` in image pixels), so a hit can
outline the words it matched.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.core.search.rows import DocInfo, Row

#: larger images are not read (tesseract's time and memory grow with the pixels)
MAX_PIXELS = 40_000_000
TIMEOUT_SECONDS = 120.0


def tesseract_path() -> str | None:
    """The ``tesseract`` program on PATH, or None (then images are indexed by name only)."""
    return shutil.which("tesseract")


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


def ocr_rows(path: Path, info: DocInfo, cancel: CancelToken | None = None) -> Iterator[Row]:
    program = tesseract_path()
    if program is None:
        info.skip("no text read from the image: tesseract is not installed")
        return
    from PIL import Image  # only when there are images to read: keeps the CLI quick to start

    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        info.skip(f"not a readable image ({str(exc)[:120]})")
        return
    if width * height > MAX_PIXELS:
        info.skip(f"image too large to read its text ({width}x{height} pixels)")
        return
    child = subprocess.Popen(
        [program, str(path), "stdout", "tsv"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        preexec_fn=_lower_priority if os.name == "posix" else None,  # noqa: PLW1509
    )
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        while True:
            try:
                out, err = child.communicate(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.cancelled:
                    raise Cancelled("Cancelled.") from None
                if time.monotonic() > deadline:
                    info.skip(
                        f"reading the image's text took over {TIMEOUT_SECONDS:.0f} s: stopped"
                    )
                    return
    finally:
        if child.returncode is None:
            child.kill()
            child.communicate()
    done = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        info.skip(f"tesseract failed ({message[-1][:120] if message else done.returncode})")
        return
    yield from parse_tsv(done.stdout.decode("utf-8", "replace"))


def parse_tsv(tsv: str) -> Iterator[Row]:
    """Tesseract's TSV (one word per record) grouped into lines of words with their boxes."""
    line_key: tuple[str, ...] | None = None
    words: list[str] = []
    boxes: list[list[int]] = []

    def flush() -> Iterator[Row]:
        if words:
            yield " ".join(words), json.dumps(boxes, separators=(",", ":"))

    for record in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (record.get("text") or "").strip()
        if record.get("level") != "5" or not text:
            continue
        key = (record["page_num"], record["block_num"], record["par_num"], record["line_num"])
        if key != line_key:
            yield from flush()
            line_key, words, boxes = key, [], []
        words.append(text)
        boxes.append([int(record[k]) for k in ("left", "top", "width", "height")])
    yield from flush()
