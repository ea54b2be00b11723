"""Desktop entry, AppStream metainfo and PyInstaller spec agree with each other and the code."""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import artifact_viewer

ROOT = Path(__file__).resolve().parents[1]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "com.anon.ArtifactViewer"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
SPEC = ROOT / "packaging" / "artifact-viewer.spec"


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def _scripts() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {**project["scripts"], **project.get("gui-scripts", {})}


def _spec_list(name: str) -> list[str]:
    """A literal list assigned at the top level of the spec (read without running PyInstaller)."""
    for node in ast.parse(SPEC.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list | tuple)
            return list(value)
    raise AssertionError(f"{name} is not assigned in {SPEC.name}")


def test_desktop_entry_launches_the_installed_command_with_the_app_icon() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Artifact Viewer"
    command = entry["Exec"].split()[0]
    assert command in _scripts()
    assert entry["TryExec"] == command
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert "Viewer" in entry["Categories"].split(";")


def test_metainfo_names_the_desktop_entry_binary_and_current_version() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/binary") in _scripts()
    assert root.findtext("project_license") == "MIT"
    versions = [r.get("version") for r in root.iter("release")]
    assert versions and versions[0] == artifact_viewer.__version__
    assert root.findtext("name") == _desktop_entry()["Name"]


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils absent")
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("appstreamcli"), reason="appstream absent")
def test_metainfo_passes_appstreamcli_validate() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"^[EW]:", result.stdout, re.MULTILINE), result.stdout


def _spec_excludes() -> set[str]:
    return (
        {f"PySide6.{name}" for name in _spec_list("QT_UNUSED")}
        | {f"pyarrow.{name}" for name in _spec_list("PYARROW_UNUSED")}
        | set(_spec_list("OTHER_UNUSED"))
    )


def _imported_modules() -> set[str]:
    """Every absolute module name imported anywhere in the package (any depth, lazy too)."""
    names: set[str] = set()
    for path in (ROOT / "src" / "artifact_viewer").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_spec_excludes_nothing_the_app_imports() -> None:
    excluded = _spec_excludes()
    imported = _imported_modules()
    assert {"PySide6.QtWidgets", "pyarrow.csv", "uvicorn"} <= imported
    clashes = sorted(
        name for name in imported for ex in excluded if name == ex or name.startswith(ex + ".")
    )
    assert clashes == []
    assert {"QtPdf", "QtPdfWidgets"} <= set(_spec_list("QT_NEEDED"))


def test_spec_leaves_out_webengine_quick_qml_and_3d() -> None:
    excluded = set(_spec_list("QT_UNUSED"))
    assert {"QtWebEngineCore", "QtWebEngineWidgets", "QtQml", "QtQuick", "Qt3DCore"} <= excluded
    dropped = _spec_list("_DROP_BINARIES")
    for library in ("libQt6WebEngineCore.so.6", "libQt6Qml.so.6", "libQt6Quick.so.6"):
        assert any(part in library for part in dropped), library
    for library in ("libQt6Pdf.so.6", "libQt6Svg.so.6", "libQt6Widgets.so.6"):
        assert not any(part in library for part in dropped), library


def test_linux_install_puts_command_desktop_entry_metainfo_and_icons_under_the_prefix(
    tmp_path: Path,
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "artifact-viewer").write_text("#!/bin/sh\necho frozen\n")
    (bundle / "artifact-viewer").chmod(0o755)
    prefix = tmp_path / "prefix"
    script = ROOT / "packaging" / "linux" / "install.sh"
    result = subprocess.run(
        ["bash", str(script), str(prefix), str(bundle)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    command = subprocess.run([str(prefix / "bin" / "artifact-viewer")], capture_output=True)
    assert command.stdout == b"frozen\n"
    share = prefix / "share"
    assert (share / "applications" / DESKTOP.name).read_bytes() == DESKTOP.read_bytes()
    assert (share / "metainfo" / METAINFO.name).is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    for size in (16, 48, 256):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()


def test_linux_install_without_a_bundle_changes_nothing(tmp_path: Path) -> None:
    script = ROOT / "packaging" / "linux" / "install.sh"
    prefix = tmp_path / "prefix"
    result = subprocess.run(
        ["bash", str(script), str(prefix), str(tmp_path / "missing")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "make package" in result.stderr
    assert not prefix.exists()


def test_spec_drops_qt_translations_only_while_the_app_loads_none() -> None:
    dropped = "PySide6/Qt/translations" in _spec_list("_DROP_FOLDERS")
    sources = (ROOT / "src" / "artifact_viewer").rglob("*.py")
    loads = any("QTranslator" in path.read_text(encoding="utf-8") for path in sources)
    assert not (dropped and loads), "the app loads Qt translations: keep them in the bundle"
