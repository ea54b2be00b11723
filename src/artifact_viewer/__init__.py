"""artifact-viewer: a local-first desktop viewer for Anon V2 workflow-run artifacts."""

__version__ = "0.1.0"
APP_NAME = "artifact-viewer"


def _pin_singletons() -> None:
    """Give ``None``, ``True`` and ``False`` huge reference counts on CPython < 3.12.

    PySide6 6.12.0 drops one reference to ``None`` on every wrapped call that returns
    nothing (``label.setText(...)``, ``QSyntaxHighlighter.setFormat(...)``) and one to
    ``True`` on every ``signal.emit()``. From 3.12 on these objects are immortal and this is
    harmless; before, a count reaches zero after a few thousand such calls and the
    interpreter aborts ("deallocating None"). Pinning them, as 3.12 does, keeps every entry
    point (window, CLI, tests) safe without importing Qt. 6.11.3 does not have the bug.
    """
    import sys

    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    import ctypes

    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        refcnt = ctypes.c_ssize_t.from_address(id(singleton))
        if refcnt.value < 1 << 40:
            refcnt.value += 1 << 48


def _skip_httpx_command_line() -> None:
    """Keep ``import httpx`` from importing httpx's own command-line client.

    httpx imports it whenever click, rich and pygments are installed (they are, for our
    CLI), which costs ~40 ms of every start; we never call it. A ``None`` entry in
    ``sys.modules`` makes that import fail at once, and httpx guards it with ``except
    ImportError`` (a stub ``httpx.main`` remains).
    """
    import sys

    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


_pin_singletons()
_skip_httpx_command_line()
