"""The About text: versions of the app and of what it runs on, and where its files are."""

from __future__ import annotations

import html
import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion

from artifact_viewer import __version__


def versions() -> dict[str, str]:
    return {
        "Artifact Viewer": __version__,
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
        "System": f"{platform.system()} {platform.release()}",
    }


def about_text(log_dir: Path | None) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>&nbsp;{html.escape(v)}</td></tr>"
        for k, v in versions().items()
    )
    logs = (
        f"<p>Logs (secrets redacted): <code>{html.escape(str(log_dir))}</code></p>"
        if log_dir
        else ""
    )
    return (
        "<h3>Artifact Viewer</h3>"
        "<p>A local-first viewer for the artifacts of Anon workflow runs.</p>"
        f"<table>{rows}</table>{logs}"
        f"<p><small>{html.escape(sys.executable)}</small></p>"
    )
