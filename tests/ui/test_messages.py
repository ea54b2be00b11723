"""The one message bridge: what each kind of failure looks like to the user."""

from __future__ import annotations

from typing import Any

from artifact_viewer.core.errors import AuthError, Cancelled, OfflineError
from artifact_viewer.ui.messages import Banner, MessageBridge, Notice


def collect(bridge: MessageBridge) -> tuple[list[Notice], list[str]]:
    notices: list[Notice] = []
    statuses: list[str] = []
    bridge.notice.connect(notices.append)
    bridge.status.connect(statuses.append)
    return notices, statuses


def test_bad_key_becomes_an_error_that_offers_reconnect(qapp: Any) -> None:
    bridge = MessageBridge()
    notices, _ = collect(bridge)
    bridge.error(AuthError("The API refused the key anon_secret_value_123", status=401))
    (notice,) = notices
    assert notice.level == "error" and notice.action == "reconnect"
    assert "anon_secret_value_123" not in notice.text
    assert "API key" in notice.text


def test_offline_is_a_warning_and_cancel_is_quiet(qapp: Any) -> None:
    bridge = MessageBridge()
    notices, statuses = collect(bridge)
    bridge.error(OfflineError("The API cannot be reached"))
    bridge.error(Cancelled("Cancelled."))
    assert [n.level for n in notices] == ["warning"]
    assert statuses == ["Cancelled."]


def test_unexpected_errors_show_a_generic_line_not_a_traceback(qapp: Any) -> None:
    bridge = MessageBridge()
    notices, _ = collect(bridge)
    try:
        raise KeyError("https://store.example/x?X-Amz-Signature=abc")
    except KeyError as exc:
        bridge.error(exc, "Opening the file")
    (notice,) = notices
    assert notice.text.startswith("Opening the file: Unexpected error (KeyError)")
    assert "Traceback" not in notice.text and "X-Amz-Signature=abc" not in notice.text


def test_banner_shows_the_notice_and_its_action(qtbot: Any) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_notice(Notice("error", "The key was refused.", "AuthError", "reconnect"))
    assert not banner.isHidden()
    assert banner.text == "The key was refused."
    with qtbot.waitSignal(banner.actionRequested) as blocker:
        banner._action.click()
    assert blocker.args == ["reconnect"]
    assert banner.isHidden()


def test_banner_recolours_when_the_palette_turns_dark(qtbot: Any) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication, QWidget

    host = QWidget()
    qtbot.addWidget(host)
    banner = Banner(host)
    banner.show_notice(Notice("warning", "The API cannot be reached."))
    assert not banner._icon.pixmap().isNull()
    light = banner.styleSheet()
    system = QApplication.palette()
    dark = QPalette(system)
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    QApplication.setPalette(dark)  # as when the system switches to a dark palette
    try:
        qtbot.waitUntil(lambda: banner.styleSheet() != light)
        assert "#f2f2f2" in banner.styleSheet()  # light text on the dark strip
    finally:
        QApplication.setPalette(system)
