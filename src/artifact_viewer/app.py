"""Composition root: settings, paths, one httpx.Client, services and the main window."""

from __future__ import annotations


def gui_main(demo: bool = False, verbose: bool = False) -> int:
    """Start the window. Returns the process exit code."""
    raise SystemExit("The window is not built yet.")
