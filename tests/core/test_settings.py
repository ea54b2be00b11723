"""Settings: defaults, env override, tolerant load, atomic private save, never an API key."""

from __future__ import annotations

import dataclasses
import json
import stat

from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import (
    DEFAULT_BASE_URL,
    GIB,
    Settings,
    load_settings,
    save_settings,
)


def test_defaults() -> None:
    s = Settings()
    assert s.base_url == DEFAULT_BASE_URL == "https://worker.anon.com/api/v2"
    assert s.cache_quota_bytes == 5 * GIB
    assert s.max_parallel_downloads == 4
    assert s.connect_timeout > 0 and s.read_timeout > 0
    assert s.last_mode == "online"


def test_settings_have_no_place_for_an_api_key() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert not any("key" in n or "token" in n or "secret" in n for n in names)


def test_missing_file_gives_defaults() -> None:
    assert load_settings() == Settings()


def test_round_trip_is_private_and_atomic() -> None:
    s = Settings(
        base_url="https://example.test/api/v2", max_parallel_downloads=2, last_mode="offline"
    )
    path = save_settings(s)
    assert path == app_paths().settings_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_settings() == s
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]


def test_env_base_url_wins_but_is_not_saved(monkeypatch) -> None:
    monkeypatch.setenv("ANON_BASE_URL", "http://127.0.0.1:9999/api/v2/ ")
    s = Settings()
    assert s.effective_base_url() == "http://127.0.0.1:9999/api/v2"
    save_settings(s)
    assert json.loads(app_paths().settings_path.read_text())["base_url"] == DEFAULT_BASE_URL


def test_corrupt_file_gives_defaults_and_is_left_alone() -> None:
    path = app_paths().ensure().settings_path
    path.write_text("{not json")
    assert load_settings() == Settings()
    assert path.read_text() == "{not json"


def test_wrong_types_and_bad_values_fall_back_per_field() -> None:
    path = app_paths().ensure().settings_path
    path.write_text(
        json.dumps(
            {
                "max_parallel_downloads": "lots",
                "cache_quota_bytes": -5,
                "read_timeout": "12.5",
                "last_mode": "sideways",
                "base_url": "https://x.test/api/v2///",
                "page_size": True,
            }
        )
    )
    s = load_settings()
    assert s.max_parallel_downloads == 4
    assert s.cache_quota_bytes == 5 * GIB
    assert s.read_timeout == 12.5
    assert s.last_mode == "online"
    assert s.base_url == "https://x.test/api/v2"
    assert s.page_size == 100


def test_non_object_json_gives_defaults() -> None:
    app_paths().ensure().settings_path.write_text("[1, 2]")
    assert load_settings() == Settings()


def test_unknown_keys_survive_a_round_trip_but_key_like_ones_never_written() -> None:
    s = Settings(extra={"windowGeometry": [1, 2], "api_key": "anon_should_not_be_here"})
    save_settings(s)
    text = app_paths().settings_path.read_text()
    assert "anon_should_not_be_here" not in text
    assert load_settings().extra == {"windowGeometry": [1, 2]}
