"""core/ and demo/ must never import Qt: import every module with PySide6 made unimportable."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_core_and_demo_import_without_qt() -> None:
    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys

        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"}:
                    raise ImportError("Qt is forbidden in core/ and demo/: " + name)
                return None

        sys.meta_path.insert(0, BlockQt())
        import artifact_viewer.core as core
        import artifact_viewer.demo as demo
        count = 0
        for pkg in (core, demo):
            for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
                importlib.import_module(info.name)
                count += 1
        assert not any(m.split(".")[0] == "PySide6" for m in sys.modules)
        print(count)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 3


def test_qt_blocker_would_catch_an_import() -> None:
    """The check itself can fail: importing PySide6 under the blocker raises."""
    script = (
        "import sys\n"
        "class B:\n"
        "    def find_spec(self, n, p=None, t=None):\n"
        "        if n.split('.')[0]=='PySide6': raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, B())\n"
        "import PySide6.QtCore\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0
    assert "blocked" in result.stderr
