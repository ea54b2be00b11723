"""previews (Qt)."""

from artifact_viewer.previews import qtfix as _qtfix

# Before any previewer (or anything importing this package) emits a signal.
_qtfix.install()
