"""Bundles: runs exported to one verified zip (records, files, notes) and imported elsewhere.

The format (``manifest.json`` v1) is described in :mod:`.manifest`; :func:`export_runs`
writes one, :func:`import_bundle` checks one completely before adding anything.
"""

from __future__ import annotations

from artifact_viewer.core.bundle.export import ExportReport, export_runs
from artifact_viewer.core.bundle.importer import ImportReport, import_bundle
from artifact_viewer.core.bundle.manifest import FORMAT_NAME, FORMAT_VERSION

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ExportReport",
    "ImportReport",
    "export_runs",
    "import_bundle",
]
