"""Wipe: nothing left under the app home or in the keyring; the next start is a first run."""

from __future__ import annotations

import os

from click.testing import CliRunner

from artifact_viewer.cli import cli
from artifact_viewer.core.crypto.keys import MASTER_KEY_ACCOUNT, ensure_master_key
from artifact_viewer.core.library import Library
from artifact_viewer.core.logs import setup_logging, teardown_logging
from artifact_viewer.core.paths import app_paths, write_private_text
from artifact_viewer.core.secrets import KEYRING_SERVICE, resolve_api_key, save_api_key
from artifact_viewer.core.settings import Settings, load_settings, save_settings

CUSTOM_URL = "https://payroll.example.test/api/v2"


def _everything_in_use(library, fake_cloud, app_home) -> None:
    fake_cloud.add("a1", b"payroll register" * 100)
    library.refresh_artifacts()
    library.fetch("a1")
    library.catalog.pin("run-1")
    paths = app_paths()
    save_settings(Settings(base_url=CUSTOM_URL), paths)
    save_api_key(CUSTOM_URL, "anon_live_key_123456")
    save_api_key(Settings().base_url, "anon_default_key_123456")
    ensure_master_key()
    write_private_text(paths.data_dir / "notes.sqlite3", "note: check box 12")
    write_private_text(paths.data_dir / "content-index.sqlite3", "index")
    (app_home / "stray.tmp").write_text("left by something else")
    setup_logging(paths)
    import logging

    logging.getLogger("artifact_viewer.test").warning("a record for the log file")
    library.close()


def _files_under(root) -> list[str]:
    return [os.path.join(d, n) for d, dirs, names in os.walk(root) for n in [*dirs, *names]]


def test_wipe_without_yes_lists_what_would_go_and_removes_nothing(
    library, fake_cloud, app_home, memory_keyring
) -> None:
    _everything_in_use(library, fake_cloud, app_home)
    before = sorted(_files_under(app_home))
    keys_before = dict(memory_keyring.store)
    try:
        result = CliRunner().invoke(cli, ["wipe"])
    finally:
        teardown_logging()
    assert result.exit_code == 2
    listing = result.stderr
    for expected in (
        "cached artifact files: 1 file(s)",
        "catalog (",
        "notes:",
        "content search index:",
        "log:",
        "settings:",
        "stray.tmp",
        f"system keyring: API key for {CUSTOM_URL}",
        "system keyring: cache encryption key",
        "Nothing was removed",
    ):
        assert expected in listing, expected
    assert sorted(_files_under(app_home)) == before
    assert memory_keyring.store == keys_before


def test_wipe_yes_leaves_nothing_under_the_home_or_in_the_keyring(
    library, fake_cloud, app_home, memory_keyring
) -> None:
    _everything_in_use(library, fake_cloud, app_home)
    assert (KEYRING_SERVICE, MASTER_KEY_ACCOUNT) in memory_keyring.store
    try:
        result = CliRunner().invoke(cli, ["wipe", "--yes"])
    finally:
        teardown_logging()
    assert result.exit_code == 0, result.output
    assert "Removed:" in result.stdout and "first run" in result.stdout
    assert _files_under(app_home) == []
    assert memory_keyring.store == {}
    # The next start is a first run: default settings, no key, an empty catalog.
    assert load_settings() == Settings()
    assert resolve_api_key(CUSTOM_URL) is None
    with Library.open(app_paths(), Settings(), None) as fresh:
        assert fresh.stats().catalog_artifacts == 0 and fresh.pinned_runs() == []


def test_wipe_of_a_home_that_was_never_used_leaves_it_empty(app_home) -> None:
    try:
        result = CliRunner().invoke(cli, ["wipe", "--yes"])
    finally:
        teardown_logging()
    assert result.exit_code == 0, result.output
    assert _files_under(app_home) == []
