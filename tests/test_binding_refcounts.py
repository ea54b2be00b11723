"""The Qt binding's lost references to None/True must not abort a long session."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_many_void_qt_calls_and_emits_do_not_abort_the_interpreter() -> None:
    script = textwrap.dedent(
        """
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        import artifact_viewer  # pins the singletons before Qt is used
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel

        class Emitter(QObject):
            changed = Signal(int)

        app = QApplication([])
        label, emitter = QLabel(), Emitter()
        for i in range(20000):
            label.setText(str(i))
            emitter.changed.emit(i)
        print("survived")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
