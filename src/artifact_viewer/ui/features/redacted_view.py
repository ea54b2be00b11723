"""The redacted view for screen sharing: View menu toggle (Ctrl+Shift+R) and a banner.

The switch itself lives in the preview host (``previews.redaction``); this extension
turns it on and off, keeps a coloured banner visible while it is on, and remembers the
choice across starts only when the user asks for that. Other features' centre views
(compare...) and panes holding free text (notes) do not mask values themselves: while the
redacted view is on they stand behind a cover with a reveal button, so nothing is shown
unmasked by accident.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from artifact_viewer.core.masking import Masker
from artifact_viewer.previews.redaction import HiddenCover, RedactionSwitch
from artifact_viewer.ui.extensions import WindowSlots

SHORTCUT = "Ctrl+Shift+R"
REMEMBER_KEY = "redacted_view/remember"
ON_KEY = "redacted_view/on"
BANNER_TEXT = (
    "Redacted view: SSNs, account numbers, cards, contacts, dates of birth and sensitive"
    f" columns are masked; images and PDFs are hidden. {SHORTCUT} turns it off."
)
BANNER_STYLE = "QLabel { background: #b3261e; color: white; font-weight: bold; padding: 6px; }"
COVER_KEY = "redacted-cover"
# Panes that show no artifact contents (names, counts, progress) stay as they are.
SAFE_PANES = frozenset({"handoff"})


class RedactedViewExtension(QObject):
    """Adds the toggle and the banner; the preview host's switch does the masking."""

    def __init__(self) -> None:
        super().__init__()
        self.toggle: QAction | None = None
        self.remember: QAction | None = None
        self.banner: QDockWidget | None = None
        self.cover: HiddenCover | None = None
        self._slots: WindowSlots | None = None
        self._pending_view: str | None = None  # the feature view behind the cover
        self._revealed_views: set[str] = set()
        self._pane_covers: dict[str, tuple[QDockWidget, QWidget]] = {}

    def install(self, slots: WindowSlots) -> None:
        self._slots = slots
        window = slots.window
        self.setParent(window)
        menu = slots.menu("&View")
        menu.addSeparator()
        toggle = self.toggle = QAction("&Redacted view (screen sharing)", window)
        toggle.setObjectName("redactedView")
        toggle.setCheckable(True)
        toggle.setShortcut(QKeySequence(SHORTCUT))
        toggle.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        toggle.setToolTip("Mask sensitive values in every view while you share your screen")
        toggle.toggled.connect(self._on_toggled)
        menu.addAction(toggle)
        window.addAction(toggle)
        remember = self.remember = QAction("Remember the redacted view at start", window)
        remember.setCheckable(True)
        remember.setChecked(slots.services.state.value(REMEMBER_KEY) == "1")
        remember.toggled.connect(self._on_remember)
        menu.addAction(remember)
        self.banner = self._make_banner(window)
        self.cover = HiddenCover("view", window)
        self.cover.label.setText("This view is hidden in the redacted view")
        self.cover.reveal_button.setText("Reveal this view")
        self.cover.revealRequested.connect(self._reveal_view)
        slots.add_view(COVER_KEY, self.cover)
        slots.views.currentChanged.connect(self._on_view_changed)
        # Files leave the app as they are: say so while the view is masked.
        for action, what in (
            (window.acts.save_as, "Save as writes the file as it is, unmasked."),
            (window.acts.open_external, "The other app shows the file as it is, unmasked."),
        ):
            action.triggered.connect(lambda _=False, text=what: self._warn_unmasked(text))
        if remember.isChecked() and slots.services.state.value(ON_KEY) == "1":
            toggle.setChecked(True)

    def switch(self) -> RedactionSwitch:
        assert self._slots is not None
        host = self._slots.window.preview
        assert isinstance(host.redaction, RedactionSwitch)
        return host.redaction

    def _make_banner(self, window: QMainWindow) -> QDockWidget:
        label = QLabel(BANNER_TEXT)
        label.setObjectName("redactedBanner")
        label.setWordWrap(True)
        label.setStyleSheet(BANNER_STYLE)
        label.setAccessibleName("Redacted view is on")
        dock = QDockWidget(window)
        dock.setObjectName("redactedBannerDock")
        dock.setWidget(label)
        dock.setTitleBarWidget(QWidget(dock))  # no title bar: a strip, not a pane
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setAllowedAreas(Qt.DockWidgetArea.TopDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, dock)
        dock.setVisible(False)
        return dock

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        assert self._slots is not None
        library = self._slots.services.library()
        switch = self.switch()
        if library is not None:  # the user's own sensitive column names
            switch.masker = Masker.from_settings_extra(library.settings.extra)
        switch.set_enabled(on)
        if self.banner is not None:
            self.banner.setVisible(on)
        if on:
            self._cover_panes()
            self._on_view_changed(0)
        else:
            self._revealed_views.clear()
            self._uncover_panes()
            if self._slots.views.current_key() == COVER_KEY:
                self._show_pending()
        if self.remember is not None and self.remember.isChecked():
            self._slots.services.state.set_value(ON_KEY, "1" if on else "0")
        self._slots.services.bridge.show_status(
            "Redacted view on: sensitive values are masked." if on else "Redacted view off."
        )

    # --- other features' views and panes ------------------------------------------------

    @Slot(int)
    def _on_view_changed(self, _index: int) -> None:
        if self._slots is None or not self.switch().enabled:
            return
        key = self._slots.views.current_key()
        if key in ("preview", COVER_KEY) or key in self._revealed_views:
            return
        self._pending_view = key
        self._slots.show_view(COVER_KEY)

    @Slot()
    def _reveal_view(self) -> None:
        if self._pending_view is not None:
            self._revealed_views.add(self._pending_view)
        self._show_pending()

    def _show_pending(self) -> None:
        assert self._slots is not None
        if self._pending_view is not None:
            self._slots.show_view(self._pending_view)
        else:
            self._slots.show_preview()

    def _cover_panes(self) -> None:
        assert self._slots is not None
        for key, dock in self._slots.panes.items():
            if key in SAFE_PANES or key in self._pane_covers or dock.widget() is None:
                continue
            original = dock.widget()
            cover = QLabel("Hidden in redacted view", dock)
            cover.setObjectName("redactedPaneCover")
            cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._pane_covers[key] = (dock, original)
            original.hide()
            original.setParent(None)  # kept by us until the view is turned off
            dock.setWidget(cover)

    def _uncover_panes(self) -> None:
        for dock, original in self._pane_covers.values():
            cover = dock.widget()
            dock.setWidget(original)
            original.show()
            if cover is not None and cover is not original:
                cover.deleteLater()
        self._pane_covers.clear()

    def _warn_unmasked(self, text: str) -> None:
        if self._slots is not None and self.switch().enabled:
            self._slots.services.bridge.info(f"Redacted view: {text}")

    @Slot(bool)
    def _on_remember(self, remember: bool) -> None:
        assert self._slots is not None
        state = self._slots.services.state
        state.set_value(REMEMBER_KEY, "1" if remember else "0")
        on = self.toggle is not None and self.toggle.isChecked()
        state.set_value(ON_KEY, "1" if remember and on else "0")
