"""Turn an artifact's display name into a file name that is safe on every desktop OS."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from artifact_viewer.core.models import Artifact

_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip
MAX_NAME = 180


def safe_file_name(name: str | None, artifact: Artifact | None = None) -> str:
    """A file name from ``name``: no folders, control or reserved characters, bounded length.

    Falls back to the artifact id; adds an extension guessed from the MIME type when the
    name has none.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("/", "_").replace("\\", "_")
    text = _UNSAFE_RE.sub("_", text).strip().strip(".").strip()
    if not text and artifact is not None:
        text = artifact.id
    if not text:
        text = "artifact"
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    if not ext and artifact is not None and artifact.mime_type:
        guessed = mimetypes.guess_extension(artifact.mime_type.split(";")[0].strip())
        ext = guessed.lstrip(".") if guessed else ""
    ext = ext[:16]
    stem = stem[: MAX_NAME - len(ext) - 1] if ext else stem[:MAX_NAME]
    return f"{stem}.{ext}" if ext else stem
