"""The run page: what a run is (workflow, status and step, times, job run, who started it),
what it produced (artifacts by type with cache states), notes, actions, and its timeline.

Shows what it is given; loading and polling belong to ``RunPageController``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.run_story import RunSummary
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.core.watch import is_finished
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.icons import cache_icon, status_icon
from artifact_viewer.ui.panes.timeline_view import TimelineView

ARTIFACT_ROLE = Qt.ItemDataRole.UserRole + 1


def status_text(run: WorkflowRun) -> str:
    """``Failed at Entering credentials``, ``Running: Verifying MFA``, ``Completed``."""
    label = fmt.status_label(run.status)
    step = fmt.state_label(run.current_state_name)
    if not step:
        return label
    if run.status == "FAILED":
        return f"{label} at {step}"
    if is_finished(run):
        return label
    return f"{label}: {step}"


class RunPage(QWidget):
    """One run, top to bottom. Emits what the person asks for.

    Signals:
        watchToggled(bool), watchWorkflowToggled(bool), pinToggled(bool)
        openFirstErrorRequested()
        artifactActivated(object): an artifact chosen in the list (to preview it).
    """

    watchToggled = Signal(bool)
    watchWorkflowToggled = Signal(bool)
    pinToggled = Signal(bool)
    openFirstErrorRequested = Signal()
    artifactActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runPage")
        self.summary: RunSummary | None = None
        self.title = QLabel(self)
        self.title.setObjectName("runTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.status = QLabel(self)
        self.status.setObjectName("runStatus")
        self.started, self.ended, self.duration = QLabel(self), QLabel(self), QLabel(self)
        self.job_run, self.started_by = QLabel(self), QLabel(self)
        for label in (self.status, self.started, self.ended, self.job_run, self.started_by):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Status", self.status)
        form.addRow("Started", self.started)
        form.addRow("Ended", self.ended)
        form.addRow("Duration", self.duration)
        form.addRow("Job run", self.job_run)
        form.addRow("Started by", self.started_by)
        self.notes = QLabel(self)
        self.notes.setObjectName("runNotes")
        self.notes.setWordWrap(True)
        self.first_error = QPushButton("Open first error", self)
        self.pin = QPushButton("Pin run", self)
        self.pin.setCheckable(True)
        self.watch = QCheckBox("Watch this run", self)
        self.watch_workflow = QCheckBox("Watch this workflow", self)
        actions = QHBoxLayout()
        for widget in (self.first_error, self.pin, self.watch, self.watch_workflow):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.artifacts = QTreeWidget(self)
        self.artifacts.setObjectName("runArtifacts")
        self.artifacts.setHeaderLabels(["Artifact", "Size", "Created", "Cache"])
        self.artifacts.setRootIsDecorated(True)
        self.artifacts.setUniformRowHeights(True)
        self.timeline = TimelineView(self)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.title)
        top_layout.addLayout(form)
        top_layout.addWidget(self.notes)
        top_layout.addLayout(actions)
        top_layout.addWidget(self.artifacts, 1)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(top)
        split.addWidget(self.timeline)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split)
        self.watch.toggled.connect(self.watchToggled)
        self.watch_workflow.toggled.connect(self.watchWorkflowToggled)
        self.pin.toggled.connect(self.pinToggled)
        self.pin.toggled.connect(self._label_pin)
        self.first_error.clicked.connect(self.openFirstErrorRequested)
        self.artifacts.itemActivated.connect(self._on_activated)
        self._notes: dict[str, str] = {}

    # -- content ---------------------------------------------------------------------------
    def show_loading(self, run_id: str) -> None:
        self.summary = None
        self.title.setText(f"Run {fmt.short_id(run_id)}")
        self.status.setText("Loading…")
        for label in (self.started, self.ended, self.duration, self.job_run, self.started_by):
            label.setText("")
        self.artifacts.clear()
        self._notes.clear()
        self._show_notes()
        self.timeline.clear()

    def set_summary(self, summary: RunSummary, *, watched: bool, workflow_watched: bool) -> None:
        self.summary = summary
        workflow = summary.workflow
        name = (
            workflow.name if workflow else None
        ) or f"Workflow {fmt.short_id(summary.run.workflow_id)}"
        provider = fmt.provider_label(workflow.source_provider if workflow else None)
        self.title.setText(f"{name} — {provider}" if provider else name)
        self.update_run(summary.run)
        self._fill_artifacts(summary)
        for box, value in ((self.watch, watched), (self.watch_workflow, workflow_watched)):
            box.blockSignals(True)
            box.setChecked(value)
            box.blockSignals(False)
        self.pin.blockSignals(True)
        self.pin.setChecked(summary.pinned)
        self.pin.blockSignals(False)
        self._label_pin(summary.pinned)

    def update_run(self, run: WorkflowRun) -> None:
        """Status, step and times of ``run``, in place."""
        if self.summary is not None:
            self.summary.run = run
        self.status.setText(status_text(run))
        self.status.setToolTip(run.status or "")
        colour = fmt.status_colour(run.status, self.palette())
        self.status.setStyleSheet(f"color: {colour.name()}; font-weight: bold" if colour else "")
        self.started.setText(fmt.local_time(run.created_at) or "—")
        if run.completed_at is not None:
            self.ended.setText(fmt.local_time(run.completed_at))
            self.duration.setText(fmt.duration(run.duration_seconds))
        else:
            self.ended.setText("not yet" if not is_finished(run) else "—")
            running = (
                (datetime.now(UTC) - run.created_at).total_seconds() if run.created_at else None
            )
            self.duration.setText(f"{fmt.duration(running)} so far" if running else "—")
        self.job_run.setText(
            fmt.short_id(run.job_run_id) if run.job_run_id else "none (started on its own)"
        )
        self.job_run.setToolTip(run.job_run_id or "")
        self.started_by.setText(
            fmt.short_id(run.created_by_user_id)
            if run.created_by_user_id
            else "not given by the API"
        )
        self.started_by.setToolTip(run.created_by_user_id or "")
        self.set_note(
            "live", "" if is_finished(run) else "Live: this page updates as the run goes."
        )

    def _fill_artifacts(self, summary: RunSummary) -> None:
        self.artifacts.clear()
        for kind, items in summary.groups():
            group = QTreeWidgetItem([f"{kind.replace('_', ' ')} ({len(items)})"])
            group.setFirstColumnSpanned(False)
            for art in items:
                state = summary.states.get(art.id, CacheState.NOT_CACHED)
                row = QTreeWidgetItem(
                    [
                        art.name,
                        fmt.human_size(art.file_size),
                        fmt.local_time(art.created_at),
                        fmt.CACHE_LABELS.get(state, state.name),
                    ]
                )
                row.setIcon(3, cache_icon(state))
                row.setData(0, ARTIFACT_ROLE, art)
                if state == CacheState.MISMATCH:
                    row.setForeground(3, QBrush(self.palette().color(self.foregroundRole())))
                group.addChild(row)
            self.artifacts.addTopLevelItem(group)
            group.setExpanded(True)
        for column in range(4):
            self.artifacts.resizeColumnToContents(column)
        if summary.run.status:
            self.setWindowIcon(status_icon(summary.run.status))

    def artifact_names(self) -> list[str]:
        names: list[str] = []
        for i in range(self.artifacts.topLevelItemCount()):
            group = self.artifacts.topLevelItem(i)
            if group is None:
                continue
            for j in range(group.childCount()):
                child = group.child(j)
                if child is not None:
                    names.append(child.text(0))
        return names

    def set_note(self, key: str, text: str) -> None:
        """One line of the notes (by key; empty text removes it)."""
        if text:
            self._notes[key] = text
        else:
            self._notes.pop(key, None)
        self._show_notes()

    def _show_notes(self) -> None:
        self.notes.setText("\n".join(self._notes.values()))
        self.notes.setVisible(bool(self._notes))

    def show_gone(self) -> None:
        self.status.setText("Deleted")
        self.status.setStyleSheet("")
        self.set_note("live", "")
        self.set_note("gone", "The API no longer knows this run: it was deleted, or this key "
                              "may no longer see it. What is cached stays available.")  # fmt: skip

    @Slot(bool)
    def _label_pin(self, pinned: bool) -> None:
        self.pin.setText("Pinned for offline" if pinned else "Pin run")

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        art = item.data(0, ARTIFACT_ROLE)
        if isinstance(art, Artifact):
            self.artifactActivated.emit(art)
