"""The wheel carries icons, py.typed and the entry points; installed, it gives a working command."""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

import artifact_viewer
from artifact_viewer.ui.icons import APP_ICON_SIZES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "artifact_viewer"
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from this checkout the way `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("artifact_viewer-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel installed (dependencies borrowed from ours)."""
    env = tmp_path_factory.mktemp("venv") / "env"
    venv.EnvBuilder(with_pip=False).create(env)
    python = _bin(env, "python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Our dependencies (PySide6, httpx...) without a download: a path entry, not a site dir,
    # so the editable install of this checkout stays out of the picture.
    Path(site, "borrowed_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps"]
        + ["--no-index", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return env


def _bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


def _names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def _run(args: list[str], env_dir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **extra,
    }
    env.pop("PYTHONPATH", None)
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=env_dir, timeout=180)


def test_wheel_carries_every_icon_and_py_typed(wheel: Path) -> None:
    names = _names(wheel)
    icons = sorted(
        p.name for p in (PACKAGE / "resources" / "icons").iterdir() if p.suffix in {".svg", ".png"}
    )
    assert "app.svg" in icons and "app-256.png" in icons
    missing = [n for n in icons if f"artifact_viewer/resources/icons/{n}" not in names]
    assert missing == []
    assert "artifact_viewer/py.typed" in names


def test_wheel_carries_every_module_of_the_package(wheel: Path) -> None:
    names = _names(wheel)
    modules = sorted(
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts
    )
    assert [m for m in modules if m not in names] == []
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_declares_the_command_and_the_gui_launcher(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_file,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(archive.read(entry_file).decode())
    assert parser["console_scripts"]["artifact-viewer"] == "artifact_viewer.cli:main"
    assert parser["gui_scripts"]["artifact-viewer-gui"] == "artifact_viewer.app:gui_main"


def test_installed_command_runs_from_the_installed_package(installed: Path) -> None:
    version = _run([str(_bin(installed, "artifact-viewer")), "--version"], installed)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"artifact-viewer, version {artifact_viewer.__version__}"
    where = _run(
        [
            str(_bin(installed, "python")),
            "-c",
            "import artifact_viewer; print(artifact_viewer.__file__)",
        ],
        installed,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed)


def test_installed_command_lists_artifacts_from_the_demo_server(installed: Path) -> None:
    listed = _run([str(_bin(installed, "artifact-viewer")), "--demo", "ls", "artifacts"], installed)
    assert listed.returncode == 0, listed.stderr
    assert "application/pdf" in listed.stdout and "image/png" in listed.stdout
    assert listed.stderr == ""


def test_installed_package_loads_its_app_icon_through_importlib_resources(installed: Path) -> None:
    script = (
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from artifact_viewer.ui.icons import app_icon, icon\n"
        "sizes = sorted(s.width() for s in app_icon().availableSizes())\n"
        "print(sizes, icon('status-failed').isNull())\n"
    )
    shown = _run([str(_bin(installed, "python")), "-c", script], installed)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"{sorted(APP_ICON_SIZES)} False"
