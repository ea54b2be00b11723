"""Remove everything the app keeps on this computer: files, settings and keyring entries.

Afterwards the app starts as on its first run. The caller closes what it has open on
these files first (the window's library, the search index); logging is stopped here,
since any later record would create the log folder again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from artifact_viewer.core.crypto.keys import MASTER_KEY_ACCOUNT, delete_master_key, load_master_key
from artifact_viewer.core.errors import CacheError
from artifact_viewer.core.paths import HOME_ENV, AppPaths
from artifact_viewer.core.secrets import (
    KEYRING_SERVICE,
    clear_session_keys,
    forget_api_key,
    keyring_available,
)
from artifact_viewer.core.settings import BASE_URL_ENV, DEFAULT_BASE_URL, load_settings

log = logging.getLogger("artifact_viewer.wipe")


@dataclass(frozen=True, slots=True)
class WipeItem:
    """One thing that goes: what it is for a person, where it is, how much."""

    label: str
    path: Path | None
    files: int = 0
    size: int = 0


@dataclass(slots=True)
class WipePlan:
    items: list[WipeItem] = field(default_factory=list)
    keyring_accounts: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.items and not self.keyring_accounts


def _tally(path: Path) -> tuple[int, int]:
    files = size = 0
    if path.is_file():
        return 1, path.stat().st_size
    for root, _dirs, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                size += (Path(root) / name).lstat().st_size
                files += 1
    return files, size


def _describe(path: Path, paths: AppPaths) -> str:
    name = path.name
    if path == paths.blobs_dir:
        return "cached artifact files"
    if path == paths.partial_dir:
        return "unfinished downloads"
    if name.startswith(paths.catalog_path.name):
        return "catalog (workflows, runs, artifacts seen; pins)"
    if "note" in name:
        return "notes"
    if "index" in name or "search" in name:
        return "content search index"
    if path.parent == paths.log_dir:
        return "log"
    if path == paths.settings_path:
        return "settings"
    if name == "demo":
        return "demo session data"
    return name


def _folders(paths: AppPaths) -> list[Path]:
    seen: list[Path] = []
    for folder in (paths.cache_dir, paths.data_dir, paths.log_dir, paths.config_dir):
        if folder not in seen:
            seen.append(folder)
    return seen


def _home_root() -> Path | None:
    """ARTIFACT_VIEWER_HOME, if set: everything under it is the app's."""
    home = os.environ.get(HOME_ENV, "").strip()
    return Path(home).expanduser().resolve() if home else None


def _others(paths: AppPaths) -> list[Path]:
    """Entries under ARTIFACT_VIEWER_HOME outside the four app folders."""
    root = _home_root()
    if root is None or not root.is_dir():
        return []
    folders = _folders(paths)
    return [child for child in sorted(root.iterdir()) if child not in folders]


def _accounts(base_urls: Iterable[str]) -> list[str]:
    """Keyring entries the app may have made: API keys per base URL, the cache key, and any
    other entry of our service the keyring can enumerate."""
    from artifact_viewer.core.settings import normalize_base_url

    found: list[str] = []
    if not keyring_available():
        return found
    import keyring

    for url in base_urls:
        account = normalize_base_url(url)
        if account and account not in found:
            with contextlib.suppress(Exception):
                if keyring.get_password(KEYRING_SERVICE, account) is not None:
                    found.append(account)
    if load_master_key() is not None:
        found.append(MASTER_KEY_ACCOUNT)
    return found


def _base_urls(paths: AppPaths) -> list[str]:
    urls = [DEFAULT_BASE_URL, load_settings(paths).base_url]
    env = os.environ.get(BASE_URL_ENV, "").strip()
    if env:
        urls.append(env)
    return urls


def wipe_plan(paths: AppPaths) -> WipePlan:
    """What :func:`wipe` would remove, item by item (nothing is touched)."""
    plan = WipePlan()
    for folder in _folders(paths):
        if not folder.is_dir():
            continue
        for child in sorted(folder.iterdir()):
            if child in _folders(paths):
                continue  # a nested app folder is listed on its own
            files, size = _tally(child)
            plan.items.append(WipeItem(_describe(child, paths), child, files, size))
    for other in _others(paths):
        files, size = _tally(other)
        plan.items.append(WipeItem(other.name, other, files, size))
    plan.keyring_accounts = _accounts(_base_urls(paths))
    return plan


def _remove_tree(path: Path) -> None:
    def retry_writable(func, target, _exc):  # type: ignore[no-untyped-def]
        with contextlib.suppress(OSError):
            os.chmod(target, 0o700)
        func(target)

    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, onerror=retry_writable)
    else:
        path.unlink(missing_ok=True)


def wipe(paths: AppPaths) -> WipePlan:
    """Remove the app's folders (cache, catalog, notes, index, logs, settings) and its
    keyring entries; return what was there. Raises :class:`CacheError` naming what could
    not be removed (everything else is gone by then)."""
    plan = wipe_plan(paths)
    from artifact_viewer.core.logs import teardown_logging

    teardown_logging()
    for url in _base_urls(paths):
        forget_api_key(url)
    for account in plan.keyring_accounts:
        if account == MASTER_KEY_ACCOUNT:
            delete_master_key()
        else:
            forget_api_key(account)
    _forget_enumerable_entries()
    clear_session_keys()
    failed: list[str] = []
    for folder in [*_folders(paths), *_others(paths)]:
        try:
            _remove_tree(folder)
        except OSError as exc:
            failed.append(f"{folder} ({exc.strerror or exc})")
    if failed:
        raise CacheError(
            "Some of the app's files could not be removed: " + "; ".join(failed) + ".",
            hint="Close other copies of the app, then run the wipe again.",
        )
    return plan


def _forget_enumerable_entries() -> None:
    """Keyrings that can look entries up by service alone (Secret Service, macOS, Windows)
    give up the rest of ours this way; others answer None at once."""
    if not keyring_available():
        return
    import keyring

    for _ in range(100):  # a bound, in case a backend keeps answering the same entry
        try:
            credential = keyring.get_credential(KEYRING_SERVICE, None)
        except Exception:
            return
        if credential is None:
            return
        try:
            keyring.delete_password(KEYRING_SERVICE, credential.username)
        except Exception:
            return
