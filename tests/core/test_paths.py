"""App paths: one home redirects everything; folders are 0700, files we write 0600, writes atomic."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from artifact_viewer.core.paths import (
    HOME_ENV,
    app_paths,
    atomic_private_file,
    ensure_private_dir,
    open_private,
    write_private_text,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_home_env_puts_every_folder_under_one_root(app_home: Path) -> None:
    paths = app_paths()
    for folder in (*paths.all_dirs(), paths.catalog_path, paths.settings_path, paths.log_path):
        assert folder.is_relative_to(app_home)
    assert len({paths.config_dir, paths.cache_dir, paths.data_dir, paths.log_dir}) == 4
    assert paths.blobs_dir.parent == paths.cache_dir
    assert paths.partial_dir.parent == paths.cache_dir  # same filesystem: os.replace is atomic


def test_home_env_is_read_on_every_call(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "elsewhere"))
    assert app_paths().config_dir.is_relative_to(tmp_path / "elsewhere")


def test_without_home_env_platform_dirs_are_used(monkeypatch) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)
    paths = app_paths()
    assert all("artifact-viewer" in str(p) for p in (paths.config_dir, paths.cache_dir))
    assert not paths.cache_dir.exists() or paths.cache_dir.is_dir()


def test_app_paths_does_not_create_folders(app_home: Path) -> None:
    app_paths()
    assert list(app_home.iterdir()) == []


def test_ensure_creates_private_folders_including_missing_parents(
    monkeypatch, tmp_path: Path, loose_umask
) -> None:
    root = tmp_path / "new" / "home"
    monkeypatch.setenv(HOME_ENV, str(root))
    paths = app_paths().ensure()
    for folder in paths.all_dirs():
        assert folder.is_dir()
        assert mode(folder) == 0o700
    assert mode(root) == 0o700
    assert mode(tmp_path / "new") == 0o700


def test_existing_loose_folder_is_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    ensure_private_dir(folder)
    assert mode(folder) == 0o700


def test_write_private_text_is_0600_despite_umask(tmp_path: Path, loose_umask) -> None:
    target = tmp_path / "sub" / "settings.json"
    write_private_text(target, "{}")
    assert target.read_text() == "{}"
    assert mode(target) == 0o600


def test_atomic_write_replaces_existing_content_and_keeps_0600(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    target.chmod(0o644)
    write_private_text(target, "new")
    assert target.read_text() == "new"
    assert mode(target) == 0o600


def test_failed_atomic_write_leaves_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_private_file(target) as handle:
        handle.write(b"half")
        raise RuntimeError("disk trouble")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_open_private_appends_and_creates_0600(tmp_path: Path, loose_umask) -> None:
    target = tmp_path / "log.txt"
    with open_private(target, "a") as handle:
        handle.write("one\n")
    with open_private(target, "a") as handle:
        handle.write("two\n")
    assert target.read_text() == "one\ntwo\n"
    assert mode(target) == 0o600
