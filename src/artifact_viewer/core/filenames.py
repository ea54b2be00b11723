"""Turn an artifact's display name into a file name that is safe on every desktop OS."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from artifact_viewer.core.models import Artifact

_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*]+')
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
    *(f"COM{i}" for i in (*range(1, 10), "¹", "²", "³")),
    *(f"LPT{i}" for i in (*range(1, 10), "¹", "²", "³")),
}  # fmt: skip
MAX_NAME_BYTES = 255  # ext4, APFS, NTFS (in UTF-16 units, which never exceed UTF-8 bytes here)
MAX_EXT_CHARS = 16


def _without_format_chars(text: str) -> str:
    """Drop bidi controls and other invisible format characters (Unicode category Cf):
    ``invoice\\u202efdp.exe`` would otherwise show as "invoiceexe.pdf"."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cs"))


def _truncate_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits ``limit`` bytes (whole characters)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def safe_file_name(
    name: str | None, artifact: Artifact | None = None, *, max_bytes: int = MAX_NAME_BYTES
) -> str:
    """A file name from ``name``: no folders, control, format or reserved characters, at most
    ``max_bytes`` bytes in UTF-8, never a Windows device name (``CON.tar.gz`` included).

    Falls back to the artifact id; adds an extension guessed from the MIME type when the
    name has none.
    """
    text = _without_format_chars(unicodedata.normalize("NFC", name or ""))
    text = text.replace("/", "_").replace("\\", "_")
    text = _UNSAFE_RE.sub("_", text).strip().strip(".").strip()
    if not text and artifact is not None:
        text = _UNSAFE_RE.sub("_", _without_format_chars(artifact.id)).strip().strip(".")
    if not text:
        text = "artifact"
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if not ext and artifact is not None and artifact.mime_type:
        guessed = mimetypes.guess_extension(artifact.mime_type.split(";")[0].strip())
        ext = guessed.lstrip(".") if guessed else ""
    ext = _truncate_bytes(ext[:MAX_EXT_CHARS], MAX_EXT_CHARS)
    room = max_bytes - (len(ext.encode("utf-8")) + 1 if ext else 0)
    stem = _truncate_bytes(stem, room).rstrip(" .") or "_"
    # Windows reserves device names whatever follows the first dot: CON, CON.txt, CON.tar.gz.
    if stem.split(".")[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        stem = _truncate_bytes(f"_{stem}", room)
    return f"{stem}.{ext}" if ext else stem
