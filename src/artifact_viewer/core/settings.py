"""User settings (base URL, cache quota, parallelism, timeouts) kept as JSON in the config folder."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from artifact_viewer.core.paths import AppPaths, app_paths, write_private_text

log = logging.getLogger("artifact_viewer.settings")

DEFAULT_BASE_URL = "https://worker.anon.com/api/v2"
BASE_URL_ENV = "ANON_BASE_URL"
GIB = 1024**3
MODES = ("online", "offline", "demo")

# Names that must never be persisted, whatever a caller puts in ``extra``.
_FORBIDDEN_KEYS = frozenset({"api_key", "apiKey", "key", "token", "password", "secret"})


@dataclass(slots=True)
class Settings:
    """Everything the user can tune. Deliberately has no API key field: that lives in the keyring."""

    base_url: str = DEFAULT_BASE_URL
    cache_quota_bytes: int = 5 * GIB
    max_parallel_downloads: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    write_timeout: float = 30.0
    pool_timeout: float = 10.0
    page_size: int = 100
    # A download must finish within max(floor, size / min rate) seconds, so a server that
    # drips bytes is reported instead of waited on forever.
    download_floor_seconds: float = 120.0
    download_min_bytes_per_second: int = 32 * 1024
    # A listing stops (with a clear message) past any of these.
    listing_max_pages: int = 2_000
    listing_max_items: int = 2_000_000
    listing_max_bytes: int = 2 * GIB
    listing_max_seconds: float = 1800.0
    sync_max_artifacts: int = 200_000  # one `sync --all`/--workflow downloads at most this many
    last_mode: str = "online"
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def effective_base_url(self) -> str:
        """``ANON_BASE_URL`` wins over the saved value, without being written back."""
        env = os.environ.get(BASE_URL_ENV, "").strip()
        return normalize_base_url(env or self.base_url)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        extra = {k: v for k, v in data.pop("extra").items() if k not in _FORBIDDEN_KEYS}
        data.update(extra)
        return data

    @classmethod
    def from_json(cls, data: Any) -> Settings:
        """Tolerant: unknown keys are kept in ``extra``; wrong types fall back to defaults."""
        if not isinstance(data, dict):
            return cls()
        defaults = cls()
        kwargs: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        for name in names:
            if name not in data:
                continue
            value = data[name]
            default = getattr(defaults, name)
            kwargs[name] = _coerce(value, default)
        if "base_url" in kwargs:
            kwargs["base_url"] = normalize_base_url(kwargs["base_url"]) or DEFAULT_BASE_URL
        if kwargs.get("last_mode") not in (None, *MODES):
            kwargs["last_mode"] = defaults.last_mode
        for positive in (
            "cache_quota_bytes",
            "max_parallel_downloads",
            "page_size",
            "download_min_bytes_per_second",
            "listing_max_pages",
            "listing_max_items",
            "listing_max_bytes",
            "sync_max_artifacts",
        ):
            if positive in kwargs and kwargs[positive] <= 0:
                kwargs[positive] = getattr(defaults, positive)
        for timeout in (
            "connect_timeout",
            "read_timeout",
            "write_timeout",
            "pool_timeout",
            "download_floor_seconds",
            "listing_max_seconds",
        ):
            if timeout in kwargs and kwargs[timeout] <= 0:
                kwargs[timeout] = getattr(defaults, timeout)
        extra = {k: v for k, v in data.items() if k not in names and k not in _FORBIDDEN_KEYS}
        return cls(**kwargs, extra=extra)


def _coerce(value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        return value if isinstance(value, bool) else default
    if isinstance(default, int):
        if isinstance(value, bool):
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            return default
    if isinstance(default, float):
        if isinstance(value, bool):
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            return default
    if isinstance(default, str):
        return value if isinstance(value, str) else default
    return value


def normalize_base_url(url: str) -> str:
    """Strip whitespace and trailing slashes so paths join predictably."""
    return url.strip().rstrip("/")


def load_settings(paths: AppPaths | None = None) -> Settings:
    """Read settings; a missing or corrupt file gives defaults (a corrupt one is logged, kept)."""
    path = (paths or app_paths()).settings_path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("Could not read settings file %s: %s; using defaults", path, exc.strerror)
        return Settings()
    try:
        data = json.loads(text)
    except ValueError:
        log.warning("Settings file %s is not valid JSON; using defaults", path)
        return Settings()
    return Settings.from_json(data)


def save_settings(settings: Settings, paths: AppPaths | None = None) -> Path:
    """Write settings atomically, 0600, and return the file's path."""
    path = (paths or app_paths()).settings_path
    write_private_text(path, json.dumps(settings.to_json(), indent=2, sort_keys=True) + "\n")
    return path
