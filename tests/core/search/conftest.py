"""Fixtures: a library on the in-memory cloud with a search index and indexer beside it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.search import Indexer, SearchIndex, SearchResult, parse_query
from artifact_viewer.core.search.finder import search


@dataclass
class SearchStore:
    library: Library
    cloud: object
    index: SearchIndex
    indexer: Indexer

    def add(self, artifact_id: str, data: bytes, name: str, **kwargs: object) -> None:
        self.cloud.add(artifact_id, data, name=name, **kwargs)  # type: ignore[attr-defined]

    def sync(self) -> None:
        report = self.library.sync(all=True)
        assert report.ok, report

    def find(self, text: str, limit: int = 50) -> SearchResult:
        self.indexer.index_pending()
        return search(self.index, parse_query(text), limit=limit)


@pytest.fixture
def search_store(library: Library, fake_cloud: object) -> Iterator[SearchStore]:
    index = SearchIndex.open(app_paths())
    indexer = Indexer(index, library.blobs)
    library.blob_events.subscribe(indexer)
    yield SearchStore(library, fake_cloud, index, indexer)
    indexer.stop()
    index.close()
