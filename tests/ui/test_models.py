"""The window's item models: Qt's model tester, lazy paging, stale pages, tree filtering."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, Slot

from artifact_viewer.core.store_models import ArtifactQuery, CacheState
from artifact_viewer.ui.models.artifact_table_model import (
    CACHE_ROLE,
    ITEM_ROLE,
    PAGE_SIZE,
    ArtifactTableModel,
)
from artifact_viewer.ui.models.filter_spec import parse_filter
from artifact_viewer.ui.models.navigator_model import (
    ALL,
    KIND_ROLE,
    OFFLINE,
    RUN,
    NavigatorModel,
    TreeData,
)
from artifact_viewer.ui.panes.navigator import Navigator, NavigatorProxy
from tests.ui.conftest import FakeLibrary, make_artifact, make_run, make_workflow


class SyncPager(QObject):
    """Answers the model's page requests at once from a fake library (what Browser does async)."""

    def __init__(self, model: ArtifactTableModel, library: FakeLibrary, query: ArtifactQuery):
        super().__init__()
        self.model, self.library, self.query = model, library, query
        model.pageWanted.connect(self.on_page_wanted)

    def load_first(self) -> None:
        gen = self.model.begin_query()
        q = ArtifactQuery(limit=PAGE_SIZE)
        rows = self.library.artifacts(q)
        self.model.set_first_page(
            gen,
            self.library.count_artifacts(q),
            rows,
            self.library.cache_states([a.id for a in rows]),
        )

    @Slot(int, int, int)
    def on_page_wanted(self, gen: int, offset: int, limit: int) -> None:
        rows = self.library.artifacts(ArtifactQuery(offset=offset, limit=limit))
        self.model.add_page(gen, offset, rows, self.library.cache_states([a.id for a in rows]))


def tree_data(fake_library: FakeLibrary, pinned: set[str] = frozenset()) -> TreeData:
    runs: dict[str, list[Any]] = {}
    for run in fake_library.runs():
        runs.setdefault(run.workflow_id, []).append(run)
    fake_library.pinned = set(pinned)
    return TreeData(fake_library.workflows(), runs, fake_library.offline_runs(), set(pinned))


def test_navigator_model_passes_modeltester(
    qapp: Any, qtmodeltester: Any, fake_library: FakeLibrary
) -> None:
    model = NavigatorModel()
    model.set_tree(tree_data(fake_library, {"run-1"}))
    qtmodeltester.check(model, force_py=True)
    # fixed nodes first, then one row per workflow; runs under their workflow and under "offline"
    assert model.rowCount() == 2 + 2
    assert model.index(0, 0).data(KIND_ROLE) == ALL
    offline = model.index(1, 0)
    assert offline.data(KIND_ROLE) == OFFLINE and model.rowCount(offline) == 1
    assert model.index(0, 0, offline).data(KIND_ROLE) == RUN


def test_running_run_shows_its_current_state_with_status_colour(
    qapp: Any, fake_library: FakeLibrary
) -> None:
    model = NavigatorModel()
    model.set_tree(tree_data(fake_library))
    run_index = model.find(RUN, "run-3")
    status = run_index.siblingAtColumn(1)
    assert status.data() == "Running: extracting employee records"
    assert status.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert status.data(Qt.ItemDataRole.DecorationRole) is not None
    failed = model.find(RUN, "run-2").siblingAtColumn(1)
    assert failed.data() == "Failed"
    assert failed.data(Qt.ItemDataRole.ForegroundRole) != status.data(
        Qt.ItemDataRole.ForegroundRole
    )


def test_empty_navigator_model_passes_modeltester(qapp: Any, qtmodeltester: Any) -> None:
    qtmodeltester.check(NavigatorModel(), force_py=True)


def test_navigator_proxy_passes_modeltester_while_filtered(
    qapp: Any, qtmodeltester: Any, fake_library: FakeLibrary
) -> None:
    model = NavigatorModel()
    model.set_tree(tree_data(fake_library))
    proxy = NavigatorProxy()
    proxy.setSourceModel(model)
    proxy.set_spec(parse_filter("status:failed"))
    qtmodeltester.check(proxy, force_py=True)


def test_status_filter_keeps_fixed_nodes_and_only_matching_runs(
    qtbot: Any, fake_library: FakeLibrary
) -> None:
    navigator = Navigator()
    qtbot.addWidget(navigator)
    navigator.set_tree(tree_data(fake_library))
    navigator.set_filter(parse_filter("status:failed"))
    proxy = navigator.proxy
    kinds = [proxy.index(r, 0).data(KIND_ROLE) for r in range(proxy.rowCount())]
    assert kinds == [ALL, OFFLINE, "workflow"]  # only wf-1 has a failed run
    workflow = proxy.index(2, 0)
    assert [
        proxy.index(r, 0, workflow).data(Qt.ItemDataRole.UserRole + 3)
        for r in range(proxy.rowCount(workflow))
    ] == ["run-2"]


def test_word_filter_matches_provider_and_shows_its_runs(
    qtbot: Any, fake_library: FakeLibrary
) -> None:
    navigator = Navigator()
    qtbot.addWidget(navigator)
    navigator.set_tree(tree_data(fake_library))
    navigator.set_filter(parse_filter("rippling"))
    proxy = navigator.proxy
    assert proxy.rowCount() == 3
    assert proxy.rowCount(proxy.index(2, 0)) == 1


def test_selection_survives_a_tree_reload(qtbot: Any, fake_library: FakeLibrary) -> None:
    navigator = Navigator()
    qtbot.addWidget(navigator)
    navigator.set_tree(tree_data(fake_library))
    assert navigator.select(RUN, "run-2")
    navigator.set_tree(tree_data(fake_library, {"run-2"}))
    assert navigator.current() == (RUN, "run-2")


def test_artifact_model_passes_modeltester_while_paging(qapp: Any, qtmodeltester: Any) -> None:
    wf = make_workflow(1)
    run = make_run(1, wf.id)
    library = FakeLibrary([wf], [run], [make_artifact(i, run) for i in range(PAGE_SIZE * 2 + 7)])
    model = ArtifactTableModel()
    pager = SyncPager(model, library, ArtifactQuery())
    pager.load_first()
    qtmodeltester.check(model, force_py=True)
    assert pager is not None


def test_artifact_list_pages_lazily_instead_of_loading_everything(qapp: Any) -> None:
    wf = make_workflow(1)
    run = make_run(1, wf.id)
    total = 5000
    library = FakeLibrary([wf], [run], [make_artifact(i, run) for i in range(total)])
    model = ArtifactTableModel()
    pager = SyncPager(model, library, ArtifactQuery())
    pager.load_first()
    assert model.rowCount() == PAGE_SIZE
    assert model.total == total
    assert all(q.limit == PAGE_SIZE for q in library.queries)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE_SIZE
    assert library.queries[-1].offset == PAGE_SIZE
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == total
    assert not model.canFetchMore()


def test_pages_of_an_older_query_are_dropped(qapp: Any) -> None:
    wf = make_workflow(1)
    run = make_run(1, wf.id)
    rows = [make_artifact(i, run) for i in range(10)]
    model = ArtifactTableModel()
    old = model.begin_query()
    new = model.begin_query()
    assert not model.set_first_page(old, 10, rows, {})
    assert model.rowCount() == 0 and model.loading
    assert model.set_first_page(new, 10, rows[:3], {})
    assert not model.add_page(old, 3, rows[3:], {})
    assert model.rowCount() == 3


def test_cache_badges_follow_state_updates(qapp: Any) -> None:
    wf = make_workflow(1)
    run = make_run(1, wf.id)
    rows = [make_artifact(i, run) for i in range(3)]
    model = ArtifactTableModel()
    gen = model.begin_query()
    model.set_first_page(gen, 3, rows, {rows[0].id: CacheState.VERIFIED})
    assert model.index(0, 5).data(CACHE_ROLE) == "VERIFIED"
    assert model.index(0, 5).data() == "Cached, verified"
    assert model.index(1, 5).data(CACHE_ROLE) == "NOT_CACHED"
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    model.set_states({rows[1].id: CacheState.MISMATCH})
    assert changed == [1]
    assert model.index(1, 5).data() == "Hash mismatch"
    assert model.index(1, 0).data(ITEM_ROLE) == rows[1]


def test_sorting_asks_the_catalog_and_ignores_the_cache_column(qapp: Any) -> None:
    model = ArtifactTableModel()
    wanted: list[tuple[str, bool]] = []
    model.sortWanted.connect(lambda order_by, desc: wanted.append((order_by, desc)))
    model.sort(3, Qt.SortOrder.AscendingOrder)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.sort(5, Qt.SortOrder.AscendingOrder)
    assert wanted == [("file_size", False), ("name", True)]


def test_artifact_cells_answer_each_role_by_column(qapp: Any) -> None:
    wf = make_workflow(1)
    run = make_run(1, wf.id)
    artifacts = [make_artifact(i, run) for i in range(3)]
    model = ArtifactTableModel()
    SyncPager(model, FakeLibrary([wf], [run], artifacts), ArtifactQuery()).load_first()
    name, size, cache = model.index(1, 0), model.index(1, 3), model.index(1, 5)
    assert name.data() == artifacts[1].name
    assert name.data(ITEM_ROLE) is artifacts[1]
    assert name.data(CACHE_ROLE) == CacheState.NOT_CACHED.name
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert size.data(Qt.ItemDataRole.TextAlignmentRole) == int(right)
    assert name.data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert cache.data(Qt.ItemDataRole.DecorationRole) is not None  # the cache state's icon
    assert model.index(1, 1).data(Qt.ItemDataRole.DecorationRole) is None
    assert cache.data(Qt.ItemDataRole.ToolTipRole) == cache.data()
    assert name.data(Qt.ItemDataRole.BackgroundRole) is None  # not grouped by run
    for role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.CheckStateRole):
        assert all(model.index(1, c).data(role) is None for c in range(model.columnCount()))


def test_navigator_cells_answer_each_role_by_kind(qapp: Any, fake_library: FakeLibrary) -> None:
    from artifact_viewer.ui.models.navigator_model import ID_ROLE, SORT_ROLE, WORKFLOW

    model = NavigatorModel()
    model.set_tree(tree_data(fake_library, {"run-1"}))
    everything, run = model.index(0, 0), model.find(RUN, "run-2")
    workflow = model.find(WORKFLOW, fake_library.workflows()[0].id)
    assert everything.data() == "All artifacts"
    assert everything.data(Qt.ItemDataRole.FontRole).bold()  # the fixed rows stand out
    assert everything.data(SORT_ROLE) == 0
    assert run.data(ID_ROLE) == "run-2" and run.data(KIND_ROLE) == RUN
    assert "run-2" in run.data(Qt.ItemDataRole.ToolTipRole)
    assert workflow.data(Qt.ItemDataRole.DecorationRole) is not None
    assert run.data(Qt.ItemDataRole.FontRole) is None
    for index in (everything, workflow, run):
        for role in (Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.SizeHintRole):
            assert index.data(role) is None
