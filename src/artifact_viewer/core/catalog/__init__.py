"""The local catalog (SQLite): mirrored API resources plus cache bookkeeping.

``db`` holds the connection plumbing (:class:`CatalogDb`), ``cache_tables`` the local-state
tables on top of it (:class:`CacheTables`), ``catalog`` the resource tables and queries
(:class:`Catalog`, the one callers use), ``schema`` the migrations.
"""

from artifact_viewer.core.catalog.catalog import Catalog

__all__ = ["Catalog"]
