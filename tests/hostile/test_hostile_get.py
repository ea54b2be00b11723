"""`get -o FILE` writes the copy in the same pass as the cache file: against a lying server
the copy is exactly the verified bytes (a gzip body's decoded form when its hash says so),
or no file at all."""

from __future__ import annotations

import hashlib
import stat

import pytest

from tests.hostile.conftest import run_cli, write_settings
from tests.hostile.server import HostileServer, content_for


@pytest.fixture(scope="module")
def server():
    with HostileServer() as running:
        for artifact_id in ("gzip-fake", "gzip-real", "gzip-cut"):
            running.add(
                artifact_id, artifact_id.replace("-", "_"), data=content_for(artifact_id, 200_000)
            )
        running.add("gzip-garbage", "gzip_garbage")
        running.add("endless", "endless")
        yield running


@pytest.mark.parametrize("artifact_id", ["gzip-fake", "gzip-real", "gzip-cut"])
def test_get_saves_the_bytes_the_hash_describes(server, tmp_path, artifact_id):
    home = tmp_path / "home"
    write_settings(home, download_floor_seconds=10.0)
    target = tmp_path / "out.bin"
    result = run_cli(home, server.base_url, "get", artifact_id, "-o", str(target))
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data == content_for(artifact_id, 200_000)
    assert hashlib.sha256(data).hexdigest() == server.scenarios[artifact_id].record["fileHash"]
    assert stat.S_IMODE(target.stat().st_mode) & 0o077 == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out.bin"]


@pytest.mark.parametrize("artifact_id", ["gzip-garbage", "endless"])
def test_get_of_a_lie_leaves_no_file(server, tmp_path, artifact_id):
    home = tmp_path / "home"
    write_settings(home, download_floor_seconds=3.0, download_min_bytes_per_second=1024 * 1024)
    target = tmp_path / "out.bin"
    result = run_cli(home, server.base_url, "get", artifact_id, "-o", str(target))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]
