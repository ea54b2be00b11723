"""The details panel: every field of the selected artifact, its hash and verification state."""

from __future__ import annotations

import html
import json
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.core.textsafe import visible_text
from artifact_viewer.qt.elided import ElidedField
from artifact_viewer.ui import formatting as fmt

_VERIFY_TEXT = {
    CacheState.NOT_CACHED: "Not cached yet: it will be verified against the hash when downloaded.",
    CacheState.VERIFIED: "Cached; the bytes match the API's hash.",
    CacheState.MISMATCH: "The bytes did not match the API's hash; nothing unverified is kept.",
    CacheState.NOT_VERIFIABLE: "Cached, but the hash format is not one we can check.",
}


_EMPTY_TITLE = "Details"
_EMPTY_HINT = (
    "Select an artifact to see every field, its hash, whether the cached copy is verified, "
    "and links to its workflow and run."
)


class DetailsPanel(QWidget):
    """Shows one artifact; links jump to its workflow or run.

    Signals:
        linkActivated(kind, id): "workflow" or "run" with its id.
    """

    linkActivated = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsPanel")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._title = QLabel(_EMPTY_TITLE, self)
        self._title.setObjectName("detailsTitle")
        self._title.setWordWrap(True)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self._title.setFont(font)
        self._hint = QLabel(_EMPTY_HINT, self)
        self._hint.setObjectName("detailsHint")
        self._hint.setWordWrap(True)
        self._hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._form_host = QWidget(self)
        self._form = QFormLayout(self._form_host)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # In a narrow pane a value goes under its label instead of being cut off.
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._form.setContentsMargins(0, 4, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._form_host)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self._title)
        layout.addWidget(self._hint)
        layout.addWidget(scroll, 1)
        self._fields: dict[str, QLabel | QLineEdit] = {}
        self.artifact: Artifact | None = None

    @Slot()
    def focus_first(self) -> None:
        """Keyboard entry point (Alt+3): the first field, so Tab walks the rest."""
        if self._fields:
            next(iter(self._fields.values())).setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def field_text(self, label: str) -> str:
        """Plain text of one row (tests and accessibility)."""
        widget = self._fields.get(label)
        if isinstance(widget, ElidedField):
            return widget.value()
        return widget.text() if widget else ""

    def clear(self) -> None:
        self.artifact = None
        self._title.setText(_EMPTY_TITLE)
        self._hint.show()
        self._reset_rows()

    def _reset_rows(self) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self._fields.clear()

    def _add(self, label: str, value: str, *, mono: bool = False, rich: bool = False) -> QWidget:
        if mono:
            # Ids and hashes are long unbroken tokens: a read-only line scrolls and copies whole.
            # Shortened in the middle with an ellipsis until it has the focus (then whole).
            line = ElidedField(value, self._form_host)
            line.setFrame(False)
            line.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            line.setAccessibleName(label)
            line.setStyleSheet("QLineEdit { background: transparent; }")
            self._form.addRow(f"{label}:", line)
            self._fields[label] = line
            return line
        widget = QLabel(self._form_host)
        widget.setWordWrap(True)
        flags = (
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        if rich:
            flags |= Qt.TextInteractionFlag.TextBrowserInteraction
        widget.setTextInteractionFlags(flags)
        widget.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, text selectable
        if rich:
            widget.linkActivated.connect(self._on_link)
        widget.setText(value)
        widget.setAccessibleName(label)
        self._form.addRow(f"{label}:", widget)
        self._fields[label] = widget
        return widget

    def show_artifact(
        self,
        artifact: Artifact,
        state: CacheState,
        *,
        workflow_name: str = "",
        run: WorkflowRun | None = None,
    ) -> None:
        self.artifact = artifact
        self._title.setText(visible_text(artifact.name))
        self._hint.hide()
        self._reset_rows()
        self._add("Type", visible_text(artifact.type) or "—")
        self._add("MIME type", visible_text(artifact.mime_type) or "—")
        size = artifact.file_size
        self._add("Size", "—" if size is None else f"{fmt.human_size(size)} ({size:,} bytes)")
        self._add("Created", fmt.resource_time(artifact, "created_at", fmt.local_time) or "—")
        if artifact.updated_at is not None:
            self._add("Updated", fmt.local_time(artifact.updated_at))
        state_row = self._add("Cache", fmt.CACHE_LABELS[state])
        state_row.setToolTip(_VERIFY_TEXT[state])
        self._add("Verification", _VERIFY_TEXT[state])
        self._add(
            "File hash", artifact.file_hash or "— (none given: cannot be verified)", mono=True
        )
        wf_label = html.escape(
            visible_text(workflow_name) or fmt.short_id(artifact.workflow_id) or "—"
        )
        if artifact.workflow_id:
            self._add(
                "Workflow",
                f'<a href="workflow:{html.escape(artifact.workflow_id)}">{wf_label}</a>',
                rich=True,
            )
        if artifact.workflow_run_id:
            run_text = f"Run {fmt.short_id(artifact.workflow_run_id)}"
            if run is not None:
                run_text += f" · {fmt.status_label(run.status)}"
            self._add(
                "Run",
                f'<a href="run:{html.escape(artifact.workflow_run_id)}">{html.escape(run_text)}</a>',
                rich=True,
            )
        self._add("Artifact id", artifact.id, mono=True)
        if artifact.storage_path:
            self._add("Storage path", artifact.storage_path, mono=True)
        if artifact.organization_id:
            self._add("Organisation", artifact.organization_id, mono=True)
        for key, value in sorted(artifact.extra.items()):
            if key.lower().startswith("signed"):
                continue  # signed URLs are secrets, never shown
            self._add(key, _plain(value), mono=not isinstance(value, str))
        self.set_state(state)

    def set_state(self, state: CacheState) -> None:
        """Refresh the cache/verification rows (after a download or a verify)."""
        if "Cache" in self._fields:
            self._fields["Cache"].setText(fmt.CACHE_LABELS[state])
            self._fields["Cache"].setToolTip(_VERIFY_TEXT[state])
        if "Verification" in self._fields:
            self._fields["Verification"].setText(_VERIFY_TEXT[state])

    @Slot(str)
    def _on_link(self, href: str) -> None:
        kind, _, ident = href.partition(":")
        if kind in ("workflow", "run") and ident:
            self.linkActivated.emit(kind, ident)


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)
