"""Whether the cache encrypts what it stores: a marker in the cache folder, read at open."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from artifact_viewer.core.paths import AppPaths, write_private_text

log = logging.getLogger("artifact_viewer.crypto")

MARKER_NAME = "encryption.json"


def marker_path(cache_dir: Path) -> Path:
    return cache_dir / MARKER_NAME


def encryption_enabled(paths: AppPaths) -> bool:
    """True when the cache is (being) encrypted: new files are stored encrypted, and
    derived data (search index, thumbnails) must stay off the disk."""
    return encryption_enabled_at(paths.cache_dir)


def encryption_enabled_at(cache_dir: Path) -> bool:
    """:func:`encryption_enabled` for the cache folder ``cache_dir`` (a blob store's
    ``root.parent``: the demo session keeps its own cache)."""
    try:
        data = json.loads(marker_path(cache_dir).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        log.warning("The cache encryption marker is unreadable; treating the cache as encrypted")
        return True  # the safe side: never write plaintext because a marker broke
    return bool(isinstance(data, dict) and data.get("encrypt"))


def set_encryption_enabled(cache_dir: Path, enabled: bool) -> None:
    write_private_text(marker_path(cache_dir), json.dumps({"encrypt": enabled}) + "\n")
