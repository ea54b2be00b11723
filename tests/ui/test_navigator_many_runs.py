"""The navigator with a thousand runs in one open workflow: a filter shows exactly the runs
it keeps, keeps the workflow open and the current run (when it stays), and clearing it
brings every run back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex

from artifact_viewer.core.models import Workflow, WorkflowRun
from artifact_viewer.ui.models.filter_spec import parse_filter
from artifact_viewer.ui.models.navigator_model import ID_ROLE, KIND_ROLE, RUN, WORKFLOW, TreeData
from artifact_viewer.ui.panes.navigator import Navigator


def _visible_runs(nav: Navigator) -> list[str]:
    proxy, found = nav.proxy, []

    def walk(parent: QModelIndex) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            if index.data(KIND_ROLE) == RUN:
                found.append(index.data(ID_ROLE))
            walk(index)

    walk(QModelIndex())
    return found


def test_filtering_a_thousand_runs_keeps_exactly_the_matches(qtbot: Any) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    runs = [
        WorkflowRun(
            id=f"run-{i:05d}",
            workflow_id="wf",
            status="FAILED" if i % 7 == 0 else "COMPLETED",
            created_at=start + timedelta(minutes=10 * i),
        )
        for i in range(1000)
    ]
    nav = Navigator()
    qtbot.addWidget(nav)
    nav.resize(320, 700)
    nav.show()
    nav.set_tree(TreeData([Workflow(id="wf", name="Bulk export")], {"wf": runs}, [], set(), {}))
    nav.view.expandAll()
    assert nav.select(RUN, "run-00014")  # a failed one: it stays under status:failed
    failed = {r.id for r in runs if r.status == "FAILED"}
    nav.set_filter(parse_filter("status:failed"), failed)
    assert set(_visible_runs(nav)) == failed
    assert nav.current() == (RUN, "run-00014")
    workflow = nav.proxy.mapFromSource(nav.model.find(WORKFLOW, "wf"))
    assert nav.view.isExpanded(workflow)
    half = {r.id for r in runs[::2]}
    nav.set_filter(parse_filter("records"), half)
    assert set(_visible_runs(nav)) == half
    nav.set_filter(parse_filter(""), None)
    assert len(_visible_runs(nav)) == 1000
    assert nav.view.isExpanded(nav.proxy.mapFromSource(nav.model.find(WORKFLOW, "wf")))


def test_header_sorts_keep_the_fixed_rows_on_top_and_the_current_run(
    qtbot: Any, qtmodeltester: Any
) -> None:
    from PySide6.QtCore import Qt

    from artifact_viewer.ui.models.navigator_model import ALL, OFFLINE

    start = datetime(2026, 1, 1, tzinfo=UTC)
    runs = {
        wf: [
            WorkflowRun(
                id=f"{wf}-run-{i}",
                workflow_id=wf,
                status=("FAILED", "COMPLETED", "PENDING")[i % 3],
                created_at=start + timedelta(hours=i, minutes=7 * len(wf)),
            )
            for i in range(5)
        ]
        for wf in ("wf-b", "wf-a")
    }
    workflows = [Workflow(id="wf-b", name="Beta"), Workflow(id="wf-a", name="Alpha")]
    offline = [runs["wf-a"][0], runs["wf-b"][3]]
    nav = Navigator()
    qtbot.addWidget(nav)
    nav.show()
    nav.set_tree(TreeData(workflows, runs, offline, set(), {}))
    nav.view.expandAll()
    assert nav.select(RUN, "wf-b-run-2")
    proxy = nav.proxy

    def top() -> list[str]:
        return [proxy.index(r, 0).data(ID_ROLE) for r in range(proxy.rowCount())]

    def runs_of(workflow: str) -> list[str]:
        parent = proxy.mapFromSource(nav.model.find(WORKFLOW, workflow))
        return [proxy.index(r, 0, parent).data(ID_ROLE) for r in range(proxy.rowCount(parent))]

    nav.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by name, then by time
    assert top() == [ALL, OFFLINE, "wf-a", "wf-b"]
    assert runs_of("wf-b") == [f"wf-b-run-{i}" for i in range(5)]
    nav.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert top() == [ALL, OFFLINE, "wf-b", "wf-a"]  # fixed rows stay first either way
    assert runs_of("wf-b") == [f"wf-b-run-{i}" for i in reversed(range(5))]
    nav.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # by status
    statuses = [
        proxy.index(r, 1, proxy.mapFromSource(nav.model.find(WORKFLOW, "wf-a"))).data()
        for r in range(5)
    ]
    assert statuses == sorted(statuses, key=lambda s: s.split()[0])
    assert nav.current() == (RUN, "wf-b-run-2")  # the current run survives every sort
    from artifact_viewer.ui.models.navigator_model import NavigatorModel

    model = NavigatorModel()
    model.set_tree(TreeData(workflows, runs, offline, set(), {}))
    model.sort(2, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model, force_py=True)


class _Listing:
    """What ``load_tree`` reads: workflows and runs in the order a catalog lists them."""

    def __init__(self, workflows: list[Workflow], runs: list[WorkflowRun]) -> None:
        self._workflows, self._runs = workflows, runs

    def workflows(self) -> list[Workflow]:
        return self._workflows

    def runs(self) -> list[WorkflowRun]:
        return self._runs

    def offline_runs(self) -> list[WorkflowRun]:
        return self._runs[::50]

    def is_pinned(self, _run_id: str) -> bool:
        return False

    def import_marks(self) -> dict[str, Any]:
        return {}


def test_a_listing_grouped_off_the_gui_thread_shows_runs_in_each_sort_order(
    qtbot: Any, qtmodeltester: Any
) -> None:
    import random

    from PySide6.QtCore import Qt

    from artifact_viewer.ui.controllers.browser import load_tree
    from artifact_viewer.ui.models.navigator_model import OFFLINE

    start = datetime(2026, 1, 1, tzinfo=UTC)
    shuffle = random.Random(7)
    runs = [
        WorkflowRun(
            id=f"run-{i:04d}",
            workflow_id=("wf-a", "wf-b", "wf-c")[i % 3],
            status="FAILED" if i % 5 == 0 else "COMPLETED",
            created_at=start + timedelta(minutes=shuffle.randrange(200)),  # ties too
        )
        for i in range(600)
    ]
    shuffle.shuffle(runs)
    workflows = [Workflow(id=w, name=w.upper()) for w in ("wf-c", "wf-a", "wf-b")]
    tree = load_tree(_Listing(workflows, runs), None, None)  # type: ignore[arg-type]
    nav = Navigator()
    qtbot.addWidget(nav)
    nav.show()
    nav.set_tree(tree)
    model = nav.model

    def runs_under(kind: str, ident: str) -> list[str]:
        parent = nav.proxy.mapFromSource(model.find(kind, ident))
        return [
            nav.proxy.index(r, 0, parent).data(ID_ROLE) for r in range(nav.proxy.rowCount(parent))
        ]

    def by_start(section: list[WorkflowRun], descending: bool) -> list[str]:
        return [r.id for r in sorted(section, key=lambda r: r.created_at, reverse=descending)]

    def check(descending: bool) -> None:
        for wf in ("wf-a", "wf-b", "wf-c"):
            mine = [r for r in runs if r.workflow_id == wf]
            assert runs_under(WORKFLOW, wf) == by_start(mine, descending)
            assert model.failed_runs(wf) == sum(r.status == "FAILED" for r in mine)
        assert runs_under(OFFLINE, OFFLINE) == by_start(runs[::50], descending)

    check(descending=True)  # the navigator opens newest first
    nav.view.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    check(descending=False)
    nav.set_tree(load_tree(_Listing(workflows, runs), None, None))  # type: ignore[arg-type]
    check(descending=False)  # a new listing keeps the order the user chose
    nav.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    nav.set_tree(load_tree(_Listing(workflows, runs), None, None))  # type: ignore[arg-type]
    check(descending=True)
    from artifact_viewer.ui.models.navigator_model import NavigatorModel

    alone = NavigatorModel()  # the tester outlives the navigator's own model
    alone.sort(2, Qt.SortOrder.DescendingOrder)
    alone.set_tree(tree)
    qtmodeltester.check(alone, force_py=True)


def _flows_of_runs(
    flows: int, per_flow: int, failed: Callable[[int, int], bool]
) -> tuple[list[Workflow], dict[str, list[WorkflowRun]]]:
    """``flows`` workflows of ``per_flow`` runs ten minutes apart; ``failed(w, i)`` marks the
    failed ones."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    workflows = [Workflow(id=f"wf-{w}", name=f"Flow {w}") for w in range(flows)]
    runs = {
        wf.id: [
            WorkflowRun(
                id=f"{wf.id}-run-{i}",
                workflow_id=wf.id,
                status="FAILED" if failed(w, i) else "COMPLETED",
                created_at=start + timedelta(minutes=10 * i + w),
            )
            for i in range(per_flow)
        ]
        for w, wf in enumerate(workflows)
    }
    return workflows, runs


def _shown(nav: Navigator) -> tuple[list[str], list[str], list[str]]:
    """The rows the view shows (workflows and runs under open workflows), the open ones and
    the top rows that do not span every column."""
    proxy, view, rows, opened, unspanned = nav.proxy, nav.view, [], [], []
    for row in range(proxy.rowCount()):
        index = proxy.index(row, 0)
        rows.append(str(index.data(ID_ROLE)))
        if not view.isFirstColumnSpanned(row, QModelIndex()):
            unspanned.append(str(index.data(ID_ROLE)))
        if view.isExpanded(index):
            opened.append(str(index.data(ID_ROLE)))
            rows += [
                str(proxy.index(r, 0, index).data(ID_ROLE)) for r in range(proxy.rowCount(index))
            ]
    return rows, opened, unspanned


def _flows(ids: list[str]) -> list[str]:
    """The workflows among ``ids`` (a filter marks the fixed rows open too, as expandAll)."""
    return [i for i in ids if i.startswith("wf-")]


def test_a_sequence_of_filters_shows_what_one_filter_from_scratch_shows(qtbot: Any) -> None:
    workflows, runs = _flows_of_runs(6, 40, lambda w, i: (i + w) % 5 == 0)
    every = [r for rs in runs.values() for r in rs]
    steps = [
        ("status:failed", {r.id for r in every if r.status == "FAILED"}),
        ("records", {r.id for r in every if r.workflow_id in ("wf-1", "wf-4")}),  # fewer flows
        ("report", {r.id for r in every[::3]}),  # flows come back
        ("", None),
        ("status:failed", {r.id for r in every if r.status == "FAILED"}),
    ]

    def navigator() -> Navigator:
        nav = Navigator()
        qtbot.addWidget(nav)
        nav.resize(320, 700)
        nav.show()
        nav.set_tree(TreeData(workflows, runs, [], set(), {}))
        nav.set_expanded_ids(["wf-2"])  # the user's own
        return nav

    nav = navigator()
    for text, kept in steps:
        nav.set_filter(parse_filter(text), kept)
        fresh = navigator()
        if text:
            fresh.set_filter(parse_filter(text), kept)
        qtbot.wait(1)  # the spans wait for the view's layout, one event-loop turn
        assert _shown(nav) == _shown(fresh)
        assert _shown(nav)[2] == []
    assert sorted(_flows(_shown(nav)[1])) == [
        f"wf-{w}" for w in range(6) if any(r.status == "FAILED" for r in runs[f"wf-{w}"])
    ]


def test_clearing_a_filter_reopens_the_users_workflows_over_a_few_turns(qtbot: Any) -> None:
    from artifact_viewer.ui.panes.navigator import REOPEN_RUNS_PER_TURN

    per_flow = REOPEN_RUNS_PER_TURN // 2 + 1  # two open workflows fill more than one turn
    workflows, runs = _flows_of_runs(5, per_flow, lambda w, i: i % 9 == 0)
    mine = ["wf-0", "wf-2", "wf-3", "wf-4"]

    def navigator() -> Navigator:
        nav = Navigator()
        qtbot.addWidget(nav)
        nav.resize(320, 700)
        nav.show()
        nav.set_tree(TreeData(workflows, runs, [], set(), {}))
        nav.set_expanded_ids(mine)
        return nav

    nav = navigator()
    assert nav.select(RUN, "wf-3-run-9")
    failed = {r.id for rs in runs.values() for r in rs if r.status == "FAILED"}
    nav.set_filter(parse_filter("status:failed"), failed)
    nav.set_filter(parse_filter(""), None)
    assert sorted(nav.expanded_ids()) == mine  # the ones still to reopen count as open
    opened_now = [
        w for w in mine if nav.view.isExpanded(nav.proxy.mapFromSource(nav.model.find(WORKFLOW, w)))
    ]
    assert opened_now == ["wf-3"]  # the current run's workflow stays open throughout
    assert nav.current() == (RUN, "wf-3-run-9")
    qtbot.waitUntil(lambda: len(_shown(nav)[1]) == len(mine))
    fresh = navigator()
    qtbot.wait(1)
    assert _shown(nav) == _shown(fresh)
    assert nav.current() == (RUN, "wf-3-run-9")


def test_a_filter_opens_its_workflows_over_a_few_turns_as_expand_all_would(qtbot: Any) -> None:
    from artifact_viewer.ui.panes.navigator import REOPEN_RUNS_PER_TURN

    per_flow = REOPEN_RUNS_PER_TURN // 2 + 1
    workflows, runs = _flows_of_runs(5, per_flow, lambda w, i: False)
    kept = {r.id for w in ("wf-0", "wf-1", "wf-2", "wf-4") for r in runs[w]}
    nav = Navigator()
    qtbot.addWidget(nav)
    nav.resize(320, 700)
    nav.show()
    nav.set_tree(TreeData(workflows, runs, [], set(), {}))
    nav.set_expanded_ids(["wf-1", "wf-3"])
    nav.set_filter(parse_filter("records"), kept)
    assert sorted(_flows(nav.expanded_ids())) == ["wf-0", "wf-1", "wf-2", "wf-4"]
    assert (
        len(
            [
                i
                for i in nav.expanded_ids()
                if nav.view.isExpanded(nav.proxy.mapFromSource(nav.model.find(WORKFLOW, i)))
            ]
        )
        < 4
    )  # the rest open on the next turns
    qtbot.waitUntil(lambda: len(_flows(_shown(nav)[1])) == 4)
    reference = Navigator()
    qtbot.addWidget(reference)
    reference.resize(320, 700)
    reference.show()
    reference.set_tree(TreeData(workflows, runs, [], set(), {}))
    reference.proxy.set_spec(parse_filter("records"), kept)
    reference.view.expandAll()
    qtbot.wait(1)
    assert _shown(nav) == _shown(reference)
    assert set(_visible_runs(nav)) == kept
    nav.set_filter(parse_filter(""), None)  # the user's own stay open, the others close
    qtbot.waitUntil(lambda: _shown(nav)[1] == ["wf-1"])  # wf-3 had no match: it went
