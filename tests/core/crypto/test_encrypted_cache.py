"""The encrypted cache end to end: nothing readable under the home, exact bytes out,
verification on the plaintext hash, tampering found, conversion resumable, no keyring no go."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends.fail import Keyring as FailKeyring

from artifact_viewer.cli import cli
from artifact_viewer.core.blobstore import is_encrypted
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.crypto.chunks import CHUNK_SIZE, HEADER, TAG
from artifact_viewer.core.crypto.convert import convert_cache
from artifact_viewer.core.crypto.state import encryption_enabled
from artifact_viewer.core.errors import Cancelled
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.store_models import ArtifactQuery, CacheState

TOKEN = b"TOKEN:7f3a9c1e-SSN-234-56-7890!!"  # 32 bytes
assert len(TOKEN) == 32


def artifact_bytes(seed: int, size: int = 2 * CHUNK_SIZE + 1234) -> bytes:
    """Pseudo-random bytes with the token straddling the first chunk boundary."""
    data = bytearray(os.urandom(size))
    at = CHUNK_SIZE - 10 + seed
    data[at : at + len(TOKEN)] = TOKEN
    return bytes(data)


def files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and needle in path.read_bytes():
                found.append(path)
    return found


def cli_run(*args: str):
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        teardown_logging()


@pytest.fixture
def two_artifacts(fake_cloud) -> dict[str, bytes]:
    contents = {"a1": artifact_bytes(0), "a2": artifact_bytes(1, size=CHUNK_SIZE // 2)}
    for artifact_id, data in contents.items():
        fake_cloud.add(artifact_id, data, mime="text/csv")
    return contents


def test_with_encryption_on_no_plaintext_lands_under_the_home(
    library, two_artifacts, app_home, tmp_path
) -> None:
    convert_cache(library.catalog, library.blobs, encrypt=True)
    library.refresh_artifacts()
    for artifact_id, data in two_artifacts.items():
        path = library.fetch(artifact_id)
        assert not str(path).startswith(str(app_home))  # an anonymous memory file
        assert path.read_bytes() == data
        with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
            assert m[: len(data)] == data
    assert all(is_encrypted(p) for _sha, p in library.blobs.all_blobs())
    library.close()
    assert files_containing(app_home, TOKEN) == []
    assert files_containing(app_home, TOKEN[8:24]) == []
    out = tmp_path / "out.csv"
    got = cli_run("get", "a1", "-o", str(out), "--offline")
    assert got.exit_code == 0, got.output
    assert out.read_bytes() == two_artifacts["a1"]
    verified = cli_run("cache", "verify")
    assert verified.exit_code == 0, verified.output
    assert "2 verified" in verified.stdout
    assert files_containing(app_home, TOKEN) == []


def test_a_tampered_chunk_fails_verification_and_the_file_goes(
    library, two_artifacts, app_home
) -> None:
    convert_cache(library.catalog, library.blobs, encrypt=True)
    library.refresh_artifacts()
    library.fetch("a1")
    entry = library.catalog.cache_entry("a1")
    blob = library.blobs.locate(entry.sha256)
    raw = bytearray(blob.read_bytes())
    raw[HEADER + (CHUNK_SIZE + TAG) + 100] ^= 0x40  # inside chunk 1
    blob.write_bytes(bytes(raw))
    library.close()
    result = cli_run("cache", "verify")
    assert result.exit_code == 1
    assert "FAILED a1" in result.stderr
    assert not blob.exists()


def test_open_artifact_reads_and_seeks_through_the_decrypting_reader(
    library, two_artifacts
) -> None:
    convert_cache(library.catalog, library.blobs, encrypt=True)
    library.refresh_artifacts()
    library.fetch("a1")
    data = two_artifacts["a1"]
    with library.open_artifact("a1") as handle:
        handle.seek(CHUNK_SIZE - 10)
        assert handle.read(32) == TOKEN
        handle.seek(-7, os.SEEK_END)
        assert handle.read() == data[-7:]
    assert library.open_artifact("unknown") is None


def test_cache_encrypt_on_and_off_converts_existing_files(library, two_artifacts, app_home) -> None:
    library.refresh_artifacts()
    for artifact_id in two_artifacts:
        library.fetch(artifact_id)
    library.close()
    assert files_containing(app_home, TOKEN)  # plain by default
    on = cli_run("cache", "encrypt", "on")
    assert on.exit_code == 0, on.output
    assert "Cache encryption is on: 2 file(s) encrypted" in on.stdout
    assert encryption_enabled(app_paths())
    assert files_containing(app_home, TOKEN) == []
    again = cli_run("cache", "encrypt", "on")
    assert "0 file(s) encrypted" in again.stdout and "2 already" in again.stdout
    off = cli_run("cache", "encrypt", "off")
    assert off.exit_code == 0, off.output
    assert "2 file(s) decrypted" in off.stdout
    assert not encryption_enabled(app_paths())
    assert cli_run("cache", "verify").exit_code == 0
    assert len(files_containing(app_home, TOKEN)) == 2


def test_an_interrupted_conversion_leaves_every_file_readable_and_resumes(
    library, fake_cloud, two_artifacts
) -> None:
    fake_cloud.add("a3", artifact_bytes(2, size=3000))
    contents = {**two_artifacts, "a3": fake_cloud.objects["a3"]}
    library.refresh_artifacts()
    for artifact_id in contents:
        library.fetch(artifact_id)
    token = CancelToken()
    seen: list[int] = []

    def stop_after_first_file(done: int, total: int | None) -> None:
        seen.append(done)
        if done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        convert_cache(
            library.catalog, library.blobs, encrypt=True,
            progress=stop_after_first_file, cancel=token,
        )  # fmt: skip
    forms = [is_encrypted(p) for _sha, p in library.blobs.all_blobs()]
    assert sorted(forms) == [False, False, True]
    for artifact_id, data in contents.items():
        assert library.cached_path(artifact_id).read_bytes() == data
    rest = convert_cache(library.catalog, library.blobs, encrypt=True)
    assert rest.complete and rest.converted == 2 and rest.already == 1
    assert all(is_encrypted(p) for _s, p in library.blobs.all_blobs())
    assert len(list(library.blobs.all_blobs())) == 3
    for artifact_id, data in contents.items():
        assert library.cached_path(artifact_id).read_bytes() == data
    assert library.verify_all().ok


def test_a_leftover_old_form_beside_a_finished_new_one_is_removed_on_resume(
    library, two_artifacts
) -> None:
    library.refresh_artifacts()
    library.fetch("a2")
    sha = library.catalog.cache_entry("a2").sha256
    plain = library.blobs.path_for(sha)
    kept = plain.read_bytes()
    convert_cache(library.catalog, library.blobs, encrypt=True)
    plain.write_bytes(kept)  # as if killed right after the encrypted form was moved in
    report = convert_cache(library.catalog, library.blobs, encrypt=True)
    assert report.already == 2 and not plain.exists()
    assert library.cached_path("a2").read_bytes() == two_artifacts["a2"]


def test_without_a_keyring_encryption_cannot_be_turned_on_and_says_why(
    library, two_artifacts, app_home
) -> None:
    library.refresh_artifacts()
    library.fetch("a1")
    library.close()
    keyring.set_keyring(FailKeyring())  # the fixture restores the previous backend
    result = cli_run("cache", "encrypt", "on")
    assert result.exit_code == 3
    assert "no system keyring" in result.stderr
    assert not encryption_enabled(app_paths())
    assert files_containing(app_home, TOKEN)  # untouched


def test_new_downloads_follow_the_setting_another_process_changed(
    library, fake_cloud, two_artifacts
) -> None:
    library.refresh_artifacts()
    library.fetch("a1")
    assert not library.blobs.encrypt
    convert_cache(library.catalog, library.blobs, encrypt=True)
    library.fetch("a2")
    sha = library.catalog.cache_entry("a2").sha256
    assert is_encrypted(library.blobs.locate(sha))
    assert library.cache_state("a2") is CacheState.VERIFIED


def test_sync_reports_plaintext_bytes_with_encryption_on(library, two_artifacts) -> None:
    convert_cache(library.catalog, library.blobs, encrypt=True)
    library.refresh_artifacts()
    report = library.download(library.artifacts(ArtifactQuery()))
    assert report.downloaded == 2
    assert report.bytes_downloaded == sum(len(d) for d in two_artifacts.values())


def test_a_converted_file_is_not_hashed_again_on_its_next_opening(
    library, two_artifacts, monkeypatch
) -> None:
    library.refresh_artifacts()
    library.fetch("a2")
    convert_cache(library.catalog, library.blobs, encrypt=True)
    rehashed: list[str] = []
    original = library.blobs.rehash
    monkeypatch.setattr(
        library.blobs, "rehash", lambda sha, exp: rehashed.append(sha) or original(sha, exp)
    )
    assert library.cached_path("a2").read_bytes() == two_artifacts["a2"]
    assert rehashed == []


def test_a_lost_key_is_explained_and_the_cache_can_start_over(
    library, two_artifacts, memory_keyring
) -> None:
    from artifact_viewer.core.errors import CacheError

    convert_cache(library.catalog, library.blobs, encrypt=True)
    library.refresh_artifacts()
    library.fetch("a1")
    memory_keyring.store.clear()  # the keyring was reset
    library.plaintext.forget()  # nothing decrypted in memory any more
    with pytest.raises(CacheError, match="no longer in the system keyring"):
        library.cached_path("a1")
    library.close()
    assert cli_run("cache", "purge", "--include-pinned").exit_code == 0
    off = cli_run("cache", "encrypt", "off")
    assert off.exit_code == 0, off.output
    assert not encryption_enabled(app_paths())


def test_cache_stats_says_whether_the_cache_is_encrypted(library, two_artifacts) -> None:
    library.close()
    assert "Encryption: off" in cli_run("cache", "stats").stdout
    assert cli_run("cache", "encrypt", "on").exit_code == 0
    assert "Encryption: on" in cli_run("cache", "stats").stdout
    assert '"encrypted":true' in cli_run("cache", "stats", "--json").stdout
