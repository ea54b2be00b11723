"""Actions that need the API are disabled while it cannot be reached, and say so.

Each guarded action gets a one-action :class:`QActionGroup`: disabling the group disables
the action without touching the enabled state its owner sets (Qt keeps that apart and
restores it when the group is enabled again), so owners go on calling ``setEnabled`` as
before and never fight the gate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QActionGroup

OFFLINE_PREFIX = "Offline: "


@dataclass
class _Guard:
    action: QAction
    group: QActionGroup
    reason: str
    when: Callable[[], bool] | None
    tip: str = ""
    status_tip: str = ""
    gated: bool = False


class ApiGate(QObject):
    """Holds the guarded actions; :meth:`update` re-reads whether the API is reachable."""

    def __init__(self, is_offline: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._is_offline = is_offline
        self._guards: list[_Guard] = []

    def guard(
        self, action: QAction, reason: str, *, when: Callable[[], bool] | None = None
    ) -> None:
        """Disable ``action`` offline (only while ``when()`` is true, if given); its tooltip
        then reads "Offline: <reason>." (e.g. "refreshing needs the API")."""
        group = QActionGroup(self)
        group.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        group.addAction(action)
        self._guards.append(_Guard(action, group, reason, when))
        self._apply(self._guards[-1], self._is_offline())

    def is_gated(self, action: QAction) -> bool:
        return any(g.gated for g in self._guards if g.action is action)

    def offline_text(self, action: QAction) -> str:
        """What the tooltip says while ``action`` is gated ("" if it is not guarded)."""
        guard = next((g for g in self._guards if g.action is action), None)
        return "" if guard is None else f"{OFFLINE_PREFIX}{guard.reason}."

    @Slot()
    def update(self) -> None:
        offline = self._is_offline()
        for guard in self._guards:
            self._apply(guard, offline)

    def _apply(self, guard: _Guard, offline: bool) -> None:
        gate = offline and (guard.when is None or guard.when())
        if gate == guard.gated:
            return
        action = guard.action
        if gate:
            guard.tip, guard.status_tip = action.toolTip(), action.statusTip()
            text = f"{OFFLINE_PREFIX}{guard.reason}."
            action.setToolTip(text)
            action.setStatusTip(text)
        else:
            action.setToolTip(guard.tip)
            action.setStatusTip(guard.status_tip)
        guard.gated = gate
        guard.group.setEnabled(not gate)
