"""The preview area: the previews package's host widget (one factory so tests can swap it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from artifact_viewer.previews.host import PreviewHost


def make_preview(parent: QWidget | None = None) -> PreviewHost:
    """The preview widget: ``show_file``, ``show_message``, ``clear`` and the host's signals."""
    host = PreviewHost(parent)
    host.setObjectName("previewHost")
    host.setAccessibleName("Preview")
    return host
