"""Compare in the window: Ctrl+D on two selected artifacts or two selected runs (Ctrl-click),
and "Compare with previous run" on a run. Added through :mod:`artifact_viewer.ui.extensions`.

The compare engine (numpy, pyarrow, the PDF and image diffs) and the view are imported and
built on first use: the window paints without them.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import user_message
from artifact_viewer.core.models import Artifact
from artifact_viewer.qt.worker import Task
from artifact_viewer.ui.extensions import WindowSlots
from artifact_viewer.ui.lazy import LazyWidget
from artifact_viewer.ui.models.navigator_model import ID_ROLE, KIND_ROLE, RUN

if TYPE_CHECKING:
    from artifact_viewer.core.compare import CompareOptions, RunPair
    from artifact_viewer.core.masking import Masker
    from artifact_viewer.ui.compare import work
    from artifact_viewer.ui.compare.view import CompareView

VIEW_KEY = "compare"


class CompareController(QObject):
    """Starts comparisons on the window's pools and shows their outcome in the compare view."""

    def __init__(self, slots: WindowSlots) -> None:
        super().__init__(slots.window)
        self.slots = slots
        #: what the window shows under VIEW_KEY: the compare view, built on first use
        self.placeholder: LazyWidget[CompareView] = LazyWidget(self._build_view, masks_values=True)
        self.task: Task | None = None
        self.token: CancelToken | None = None
        self._options: CompareOptions | None = None
        # The runs last compared and the pairs chosen by hand for them.
        self.runs: tuple[str, str] | None = None
        self.manual: list[tuple[str, str]] = []
        self.prepared: work.Prepared | None = None  # what the view shows
        slots.redaction().changed.connect(self._redaction_changed)

    def _build_view(self) -> CompareView:
        from artifact_viewer.ui.compare.view import CompareView

        view = CompareView(self.run_background)
        view.pair_opener = self.open_pair
        view.backRequested.connect(self.slots.show_preview)
        view.cancelRequested.connect(self.cancel)
        view.runs.pairRequested.connect(self.pair_by_hand)
        return view

    @property
    def view(self) -> CompareView:
        """The compare view (built, with the compare modules imported, on first use)."""
        return self.placeholder.widget()

    @property
    def options(self) -> CompareOptions:
        if self._options is None:
            from artifact_viewer.core.compare import CompareOptions

            self._options = CompareOptions()
        return self._options

    @options.setter
    def options(self, options: CompareOptions) -> None:
        self._options = options

    def masker(self) -> Masker | None:
        """The masker while the redacted view is on (values shown masked), else None."""
        masker: Masker | None = self.slots.redaction().active_masker()
        return masker

    # -- what is selected ------------------------------------------------------------------

    def selected_artifacts(self) -> list[Artifact]:
        artifact_list = self.slots.window.artifact_list
        rows = sorted(i.row() for i in artifact_list.view.selectionModel().selectedRows())
        found = [artifact_list.model.artifact_at(r) for r in rows]
        return [a for a in found if a is not None]

    def selected_runs(self) -> list[str]:
        navigator = self.slots.window.navigator
        out = []
        for index in navigator.view.selectionModel().selectedRows(0):
            if index.data(KIND_ROLE) == RUN:
                out.append(str(index.data(ID_ROLE)))
        return out

    def current_run(self) -> str | None:
        current = self.slots.window.navigator.current()
        if current is not None and current[0] == RUN:
            return str(current[1])
        artifact = self.slots.window.artifact_list.current_artifact()
        return artifact.workflow_run_id if artifact is not None else None

    # -- actions ---------------------------------------------------------------------------

    @Slot()
    def compare_selected(self) -> None:
        artifacts = self.selected_artifacts()
        if len(artifacts) == 2:
            a, b = sorted(artifacts, key=lambda x: (x.created_at is None, x.created_at))
            self.compare_artifacts(a.id, b.id, f"{a.name}  ->  {b.name}")
            return
        runs = self.selected_runs()
        if len(runs) == 2:
            self.compare_runs(runs[0], runs[1])
            return
        self.slots.services.bridge.info(
            "Select two artifacts or two runs (Ctrl-click), then Compare (Ctrl+D)."
        )

    @Slot()
    def compare_with_previous(self) -> None:
        self.compare_run_with_previous(self.current_run())

    def compare_run_with_previous(self, run_id: str | None) -> None:
        """Compare ``run_id`` with the previous run of its workflow (the run page's action)."""
        from artifact_viewer.ui.compare import work

        library = self.slots.services.library()
        if library is None or run_id is None:
            self.slots.services.bridge.info("Select a run first.")
            return
        previous = work.previous_run(library, run_id)
        if previous is None:
            self.slots.services.bridge.info("This run has no earlier run of its workflow.")
            return
        self.compare_runs(previous.id, run_id)

    def compare_artifacts(self, id_a: str, id_b: str, title: str) -> None:
        from artifact_viewer.ui.compare import work

        library = self.slots.services.library()
        if library is None:
            return
        compare = partial(work.compare_artifacts, masker=self.masker())
        self._start(title, compare, library, id_a, id_b, self.options)

    def compare_runs(self, run_a: str, run_b: str) -> None:
        from artifact_viewer.ui.compare import work

        library = self.slots.services.library()
        if library is None:
            return
        if self.runs != (run_a, run_b):
            self.runs, self.manual = (run_a, run_b), []
        title = f"Run {run_a[:8]}  ->  run {run_b[:8]}"
        manual = list(self.manual)
        self._start(title, work.compare_two_runs, library, run_a, run_b, self.options, manual)

    @Slot(str, str)
    def pair_by_hand(self, id_a: str, id_b: str) -> None:
        """Compare the runs again with this artifact of A paired with that one of B."""
        if self.runs is None:
            return
        self.manual.append((id_a, id_b))
        self.compare_runs(*self.runs)

    def open_pair(self, pair: RunPair) -> None:
        from artifact_viewer.ui.compare import work

        library = self.slots.services.library()
        if library is None:
            return
        self.view.title.setText(f"{self.view.title.text().split('  |  ')[0]}  |  {pair.name}")
        self.view.set_busy(True)
        self._launch(partial(work.prepare_pair, masker=self.masker()), library, pair)

    def _start(self, title: str, fn: Any, *args: Any) -> None:
        self.view.set_busy(True, title)
        self.slots.show_view(VIEW_KEY)
        self._launch(fn, *args)

    def _launch(self, fn: Any, *args: Any) -> None:
        self.cancel()
        self.token = CancelToken()
        self.task = self.slots.services.ops.run(
            fn,
            *args,
            on_result=self._on_result,
            on_error=self._on_error,
            on_progress=self.view.on_progress,
            download=True,
            cancel=self.token,
            on_partial=self._on_partial,
        )

    def run_background(self, fn: Any, *args: Any, on_result: Any) -> None:
        """Small follow-up work of a view (e.g. the table's row plan) on the data pool."""
        self.slots.services.ops.run(fn, *args, on_result=on_result, on_error=self._on_error)

    @Slot()
    def cancel(self) -> None:
        if self.task is not None and not self.task.finished:
            self.task.cancel()
            self.view.show_message("Cancelled.")
        self.task = None

    @Slot(object)
    def _on_partial(self, prepared: work.Prepared) -> None:
        """A first look (the first changed rows of big tables) while the comparison runs."""
        if self.task is not None and not self._needs_remask(prepared):
            self.view.show_partial(prepared)  # (made before the view was switched: skipped)

    @Slot(object)
    def _on_result(self, prepared: work.Prepared) -> None:
        from artifact_viewer.ui.compare import work

        self.task = None
        if self._needs_remask(prepared):
            # The redacted view was switched while it was made: never show it as it is.
            self._launch(work.prepare_again, prepared, self.masker())
            return
        self.prepared = prepared
        self.view.show_prepared(prepared)

    def _needs_remask(self, prepared: work.Prepared) -> bool:
        from artifact_viewer.core.compare import RunDiff

        if isinstance(prepared.diff, RunDiff):
            return False  # names and counts only
        return prepared.masked != (self.masker() is not None)

    @Slot(bool)
    def _redaction_changed(self, _on: bool) -> None:
        prepared = self.prepared
        if self.task is not None or prepared is None or not self._needs_remask(prepared):
            return  # a comparison still running is checked when it ends
        from artifact_viewer.ui.compare import work

        self.prepared = None
        self.view.set_busy(True)  # off the screen at once, back masked (or not) shortly
        self._launch(work.prepare_again, prepared, self.masker())

    @Slot(object)
    def _on_error(self, exc: BaseException) -> None:
        self.task = None
        self.view.show_message(user_message(exc))
        self.slots.services.bridge.error(exc, "Compare")


class CompareFeature:
    """Adds the compare view, Ctrl+D and "Compare with previous run" to the window."""

    def __init__(self) -> None:
        self.controller: CompareController | None = None

    def install(self, slots: WindowSlots) -> None:
        controller = CompareController(slots)
        self.controller = controller
        slots.add_view(VIEW_KEY, controller.placeholder)
        # Two artifacts or two runs are chosen with Ctrl-click (or Shift-click).
        extended = QAbstractItemView.SelectionMode.ExtendedSelection
        slots.window.artifact_list.view.setSelectionMode(extended)
        slots.window.navigator.view.setSelectionMode(extended)
        compare = QAction("&Compare selected", slots.window)
        compare.setShortcut("Ctrl+D")
        compare.setStatusTip("Compare two selected artifacts, or two selected runs")
        compare.triggered.connect(controller.compare_selected)
        previous = QAction("Compare with &previous run", slots.window)
        previous.setShortcut("Ctrl+Shift+D")
        previous.setStatusTip("Compare this run with the previous run of its workflow")
        previous.triggered.connect(controller.compare_with_previous)
        slots.needs_api(
            compare,
            "comparing files that are not cached needs the API to download them",
            when=lambda: (
                slots.uncached(slots.selected_artifact_ids())
                if len(slots.selected_artifact_ids()) >= 2
                else slots.uncached_runs(slots.window.navigator.selected_runs())
            ),
        )

        def previous_uncached() -> bool:
            library, run_id = slots.services.library(), controller.current_run()
            if library is None or run_id is None:
                return False
            from artifact_viewer.ui.compare import work

            earlier = work.previous_run(library, run_id)
            return slots.uncached_runs([run_id] + ([earlier.id] if earlier else []))

        slots.needs_api(
            previous,
            "these runs have files that are not cached; downloading them needs the API",
            when=previous_uncached,
        )
        menu = slots.menu("&Tools")
        menu.addAction(compare)
        menu.addAction(previous)
        slots.add_list_action(compare)
        slots.add_list_action(previous)
        slots.window.navigator.view.addAction(compare)
        slots.window.navigator.view.addAction(previous)
        self.compare_action, self.previous_action = compare, previous
