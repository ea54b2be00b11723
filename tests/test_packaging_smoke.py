"""packaging/smoke.sh judges a bundle: exit codes, error lines on stderr, and what was bundled."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "packaging" / "smoke.sh"

pytestmark = pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")

# A stand-in for the frozen binary: answers the commands smoke.sh runs; FAKE_* steer --smoke.
FAKE_BINARY = """#!/bin/sh
case "$*" in
  --version) echo "artifact-viewer, version 0.1.0" ;;
  "--demo ls artifacts") printf 'ID NAME\\n1 run.log\\n' ;;
  "--demo --smoke")
    echo "smoke: 7 of 7 kinds rendered"
    [ -n "$FAKE_STDERR" ] && echo "$FAKE_STDERR" >&2
    exit "${FAKE_RC:-0}" ;;
  "diff "*.csv" "*.csv" --json")
    echo '{"kind": "table", "changes": [{"op": "change", "cells":{"pay":["20","25"]}}]}'
    exit 1 ;;
  "diff "*.pdf" "*.pdf" --json")
    echo '{"kind": "pdf", "changes": ["+Wages 1200"]}'
    exit 1 ;;
  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A fake one-folder bundle with the files smoke.sh looks for."""
    root = tmp_path / "artifact-viewer"
    icons = root / "_internal" / "artifact_viewer" / "resources" / "icons"
    icons.mkdir(parents=True)
    (icons / "app.svg").write_text("<svg/>")
    (icons / "app-256.png").write_bytes(b"\x89PNG")
    (root / "_internal" / "artifact_viewer" / "py.typed").write_text("")
    qt_lib = root / "_internal" / "PySide6" / "Qt" / "lib"
    qt_lib.mkdir(parents=True)
    (qt_lib / "libQt6Pdf.so.6").write_bytes(b"")
    binary = root / "artifact-viewer"
    binary.write_text(FAKE_BINARY)
    binary.chmod(0o755)
    return root


def _smoke(bundle: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SMOKE), str(bundle)],
        capture_output=True,
        text=True,
        env={**os.environ, "SMOKE_TIMEOUT": "60", **env},
        timeout=300,
    )


def test_smoke_passes_a_bundle_that_answers_cleanly(bundle: Path) -> None:
    result = _smoke(bundle)
    assert result.returncode == 0, result.stderr
    assert "smoke: 7 of 7 kinds rendered" in result.stdout
    assert result.stdout.strip().splitlines()[-1].endswith("passed, 0 failed")


def test_smoke_fails_on_a_traceback_even_when_the_exit_code_is_zero(bundle: Path) -> None:
    result = _smoke(bundle, FAKE_STDERR="Traceback (most recent call last):")
    assert result.returncode == 1
    assert "FAIL: window-smoke" in result.stderr
    assert "Traceback" in result.stderr  # the offending stderr is shown
    assert result.stdout.strip().splitlines()[-1].endswith("passed, 1 failed")


def test_smoke_fails_when_the_window_exits_non_zero(bundle: Path) -> None:
    result = _smoke(bundle, FAKE_RC="3")
    assert result.returncode == 1
    assert "window-smoke: exit 3" in result.stderr


def test_smoke_fails_when_webengine_was_bundled(bundle: Path) -> None:
    (bundle / "_internal" / "PySide6" / "Qt" / "lib" / "libQt6WebEngineCore.so.6").write_bytes(b"")
    result = _smoke(bundle)
    assert result.returncode == 1
    assert "unused Qt modules were bundled" in result.stderr


def test_smoke_fails_when_an_icon_is_missing(bundle: Path) -> None:
    (bundle / "_internal" / "artifact_viewer" / "resources" / "icons" / "app.svg").unlink()
    result = _smoke(bundle)
    assert result.returncode == 1
    assert "missing from the bundle: artifact_viewer/resources/icons/app.svg" in result.stderr


def test_smoke_without_a_bundle_says_how_to_build_one(tmp_path: Path) -> None:
    result = _smoke(tmp_path / "nowhere")
    assert result.returncode == 1
    assert "run 'make package' first" in result.stderr
