"""SQLite files of derived data (content search index, thumbnails) that follow the cache's
encryption: SQLCipher-encrypted while it is on, plain while it is off.

Derived data can always be rebuilt from the cached files, so a database in the wrong form
for the current setting (encryption was just turned on or off) is deleted and started
empty; its owner rebuilds it. Without the SQLCipher binding (``sqlcipher3``), a database
asked for while encryption is on lives in memory only, so nothing derived from file
contents reaches the disk unencrypted.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal, cast

from artifact_viewer.core.crypto.state import encryption_enabled
from artifact_viewer.core.paths import AppPaths, ensure_private_dir

log = logging.getLogger("artifact_viewer.crypto")

SQLITE_MAGIC = b"SQLite format 3\x00"
Mode = Literal["plain", "encrypted", "memory"]


@dataclass(frozen=True, slots=True)
class DerivedDb:
    """An open database and where it lives: a plain file, an encrypted file, or memory."""

    conn: sqlite3.Connection
    mode: Mode
    rebuilt: bool  # True: the file was new or started over; its owner fills it again


def _cipher_module() -> ModuleType | None:
    try:
        import sqlcipher3
    except ImportError:
        return None
    return cast(ModuleType, sqlcipher3)


def sqlcipher_available() -> bool:
    return _cipher_module() is not None


def _db_key(purpose: str) -> bytes:
    from artifact_viewer.core.crypto.keys import ensure_master_key, file_key

    return file_key(ensure_master_key(), b"derived-db:" + purpose.encode("utf-8"))


def _is_plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except FileNotFoundError:
        return False


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def open_derived_db(paths: AppPaths, path: Path, purpose: str) -> DerivedDb:
    """Open (creating) the derived database at ``path`` in the form the cache's encryption
    setting asks for. ``purpose`` (e.g. ``"content-index"``) picks its key."""
    if not encryption_enabled(paths):
        rebuilt = not path.exists()
        if path.exists() and not _is_plain_sqlite(path) and path.stat().st_size:
            log.info("Derived database %s was encrypted; starting it over in plain form", path.name)
            _remove_db(path)
            rebuilt = True
        ensure_private_dir(path.parent)
        return DerivedDb(sqlite3.connect(path, check_same_thread=False), "plain", rebuilt)
    module = _cipher_module()
    if module is None:
        if path.exists():
            _remove_db(path)  # a plain copy must not outlive turning encryption on
        log.info("No SQLCipher binding: derived database %s kept in memory", path.name)
        return DerivedDb(sqlite3.connect(":memory:", check_same_thread=False), "memory", True)
    rebuilt = not path.exists()
    if _is_plain_sqlite(path):
        log.info("Derived database %s was plain; starting it over encrypted", path.name)
        _remove_db(path)
        rebuilt = True
    ensure_private_dir(path.parent)
    conn = module.connect(str(path), check_same_thread=False)
    conn.execute(f"PRAGMA key = \"x'{_db_key(purpose).hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except Exception:  # written under another key (e.g. the keyring was reset)
        conn.close()
        log.info(
            "Derived database %s cannot be read with the current key; starting over", path.name
        )
        _remove_db(path)
        conn = module.connect(str(path), check_same_thread=False)
        conn.execute(f"PRAGMA key = \"x'{_db_key(purpose).hex()}'\"")
        rebuilt = True
    return DerivedDb(cast(sqlite3.Connection, conn), "encrypted", rebuilt)
