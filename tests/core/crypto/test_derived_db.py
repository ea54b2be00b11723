"""Derived databases (search index, thumbnails) follow the cache's encryption setting."""

from __future__ import annotations

import sqlite3

import pytest

from artifact_viewer.core.crypto import sqlite as derived
from artifact_viewer.core.crypto.state import set_encryption_enabled
from artifact_viewer.core.paths import app_paths

SECRET = "employee 234-56-7890 salary 85000"


def _fill(db: derived.DerivedDb) -> None:
    db.conn.execute("CREATE TABLE IF NOT EXISTS docs (body TEXT)")
    db.conn.execute("INSERT INTO docs VALUES (?)", (SECRET,))
    db.conn.commit()


def _file_bytes(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_plain_while_encryption_is_off() -> None:
    paths = app_paths().ensure()
    path = paths.data_dir / "content-index.sqlite3"
    db = derived.open_derived_db(paths, path, "content-index")
    assert db.mode == "plain" and db.rebuilt
    _fill(db)
    db.conn.close()
    assert SECRET.encode() in _file_bytes(path)


@pytest.mark.skipif(not derived.sqlcipher_available(), reason="SQLCipher binding not installed")
def test_encrypted_with_sqlcipher_while_encryption_is_on_and_rebuilt_on_a_switch() -> None:
    paths = app_paths().ensure()
    path = paths.data_dir / "content-index.sqlite3"
    plain = derived.open_derived_db(paths, path, "content-index")
    _fill(plain)
    plain.conn.close()
    set_encryption_enabled(paths.cache_dir, True)
    db = derived.open_derived_db(paths, path, "content-index")
    assert db.mode == "encrypted" and db.rebuilt  # the plain copy is gone
    _fill(db)
    db.conn.close()
    assert SECRET.encode() not in _file_bytes(path)
    again = derived.open_derived_db(paths, path, "content-index")
    assert not again.rebuilt
    assert again.conn.execute("SELECT body FROM docs").fetchall() == [(SECRET,)]
    again.conn.close()
    with pytest.raises(sqlite3.DatabaseError):  # stdlib sqlite cannot read it
        sqlite3.connect(path).execute("SELECT * FROM docs").fetchall()
    set_encryption_enabled(paths.cache_dir, False)
    back = derived.open_derived_db(paths, path, "content-index")
    assert back.mode == "plain" and back.rebuilt
    back.conn.close()


def test_kept_in_memory_when_encryption_is_on_without_sqlcipher(monkeypatch) -> None:
    monkeypatch.setattr(derived, "_cipher_module", lambda: None)
    paths = app_paths().ensure()
    path = paths.data_dir / "content-index.sqlite3"
    old = derived.open_derived_db(paths, path, "content-index")
    _fill(old)
    old.conn.close()
    set_encryption_enabled(paths.cache_dir, True)
    db = derived.open_derived_db(paths, path, "content-index")
    assert db.mode == "memory"
    _fill(db)
    db.conn.close()
    assert not path.exists()
