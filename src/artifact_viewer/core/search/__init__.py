"""Content search over the cached artifacts: extraction per kind, an SQLite FTS5 index, queries."""

from artifact_viewer.core.search.finder import Hit, SearchResult
from artifact_viewer.core.search.index import SCHEMA_VERSION, SearchIndex
from artifact_viewer.core.search.indexer import Indexer
from artifact_viewer.core.search.query import QueryError, SearchQuery, parse_query

__all__ = [
    "SCHEMA_VERSION",
    "Hit",
    "Indexer",
    "QueryError",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "parse_query",
]
