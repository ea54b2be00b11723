"""The run page: what a run is (workflow, status and step, times, job run, who started it),
what it produced (artifacts by type with cache states), notes, actions, and its timeline.

Shows what it is given; loading and polling belong to ``RunPageController``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

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
from artifact_viewer.core.store_models import CacheState
from artifact_viewer.core.watch import is_finished
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.icons import cache_icon, status_icon
from artifact_viewer.ui.panes.timeline_view import TimelineView

if TYPE_CHECKING:
    from artifact_viewer.core.run_story import RunSummary  # numpy comes with it

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
        openFirstErrorRequested(), saveRunRequested(), compareRequested()
        editNoteRequested(): the person wants to write or change the run's note.
        artifactActivated(object): an artifact chosen in the list (to preview it).
    """

    watchToggled = Signal(bool)
    watchWorkflowToggled = Signal(bool)
    pinToggled = Signal(bool)
    openFirstErrorRequested = Signal()
    saveRunRequested = Signal()
    compareRequested = Signal()
    editNoteRequested = Signal()
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
        # Two columns of facts, so the timeline keeps most of the height on small screens.
        form = QFormLayout()
        form.addRow("Status", self.status)
        form.addRow("Started", self.started)
        form.addRow("Ended", self.ended)
        form.addRow("Duration", self.duration)
        side = QFormLayout()
        side.addRow("Job run", self.job_run)
        side.addRow("Started by", self.started_by)
        facts = QHBoxLayout()
        facts.addLayout(form, 1)
        facts.addSpacing(24)
        facts.addLayout(side, 1)
        self.notes = QLabel(self)
        self.notes.setObjectName("runNotes")
        self.notes.setWordWrap(True)
        # The person's own note on the run (written in the Notes pane).
        self.user_note = QLabel(self)
        self.user_note.setObjectName("runUserNote")
        self.user_note.setWordWrap(True)
        self.user_note.setTextFormat(Qt.TextFormat.PlainText)
        self.user_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.edit_note = QPushButton("Add note…", self)
        self.edit_note.setToolTip("Write a note on this run in the Notes pane")
        note_row = QHBoxLayout()
        note_row.addWidget(self.user_note, 1)
        note_row.addWidget(self.edit_note, 0, Qt.AlignmentFlag.AlignTop)
        side.addRow("Note", note_row)
        self.set_user_note(None)
        self.first_error = QPushButton("Open first error", self)
        self.first_error.setToolTip("Show the first error line of the run's log (F8: the next)")
        self.pin = QPushButton("Pin run", self)
        self.pin.setCheckable(True)
        self.pin.setToolTip("Keep every artifact of this run for offline use")
        self.save_run = QPushButton("Save run…", self)
        self.save_run.setToolTip("Save every artifact of this run into a folder")
        self.compare = QPushButton("Compare with previous run", self)
        self.compare.setToolTip("Compare this run with the previous run of its workflow")
        self.watch = QCheckBox("Watch this run", self)
        self.watch_workflow = QCheckBox("Watch this workflow", self)
        actions = QHBoxLayout()
        for widget in (
            self.first_error,
            self.pin,
            self.save_run,
            self.compare,
            self.watch,
            self.watch_workflow,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        self.artifacts = QTreeWidget(self)
        self.artifacts.setObjectName("runArtifacts")
        self.artifacts.setHeaderLabels(["Artifact", "Size", "Created", "Cache"])
        self.artifacts.setRootIsDecorated(True)
        self.artifacts.setUniformRowHeights(True)
        self.timeline = TimelineView(self)
        # The run's artifacts and its timeline share the height below the header; the
        # timeline (log beside the screenshot) gets most of it.
        self.artifacts.setMinimumHeight(60)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.setObjectName("runPageSplit")
        self.split.addWidget(self.artifacts)
        self.split.addWidget(self.timeline)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 4)
        self.split.setCollapsible(1, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addLayout(facts)
        layout.addWidget(self.notes)
        layout.addLayout(actions)
        layout.addWidget(self.split, 1)
        self.watch.toggled.connect(self.watchToggled)
        self.watch_workflow.toggled.connect(self.watchWorkflowToggled)
        self.pin.toggled.connect(self.pinToggled)
        self.pin.toggled.connect(self._label_pin)
        self.first_error.clicked.connect(self.openFirstErrorRequested)
        self.save_run.clicked.connect(self.saveRunRequested)
        self.compare.clicked.connect(self.compareRequested)
        self.edit_note.clicked.connect(self.editNoteRequested)
        self.artifacts.itemActivated.connect(self._on_activated)
        self._notes: dict[str, str] = {}

    def heightForWidth(self, width: int) -> int:
        """The least height at ``width`` (the wrapped notes need it): in a resizable scroll
        area the page then fills the height it is given and scrolls only below that."""
        layout = self.layout()
        least = layout.minimumHeightForWidth(width) if layout is not None else -1
        return max(least, self.minimumHeight())

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
        self.set_user_note(None)
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

    def set_cache_states(self, states: dict[str, CacheState]) -> None:
        """New cache states of the listed artifacts (after the timeline fetched some)."""
        if self.summary is not None:
            self.summary.states.update(states)
        for i in range(self.artifacts.topLevelItemCount()):
            group = self.artifacts.topLevelItem(i)
            for j in range(group.childCount() if group is not None else 0):
                row = group.child(j) if group is not None else None
                art = row.data(0, ARTIFACT_ROLE) if row is not None else None
                if row is None or not isinstance(art, Artifact) or art.id not in states:
                    continue
                state = states[art.id]
                row.setText(3, fmt.CACHE_LABELS.get(state, state.name))
                row.setIcon(3, cache_icon(state))

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

    def set_user_note(self, text: str | None) -> None:
        """The person's note on the run (None or empty: there is none)."""
        if text:
            self.user_note.setText(text)
            self.user_note.setEnabled(True)
            self.edit_note.setText("Edit note…")
        else:
            self.user_note.setText("No note.")
            self.user_note.setEnabled(False)  # drawn as a hint, not as content
            self.edit_note.setText("Add note…")

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
