"""PDF text per page through pypdfium2, in a child process a damaged file cannot hang.

``python -m artifact_viewer.core.search.pdftext FILE`` prints one JSON object per page
(``{"page": n, "text": ...}``, or ``{"page": n, "error": ...}``); the indexer reads them as
they come and kills the child when it runs past its time.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.search.rows import DocInfo, Row, clean, pieces

#: seconds for the whole file, plus PER_PAGE_SECONDS for each page read so far
BASE_SECONDS = 30.0
PER_PAGE_SECONDS = 2.0


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


def pdf_rows(path: Path, info: DocInfo, cancel: CancelToken | None = None) -> Iterator[Row]:
    """One row per page (pieces of a very long page share its number), 1-based."""
    # Frozen, the bundle's launcher answers ``-m`` for the app's own modules.
    cmd = [sys.executable, "-m", "artifact_viewer.core.search.pdftext", str(path)]
    child = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=_lower_priority if os.name == "posix" else None,  # noqa: PLW1509
    )
    assert child.stdout is not None
    timed_out = threading.Event()
    pages = 0

    def kill() -> None:
        timed_out.set()
        with contextlib.suppress(OSError):
            child.kill()

    timer = threading.Timer(BASE_SECONDS, kill)
    timer.daemon = True
    timer.start()
    finished = threading.Event()

    def watch() -> None:  # a cancelled indexer must not wait for a long PDF
        while not finished.wait(0.2):
            if cancel is not None and cancel.cancelled:
                with contextlib.suppress(OSError):
                    child.kill()
                return

    threading.Thread(target=watch, name="search-pdf-watch", daemon=True).start()
    try:
        for raw in child.stdout:
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if "error" in record and "page" not in record:
                info.skip(f"not readable as PDF ({record['error']})")
                continue
            if "error" in record:
                info.skip(f"page {record['page']}: {record['error']}")
                continue
            pages += 1
            timer.cancel()
            timer = threading.Timer(BASE_SECONDS + PER_PAGE_SECONDS * pages, kill)
            timer.daemon = True
            timer.start()
            text = clean(record.get("text", ""))
            if text.strip():
                for piece in pieces(text):
                    yield piece, str(record["page"])
    finally:
        finished.set()
        timer.cancel()
        with contextlib.suppress(OSError):
            child.kill()
        child.stdout.close()
        child.wait()
    if cancel is not None:
        cancel.raise_if_cancelled()
    if timed_out.is_set():
        info.skip(f"text extraction stopped after {pages} page(s): it took too long")
    elif child.returncode not in (0, -9) and pages == 0:
        info.skip("the PDF reader failed on this file")


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    """Print each page's text as a JSON line (run in a child process)."""
    import pypdfium2 as pdfium

    args = sys.argv[1:] if argv is None else argv
    out = sys.stdout if out is None else out
    try:
        pdf = pdfium.PdfDocument(args[0])
    except Exception as exc:  # noqa: BLE001 - any failure to open is the file's fault
        out.write(json.dumps({"error": str(exc)[:200] or type(exc).__name__}) + "\n")
        return 1
    for index in range(len(pdf)):
        try:
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded()
            textpage.close()
            page.close()
        except Exception as exc:  # noqa: BLE001
            record = {"page": index + 1, "error": str(exc)[:200] or type(exc).__name__}
        else:
            record = {"page": index + 1, "text": text}
        out.write(json.dumps(record) + "\n")
        out.flush()
    pdf.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
