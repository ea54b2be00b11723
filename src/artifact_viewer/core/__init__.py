"""Qt-free heart of artifact-viewer: models, API client, catalog, cache, fetcher, sync."""
