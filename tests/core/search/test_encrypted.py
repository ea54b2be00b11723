"""With the cache encrypted, the index reads the plaintext and never writes it to disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from artifact_viewer.core.crypto.convert import convert_cache
from artifact_viewer.core.crypto.sqlite import sqlcipher_available
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.search import Indexer, SearchIndex, parse_query
from artifact_viewer.core.search.finder import search

SECRET = "SSN-234-56-7890-secret"


def files_containing(root: Path, needle: bytes) -> list[Path]:
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink() and needle in path.read_bytes():
                found.append(path)
    return found


@pytest.mark.parametrize("binding", [True, False], ids=["sqlcipher", "no-binding"])
def test_an_encrypted_cache_is_indexed_from_its_plaintext_and_the_index_is_not_plain(
    library, fake_cloud, app_home, monkeypatch, binding
):
    if binding and not sqlcipher_available():
        pytest.skip("SQLCipher binding not installed")
    if not binding:
        monkeypatch.setattr("artifact_viewer.core.crypto.sqlite._cipher_module", lambda: None)
        monkeypatch.setattr("artifact_viewer.core.search.index.sqlcipher_available", lambda: False)
    fake_cloud.add("a1", f"id,note\nE1,{SECRET}\n".encode(), name="people.csv")
    convert_cache(library.catalog, library.blobs, encrypt=True)
    assert library.sync(all=True).ok
    index = SearchIndex.open(app_paths())
    try:
        assert index.mode == ("encrypted" if binding else "memory")
        Indexer(index, library.blobs).index_pending()
        hits = search(index, parse_query("234-56-7890")).hits
        assert [(h.artifact_id, h.location) for h in hits] == [("a1", {"row": 1, "column": "note"})]
    finally:
        index.close()
    library.close()
    assert files_containing(app_home, SECRET.encode()) == []
    assert files_containing(app_home, b"234-56") == []
