"""One lock for every in-process use of ``pypdfium2``: PDFium is not thread-safe, so two
threads must never be inside it at once (compare reads page texts, the redacted view
reads character boxes; the content index reads in a child process of its own)."""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.Lock()
