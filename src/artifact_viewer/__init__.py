"""artifact-viewer: a local-first desktop viewer for Anon V2 workflow-run artifacts."""

__version__ = "0.1.0"
APP_NAME = "artifact-viewer"


def _pin_none() -> None:
    """Give ``None`` a huge reference count on CPython < 3.12.

    PySide6 6.12 drops one reference to ``None`` on every wrapped call that returns
    nothing (``label.setText(...)``, ``QSyntaxHighlighter.setFormat(...)``). From 3.12 on
    ``None`` is immortal and this is harmless; before, the count reaches zero after a few
    thousand such calls and the interpreter aborts ("deallocating None"). Pinning it as
    3.12 does keeps every entry point (window, CLI, tests) safe; no Qt import needed.
    """
    import sys

    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    refcnt = ctypes.c_ssize_t.from_address(id(None))
    if refcnt.value < 1 << 40:
        refcnt.value += 1 << 48


_pin_none()
