"""Offline honesty for the window's own actions: what needs the API is disabled while it
cannot be reached (the tooltip says why), and a pin asked for offline waits, shown as
"waiting for connection" in the navigator, until the connection returns."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from artifact_viewer.ui.extensions import WindowSlots

PIN_OFFLINE_TIP = (
    "Offline: the run is queued and pinned, with its files downloaded, when the connection returns"
)


class OfflineHonesty(QObject):
    """Guards Refresh, Verify, Save as and Open externally; queues pins made offline."""

    def install(self, slots: WindowSlots) -> None:
        self.slots = slots
        window = slots.window
        self.setParent(window)  # lives as long as the window it serves
        acts = window.acts

        def current_uncached() -> bool:
            artifact = window.viewer.current
            return artifact is not None and slots.uncached([artifact.id])

        slots.needs_api(acts.refresh, "refreshing needs the API; the lists show the local catalog")
        for action, doing in (
            (acts.verify, "verifying"),
            (acts.save_as, "saving"),
            (acts.open_external, "opening"),
        ):
            slots.needs_api(
                action,
                f"{doing} a file that is not cached needs the API to download it",
                when=current_uncached,
            )
        self._pin_tip = acts.pin.toolTip()
        window.viewer.pinQueued.connect(self._on_pin_queued)
        window.viewer.stateChanged.connect(lambda *_: slots.api_gate.update())
        slots.events.onlineChanged.connect(self._on_online_changed)

    @Slot(bool)
    def _on_online_changed(self, online: bool) -> None:
        self.slots.window.acts.pin.setToolTip(self._pin_tip if online else PIN_OFFLINE_TIP)

    @Slot(str, bool)
    def _on_pin_queued(self, run_id: str, queued: bool) -> None:
        window = self.slots.window
        window.navigator.model.set_queued(run_id, queued)
        window._update_actions()  # a waiting pin can be withdrawn with Unpin
