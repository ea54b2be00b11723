"""Server-supplied text made safe to show: control and bidi characters become visible escapes."""

from __future__ import annotations

import unicodedata

# Bidirectional overrides, embeddings and isolates: they reorder what follows them on screen
# (``invoice\u202efdp.exe`` shows as "invoiceexe.pdf").
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def is_unsafe_char(ch: str) -> bool:
    """C0/C1 controls, DEL, bidi controls and other invisible format (Cf) characters, lone
    surrogates, line and paragraph separators."""
    if ch in BIDI_CONTROLS:
        return True
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def terminal_safe(text: str | None, *, placeholder: str = "-") -> str:
    """``text`` with every control, bidi and format character written as an escape
    (``\\x1b``, ``\\u202e``): nothing a terminal would act on, nothing that reorders the line.

    A backslash stays as it is; the escapes are for the eye, not to be decoded.
    """
    if text is None:
        return placeholder
    if text.isprintable() and not any(ch in BIDI_CONTROLS for ch in text):
        return text  # the common case, without a per-character walk
    return "".join(escape_char(ch) if is_unsafe_char(ch) else ch for ch in text)


def has_unsafe_chars(text: str | None) -> bool:
    """True if :func:`terminal_safe` would change ``text``."""
    return text is not None and terminal_safe(text) != text


def json_safe(json_text: str) -> str:
    """A JSON document with every control, bidi and format character inside its strings
    written as a ``\\uXXXX`` escape: still the same JSON, but safe to print to a terminal.

    (Encoders escape only U+0000-U+001F; C1 controls and bidi overrides pass through raw.)
    """
    if json_text.isprintable() and not any(ch in BIDI_CONTROLS for ch in json_text):
        return json_text
    out = []
    for ch in json_text:
        if not is_unsafe_char(ch):
            out.append(ch)
            continue
        code = ord(ch)
        if code >= 0x10000:  # a surrogate pair, as JSON spells characters beyond the BMP
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


def visible_text(text: str | None) -> str:
    """Server text for the window: control, bidi and format characters shown as their
    escapes (``\u202e``), so a name cannot hide or reorder what it says."""
    return terminal_safe(text, placeholder="")
