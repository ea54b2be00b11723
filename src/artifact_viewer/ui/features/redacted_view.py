"""The redacted view for screen sharing: View menu toggle (Ctrl+Shift+R) and a banner.

The switch itself lives in the preview host (``previews.redaction``); this extension
turns it on and off, keeps a coloured banner visible while it is on, and remembers the
choice across starts only when the user asks for that.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QWidget

from artifact_viewer.core.masking import Masker
from artifact_viewer.previews.redaction import RedactionSwitch
from artifact_viewer.ui.extensions import WindowSlots

SHORTCUT = "Ctrl+Shift+R"
REMEMBER_KEY = "redacted_view/remember"
ON_KEY = "redacted_view/on"
BANNER_TEXT = (
    "Redacted view: SSNs, account numbers, cards, contacts, dates of birth and sensitive"
    f" columns are masked; images and PDFs are hidden. {SHORTCUT} turns it off."
)
BANNER_STYLE = "QLabel { background: #b3261e; color: white; font-weight: bold; padding: 6px; }"


class RedactedViewExtension(QObject):
    """Adds the toggle and the banner; the preview host's switch does the masking."""

    def __init__(self) -> None:
        super().__init__()
        self.toggle: QAction | None = None
        self.remember: QAction | None = None
        self.banner: QDockWidget | None = None
        self._slots: WindowSlots | None = None

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
        if self.remember is not None and self.remember.isChecked():
            self._slots.services.state.set_value(ON_KEY, "1" if on else "0")
        self._slots.services.bridge.show_status(
            "Redacted view on: sensitive values are masked." if on else "Redacted view off."
        )

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
