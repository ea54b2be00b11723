"""artifact-viewer: a local-first desktop viewer for Anon V2 workflow-run artifacts."""

__version__ = "0.1.0"
APP_NAME = "artifact-viewer"
