"""Tree model of the navigator: "All artifacts", "Available offline", then workflows -> runs.

A thin adapter over a :class:`TreeData` snapshot; the domain object of a row is under
:data:`ITEM_ROLE`, its kind under :data:`KIND_ROLE` and its id under :data:`ID_ROLE`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QApplication

from artifact_viewer.core.models import Workflow
from artifact_viewer.core.textsafe import visible_text
from artifact_viewer.ui import formatting as fmt
from artifact_viewer.ui.icons import icon, status_icon
from artifact_viewer.ui.models.filter_spec import FilterSpec

if TYPE_CHECKING:
    from artifact_viewer.core.catalog.listing import ListedRun

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
ID_ROLE = Qt.ItemDataRole.UserRole + 3
SORT_ROLE = Qt.ItemDataRole.UserRole + 4
FILTER_ROLE = Qt.ItemDataRole.UserRole + 5

ALL, OFFLINE, WORKFLOW, RUN = "all", "offline", "workflow", "run"
COLUMNS = ("Name", "Status", "Started", "Ended", "Duration")
_COLUMN_COUNT = len(COLUMNS)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_RUN_FLAGS = _FLAGS | Qt.ItemFlag.ItemNeverHasChildren
# Roles as plain ints (compared for every cell the tree paints), and the ones it answers.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_ITEM, _KIND, _ID = int(ITEM_ROLE), int(KIND_ROLE), int(ID_ROLE)
_SORT, _FILTER = int(SORT_ROLE), int(FILTER_ROLE)
_ANSWERED = frozenset(
    (_ITEM, _KIND, _ID, _SORT, _FILTER, _DISPLAY, _DECORATION, _TOOLTIP, _FONT, _FOREGROUND)
)
QUEUED_TEXT = "waiting for connection"  # a pin asked for offline, not yet made
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(slots=True)
class TreeData:
    """A snapshot of what the navigator shows, loaded off the GUI thread."""

    workflows: list[Workflow] = field(default_factory=list)
    # Runs are WorkflowRun objects, or RunRow records in the listing start-up reads first.
    runs: dict[str, list[ListedRun]] = field(default_factory=dict)
    offline_runs: list[ListedRun] = field(default_factory=list)
    pinned: set[str] = field(default_factory=set)
    imported: dict[str, str] = field(default_factory=dict)  # run id -> where it came from
    # Worked out off the GUI thread by whoever groups the runs (else by the model): each
    # workflow's failed runs, and whether each workflow's runs are newest first (by
    # ``created_timestamp``, ties in listing order), the navigator's first order.
    failed: dict[str, int] | None = None
    newest_first: bool = False


def run_status_text(run: ListedRun) -> str:
    """ "Failed at Submit form", "In progress: Log in": the status, with the step it is at."""
    text = fmt.status_label(run.status)
    step = fmt.state_label(run.current_state_name) if run.current_state_name else ""
    if not step:
        return text
    if run.status == "FAILED":
        return f"{text} at {step}"
    if run.status in ("IN_PROGRESS", "PENDING", "AWAITING_USER_INPUT"):
        return f"{text}: {step}"
    return text


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which rows of a :class:`TreeData` a filter keeps: computed off the GUI thread, so
    the navigator's proxy only looks rows up in sets. Runs are keyed by the section they
    sit in (their workflow's id, or ``OFFLINE``): a run under "Available offline" is also
    matched by its workflow's name."""

    runs: frozenset[tuple[str, str]]
    workflows: frozenset[str]


def _workflow_text(wf: Workflow) -> str:
    return f"{wf.name or ''} {wf.source_provider or ''} {wf.type or ''}"


def _run_kept(
    run: ListedRun,
    spec: FilterSpec,
    run_ids: set[str] | frozenset[str] | None,
    section_text: str,
    workflow_name: str,
) -> bool:
    """The navigator's rule for one run (see :class:`~artifact_viewer.ui.panes.navigator.
    NavigatorProxy`): it holds a match, or (run terms only) the run itself matches."""
    if run_ids is not None and run.id in run_ids:
        return True
    if spec.types or spec.mimes or spec.extensions or spec.texts:
        return False  # artifact terms: only runs holding a match
    if spec.runs and not any(run.id.startswith(r) for r in spec.runs):
        return False
    if spec.workflows:
        name = workflow_name.lower()
        wf_id = run.workflow_id or ""
        if not any(w.lower() in name or wf_id.startswith(w) for w in spec.workflows):
            return False
    created = run.created_at
    if spec.after is not None and (created is None or created < spec.after):
        return False
    if spec.before is not None and (created is None or created >= spec.before):
        return False
    own = f"run {run.id} {run.status or ''} {run.current_state_name or ''}"
    return spec.matches_text(f"{own} {section_text}") and spec.matches_status(run.status)


def filter_visibility(
    data: TreeData, spec: FilterSpec, run_ids: set[str] | frozenset[str] | None
) -> Visibility | None:
    """What the navigator shows under ``spec`` (None: everything). Plain Python over the
    snapshot, safe to run on a worker thread: the snapshot is replaced, never changed."""
    if spec.empty:
        return None
    names = {w.id: visible_text(w.name) or fmt.short_id(w.id) for w in data.workflows}
    kept: set[tuple[str, str]] = set()
    workflows: set[str] = set()
    for wf in data.workflows:
        text = f"{_workflow_text(wf)} "
        name = names[wf.id]
        for run in data.runs.get(wf.id, []):
            if _run_kept(run, spec, run_ids, text, name):
                kept.add((wf.id, run.id))
                workflows.add(wf.id)
    for run in data.offline_runs:
        wf_id = run.workflow_id or ""
        name = names.get(wf_id) or fmt.short_id(run.workflow_id)
        if _run_kept(run, spec, run_ids, f" {name}", name):
            kept.add((OFFLINE, run.id))
    return Visibility(frozenset(kept), frozenset(workflows))


class _Node:
    __slots__ = ("children", "kind", "obj", "parent", "row", "section")

    def __init__(self, kind: str, obj: Any, parent: _Node | None, row: int, section: str = ""):
        self.kind = kind
        self.obj = obj
        self.parent = parent
        self.row = row
        self.section = section  # for runs: the top node they sit under (offline or workflow)
        self.children: list[_Node] = []

    @property
    def id(self) -> str:
        return self.kind if self.obj is None else str(self.obj.id)


class NavigatorModel(QAbstractItemModel):
    """Read-only tree; :meth:`set_tree` swaps the whole snapshot (the view restores state)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _Node("root", None, None, 0)
        self._data = TreeData()
        self._names: dict[str, str] = {}
        self._failed: dict[str, int] = {}  # workflow id -> its failed runs (asked per paint)
        self.queued: set[str] = set()  # runs to pin once the API is reachable again
        self._order: tuple[int, Qt.SortOrder] | None = None  # the sort asked for, if any
        self._build()

    # -- state ---------------------------------------------------------------------------
    def set_tree(self, data: TreeData) -> None:
        self.beginResetModel()
        self._data = data
        self._build()
        self.endResetModel()

    @property
    def tree(self) -> TreeData:
        return self._data

    def set_queued(self, run_id: str, queued: bool) -> None:
        """Mark a run whose pin waits for the connection (or clear the mark)."""
        if queued == (run_id in self.queued):
            return
        if queued:
            self.queued.add(run_id)
        else:
            self.queued.discard(run_id)
        for top in self._root.children:
            for child in top.children:
                if child.kind == RUN and child.id == run_id:
                    first = self.createIndex(child.row, 0, child)
                    self.dataChanged.emit(first, first)

    def workflow_name(self, workflow_id: str | None) -> str:
        return self._names.get(workflow_id or "", fmt.short_id(workflow_id))

    def _build(self) -> None:
        data = self._data
        self._names = {w.id: visible_text(w.name) or fmt.short_id(w.id) for w in data.workflows}
        if data.failed is not None:
            self._failed = data.failed
        else:
            self._failed = {
                wf_id: sum(1 for r in runs if r.status == "FAILED")
                for wf_id, runs in data.runs.items()
            }
        root = _Node("root", None, None, 0)
        root.children.append(_Node(ALL, None, root, 0))
        offline = _Node(OFFLINE, None, root, 1)
        offline.children = [
            _Node(RUN, r, offline, i, OFFLINE) for i, r in enumerate(data.offline_runs)
        ]
        root.children.append(offline)
        for w in data.workflows:
            node = _Node(WORKFLOW, w, root, len(root.children))
            node.children = [
                _Node(RUN, r, node, i, WORKFLOW) for i, r in enumerate(data.runs.get(w.id, []))
            ]
            root.children.append(node)
        self._root = root
        if self._order is not None:
            column, order = self._order
            # A workflow's runs come newest first already (the order the navigator opens
            # in): sorting them again would cost as much as building their rows.
            in_order = (
                data.newest_first and column in (0, 2) and order == Qt.SortOrder.DescendingOrder
            )
            self._sort_children(root, column, order, runs_in_order=in_order)

    # -- sorting -------------------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort every level in Python, "All artifacts" and "Available offline" staying on
        top: a proxy comparing rows one call at a time took a tenth of a second per filter
        change once a workflow held a thousand runs."""
        self._order = (column, order)
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        where = [(self._node(i), i.column()) if i.isValid() else None for i in before]
        self._sort_children(self._root, column, order)
        after: list[QModelIndex] = []
        for pair in where:
            if pair is None or pair[0] is self._root:
                after.append(QModelIndex())
            else:
                node, col = pair
                after.append(self.createIndex(node.row, col, node))
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _sort_value(self, node: _Node, column: int) -> Any:
        if node.kind == RUN:
            if column == 0 or column == 2:  # the SORT_ROLE value, without the role dispatch
                return node.obj.created_timestamp
            return self._run_data(node, column, SORT_ROLE)
        if node.kind == WORKFLOW:
            return self._workflow_data(node, column, SORT_ROLE)
        return self._special_data(node, column, SORT_ROLE)

    def _sort_children(
        self, node: _Node, column: int, order: Qt.SortOrder, *, runs_in_order: bool = False
    ) -> None:
        """Sort ``node``'s children and below; ``runs_in_order``: the runs under workflows
        already stand in this order."""
        if not node.children or (runs_in_order and node.kind == WORKFLOW):
            return
        fixed = [c for c in node.children if c.kind in (ALL, OFFLINE)]
        rest = [c for c in node.children if c.kind not in (ALL, OFFLINE)]
        descending = order == Qt.SortOrder.DescendingOrder
        keyed = [(self._sort_value(c, column), c) for c in rest]
        try:
            keyed.sort(key=lambda pair: pair[0], reverse=descending)
        except TypeError:
            keyed.sort(key=lambda pair: str(pair[0]), reverse=descending)
        node.children = fixed + [c for _, c in keyed]
        for row, child in enumerate(node.children):
            child.row = row
            if child.children:  # runs have none
                self._sort_children(child, column, order, runs_in_order=runs_in_order)

    def find(self, kind: str, ident: str) -> QModelIndex:
        """Index of the first node of ``kind`` with ``ident`` (runs: under their workflow first)."""
        fallback = QModelIndex()
        for top in self._root.children:
            if top.kind == kind and top.id == ident:
                return self.createIndex(top.row, 0, top)
            for child in top.children:
                if child.kind == kind and child.id == ident:
                    found = self.createIndex(child.row, 0, child)
                    if top.kind == WORKFLOW:
                        return found
                    fallback = found
        return fallback

    def sort_key(self, index: AnyIndex) -> tuple[str, Any]:
        """(kind, SORT_ROLE value) in one call: the proxy's comparisons run thousands of
        times when a workflow holds many runs."""
        node = self._node(index)
        col = index.column()
        role = SORT_ROLE
        if node.kind == RUN:
            return node.kind, self._run_data(node, col, role)
        if node.kind == WORKFLOW:
            return node.kind, self._workflow_data(node, col, role)
        return node.kind, self._special_data(node, col, role)

    def shown(self, parent: AnyIndex, row: int, visible: Visibility | None) -> bool:
        """Whether row ``row`` under ``parent`` stays under ``visible`` (set lookups only:
        the proxy asks for every row of every open workflow each time the filter changes)."""
        if visible is None:
            return True
        parent_node = self._node(parent)
        if not 0 <= row < len(parent_node.children):
            return False
        node = parent_node.children[row]
        if node.kind == RUN:
            section = OFFLINE if parent_node.kind == OFFLINE else parent_node.id
            return (section, node.id) in visible.runs
        if node.kind == WORKFLOW:
            return node.id in visible.workflows
        return True  # "All artifacts" and "Available offline" always stay

    def node_has_children(self, index: AnyIndex) -> bool:
        return bool(self._node(index).children)

    # -- Qt model API --------------------------------------------------------------------
    def _node(self, index: AnyIndex) -> _Node:
        # Every index this model makes points at a _Node (no isinstance check: the tree
        # view calls this several times per row each time it lays a thousand runs out).
        node: _Node = index.internalPointer() if index.isValid() else self._root
        return node

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        # The bounds checked here rather than through hasIndex(): that calls back into
        # rowCount() and columnCount(), and the proxy asks for every cell of a thousand
        # runs each time the filter changes.
        if parent.isValid():
            if parent.column() != 0:
                return QModelIndex()
            children = parent.internalPointer().children
        else:
            children = self._root.children
        if 0 <= row < len(children) and 0 <= column < _COLUMN_COUNT:
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        node = index.internalPointer().parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # A run never holds rows: the tree view then does not ask each run for children
        # when it lays a thousand of them out.
        return _RUN_FLAGS if index.internalPointer().kind == RUN else _FLAGS

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        # Roles never answered return first: a repaint asks each visible cell for about
        # seven of them.
        if role not in _ANSWERED or not index.isValid():
            return None
        node = self._node(index)
        col = index.column()
        if role == _ITEM:
            return node.obj
        if role == _KIND:
            return node.kind
        if role == _ID:
            return node.id
        if node.kind == RUN:
            return self._run_data(node, col, role)
        if node.kind == WORKFLOW:
            return self._workflow_data(node, col, role)
        return self._special_data(node, col, role)

    def _special_data(self, node: _Node, col: int, role: int) -> Any:
        offline = node.kind == OFFLINE
        if role == _DISPLAY:
            if col == 0 and offline:
                count = len(node.children)
                return f"Available offline  ·  {count} run{'s' if count != 1 else ''}"
            if col == 0:
                return "All artifacts"
            return None
        if role == _DECORATION and col == 0:
            return icon("offline" if offline else "all-artifacts")
        if role == _TOOLTIP and col == 0:
            if offline:
                return "Runs whose artifacts are cached or pinned; they open without a network."
            return "Every artifact of the organisation; use the filter box to narrow it."
        if role == _SORT:
            return node.row  # stay on top, in their fixed order
        if role == _FILTER:
            return ""
        if role == _FONT and col == 0:
            font = QApplication.font()
            font.setBold(True)
            return font
        return None

    def failed_runs(self, workflow_id: str) -> int:
        return self._failed.get(workflow_id, 0)

    def _latest_run(self, workflow: Workflow) -> ListedRun | None:
        runs = self._data.runs.get(workflow.id)
        return runs[0] if runs else None

    def _workflow_data(self, node: _Node, col: int, role: int) -> Any:
        wf: Workflow = node.obj
        latest = self._latest_run(wf)
        if role == _DISPLAY:
            if col == 0:
                # The view spans workflow rows across all columns, so the summary goes here.
                count = len(node.children)
                parts = [visible_text(wf.name) or fmt.short_id(wf.id)]
                if wf.source_provider:
                    parts.append(fmt.provider_label(wf.source_provider))
                parts.append(f"{count} run{'s' if count != 1 else ''}")
                failed = self.failed_runs(wf.id)
                if failed:
                    parts.append(f"{failed} failed")
                return "  ·  ".join(parts)
            if col == 1 and latest is not None:
                return fmt.status_label(latest.status)
            if col == 2 and latest is not None:
                return fmt.short_time(latest.created_at)
            return None
        if role == _DECORATION:
            if col == 0:
                # A workflow holding failed runs says so while collapsed.
                return status_icon("FAILED") if self.failed_runs(wf.id) else icon("workflow")
            if col == 1 and latest is not None:
                return status_icon(latest.status)
        if role == _TOOLTIP:
            parts = [
                visible_text(wf.name) or wf.id,
                f"Provider: {fmt.provider_label(wf.source_provider) or 'unknown'}",
            ]
            if wf.type:
                parts.append(f"Type: {wf.type}")
            if latest is not None:
                parts.append(f"Latest run: {fmt.status_label(latest.status)}")
            failed = self.failed_runs(wf.id)
            if failed:
                parts.append(f"{failed} failed run{'s' if failed != 1 else ''}")
            return "\n".join(parts)
        if role == _SORT:
            if col == 2 and latest is not None and latest.created_at is not None:
                return latest.created_at.timestamp()
            return (wf.name or "").lower() if col == 0 else ""
        if role == _FILTER:
            return f"{wf.name or ''} {wf.source_provider or ''} {wf.type or ''}"
        return None

    def _run_data(self, node: _Node, col: int, role: int) -> Any:
        run: ListedRun = node.obj
        if role == _DISPLAY:
            if col == 0:
                # Runs of one workflow differ by when they ran: the time first, then the id.
                when = fmt.resource_time(run, "created_at", fmt.short_time)
                label = (
                    f"{when} · {fmt.short_id(run.id)}" if when else f"Run {fmt.short_id(run.id)}"
                )
                if node.section == OFFLINE:
                    label = f"{self.workflow_name(run.workflow_id)} · {label}"
                if run.id in self.queued:
                    label += f" · {QUEUED_TEXT}"
                return label
            if col == 1:
                return run_status_text(run)
            if col == 2:
                return fmt.resource_time(run, "created_at", fmt.short_time)
            if col == 3:
                return fmt.resource_time(run, "completed_at", fmt.short_time)
            if col == 4:
                return fmt.duration(run.duration_seconds)
            return None
        if role == _DECORATION:
            if col == 0 and run.id in self._data.pinned:
                return icon("pinned")
            if col == 0 and run.id in self._data.imported:
                return icon("imported")
            if col == 1:
                return status_icon(run.status)
            return None
        if role == _FOREGROUND and col == 1:
            return fmt.status_colour(run.status, QApplication.palette())
        if role == _TOOLTIP:
            lines = [f"Run {run.id}", f"Status: {fmt.status_label(run.status)}"]
            if run.current_state_name:
                lines.append(f"State: {fmt.state_label(run.current_state_name)}")
            if run.id in self._data.pinned:
                lines.append("Pinned for offline use")
            if run.id in self.queued:
                lines.append("To be pinned for offline use: waiting for the connection to return")
            if run.id in self._data.imported:
                lines.append(self._data.imported[run.id])
            return "\n".join(lines)
        if role == _SORT:
            if col == 0 or col == 2:
                return run.created_timestamp
            if col == 1:
                return run.status or ""
            if col == 3:
                return run.completed_at.timestamp() if run.completed_at else 0.0
            if col == 4:
                return run.duration_seconds or 0.0
            return None
        if role == _FILTER:
            return f"run {run.id} {run.status or ''} {run.current_state_name or ''}"
        return None
