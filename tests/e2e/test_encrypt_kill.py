"""A real process killed (SIGKILL) in the middle of `cache encrypt on`: every cached file
stays readable, and running the command again finishes the conversion."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest

from artifact_viewer.core.blobstore import is_encrypted
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import Settings
from tests.plugins.file_keyring import FILE_ENV, FileKeyring

pytestmark = pytest.mark.slow

FILES = 16
SIZE = 1024 * 1024 + 7


def test_sigkill_mid_conversion_leaves_every_file_readable_and_a_rerun_finishes(
    library, fake_cloud, app_home, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "keyring.json"))
    keyring.set_keyring(FileKeyring())  # shared with the child process
    contents = {}
    for n in range(FILES):
        data = os.urandom(SIZE)
        contents[f"a{n}"] = data
        fake_cloud.add(f"a{n}", data)
    library.refresh_artifacts()
    for artifact_id in contents:
        library.fetch(artifact_id)
    library.close()
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ)
    env.update(
        PYTHON_KEYRING_BACKEND="tests.plugins.file_keyring.FileKeyring",
        PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]),
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "artifact_viewer", "cache", "encrypt", "on"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    blobs_dir = app_paths().blobs_dir
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".enc") for p in blobs_dir.rglob("*")):
        assert child.poll() is None, "the conversion ended before it was seen converting"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    with Library.open(app_paths(), Settings(), None) as lib:
        forms = [is_encrypted(p) for _sha, p in lib.blobs.all_blobs()]
        assert True in forms and False in forms  # killed part-way
        for artifact_id, data in contents.items():
            assert lib.cached_path(artifact_id).read_bytes() == data
        assert not list(lib.blobs.partial_dir.glob("*.part"))  # cleaned when opened

    rerun = subprocess.run(
        [sys.executable, "-m", "artifact_viewer", "cache", "encrypt", "on"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 0, rerun.stderr
    with Library.open(app_paths(), Settings(), None) as lib:
        assert all(is_encrypted(p) for _sha, p in lib.blobs.all_blobs())
        assert len(list(lib.blobs.all_blobs())) == FILES
        assert lib.verify_all().ok
