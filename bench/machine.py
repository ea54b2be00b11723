"""The machine a run happened on: CPU, cores, RAM, load, Python and Qt versions, date."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from datetime import UTC, datetime
from typing import Any


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def total_ram() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except Exception:
        return None


def qt_versions() -> dict[str, str]:
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        return {"pyside6": PySide6.__version__, "qt": qVersion()}
    except Exception as exc:
        return {"pyside6": f"unavailable ({type(exc).__name__})", "qt": "-"}


def tool_version(tool: str) -> str | None:
    """First line of ``tool --version``, or None when it is not installed."""
    if shutil.which(tool) is None:
        return None
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""


def machine_info() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_bytes": total_ram(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **qt_versions(),
        "curl": tool_version("curl"),
        "grep": tool_version("grep"),
        "load_avg_at_start": [round(x, 2) for x in load],
    }
