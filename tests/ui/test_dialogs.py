"""Connect and Settings dialogs: what they refuse before anything is sent, and what they emit."""

from __future__ import annotations

from typing import Any

from artifact_viewer.core.settings import Settings
from artifact_viewer.ui.dialogs.connect_dialog import ConnectDialog
from artifact_viewer.ui.dialogs.settings_dialog import SettingsDialog


def test_connect_dialog_refuses_an_empty_key_and_a_non_http_url(qtbot: Any) -> None:
    dialog = ConnectDialog(base_url="https://worker.anon.com/api/v2")
    qtbot.addWidget(dialog)
    sent: list[tuple[str, str]] = []
    dialog.connectRequested.connect(lambda url, key: sent.append((url, key)))
    dialog.connect_button.click()
    assert "Enter an API key" in dialog.message.text()
    dialog.api_key.setText("anon_abc")
    dialog.base_url.setText("ftp://example.com")
    dialog.connect_button.click()
    assert "https://" in dialog.message.text()
    assert sent == []
    assert dialog.api_key.text() == "anon_abc"  # nothing typed is lost
    dialog.base_url.setText("http://127.0.0.1:8000/api/v2")
    dialog.connect_button.click()
    assert sent == [("http://127.0.0.1:8000/api/v2", "anon_abc")]
    assert not dialog.connect_button.isEnabled()  # busy until the window answers
    dialog.set_error("The API refused the key.")
    assert dialog.connect_button.isEnabled()
    assert dialog.message.text() == "The API refused the key."


def test_settings_dialog_refuses_a_bad_url_and_never_shows_the_key_in_a_repr(
    qtbot: Any,
) -> None:
    dialog = SettingsDialog(Settings(), key_source="keyring")
    qtbot.addWidget(dialog)
    assert "keyring" in dialog.api_key.placeholderText()
    changes: list[Any] = []
    dialog.applied.connect(changes.append)
    dialog.base_url.setText("worker.anon.com")
    dialog._on_ok()
    assert changes == [] and not dialog.error.isHidden()
    dialog.base_url.setText("https://worker.anon.com/api/v2/")
    dialog.api_key.setText("anon_secret_value_1")
    dialog._on_ok()
    assert len(changes) == 1
    change = changes[0]
    assert change.base_url == "https://worker.anon.com/api/v2"
    assert change.api_key == "anon_secret_value_1"
    assert "anon_secret_value_1" not in repr(change)
    assert dialog.api_key.text() == ""  # not kept in the widget after OK


def _squeezed(dialog: ConnectDialog) -> list[str]:
    """Widgets given less height than they need (fields, buttons, wrapped texts)."""
    short = [
        w.accessibleName() or type(w).__name__
        for w in (dialog.base_url, dialog.api_key, dialog.buttons)
        if w.height() < w.sizeHint().height()
    ]
    short += [
        w.objectName()
        for w in (dialog.storage_note, dialog.message)
        if w.isVisible() and w.height() < w.heightForWidth(w.width())
    ]
    return short


def test_connect_dialog_grows_for_an_error_instead_of_squeezing_its_fields(qtbot: Any) -> None:
    from artifact_viewer.core.errors import AuthError
    from artifact_viewer.ui.dialogs.connect_dialog import connection_advice

    dialog = ConnectDialog(base_url="https://worker.anon.com/api/v2")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _squeezed(dialog) == []
    heights = (dialog.base_url.height(), dialog.api_key.height())
    dialog.api_key.setText("anon_key")
    dialog.connect_button.click()
    assert _squeezed(dialog) == []
    refusal = AuthError(
        "The API refused the API key", status=401, detail="invalid or revoked token " * 4
    )
    dialog.set_error(connection_advice(refusal))
    qtbot.wait(20)
    assert dialog.message.isVisible() and "key above" in dialog.message.text()
    assert _squeezed(dialog) == []
    assert (dialog.base_url.height(), dialog.api_key.height()) == heights
    assert dialog.api_key.text() == "anon_key"  # what was typed stays


def test_connect_dialog_advice_points_at_its_own_fields() -> None:
    from artifact_viewer.core.errors import (
        AuthError,
        ConnectFailed,
        NotFound,
        ServerError,
    )
    from artifact_viewer.ui.dialogs.connect_dialog import connection_advice

    refused = connection_advice(AuthError("The API refused the API key", status=401))
    unreachable = connection_advice(ConnectFailed("Could not connect to worker.example"))
    wrong_path = connection_advice(NotFound("No such endpoint", status=404))
    for text in (refused, unreachable, wrong_path):
        assert "Settings" not in text and "ANON_" not in text
    assert refused.startswith("The API refused the API key") and "key above" in refused
    assert unreachable.startswith("Could not connect") and "base URL above" in unreachable
    assert "base URL above" in wrong_path
    # Errors that are not about the fields keep their own advice.
    busy = ServerError("The API had a problem", status=503)
    assert connection_advice(busy) == busy.user_message()
