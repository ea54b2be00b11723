"""previews (Qt)."""

from artifact_viewer.qt import binding as _qtfix

# Before any previewer (or anything importing this package) emits a signal.
_qtfix.install()
