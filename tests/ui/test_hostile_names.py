"""The window shows what a hostile server sent, visibly: escaped control and bidi
characters, "invalid date" for a timestamp that is none, and no cleartext key over http."""

from __future__ import annotations

from typing import Any

from artifact_viewer.core.models import Artifact
from artifact_viewer.ui.dialogs.connect_dialog import ConnectDialog
from artifact_viewer.ui.models.artifact_table_model import ArtifactTableModel
from artifact_viewer.ui.panes.details_panel import DetailsPanel


def hostile_artifact() -> Artifact:
    return Artifact.from_json(
        {
            "id": "a1",
            "workflowRunId": "run-1",
            "displayName": "invoice\u202efdp.exe\x1b]0;PWNED\x07",
            "mimeType": "text/plain\u200b",
            "createdAt": 1e20,
        }
    )


def test_artifact_list_shows_control_and_bidi_characters_and_invalid_dates(qapp: Any) -> None:
    model = ArtifactTableModel()
    gen = model.begin_query()
    model.set_first_page(gen, 1, [hostile_artifact()], {})
    assert model.index(0, 0).data() == "invoice\\u202efdp.exe\\x1b]0;PWNED\\x07"
    assert model.index(0, 2).data() == "text/plain\\u200b"
    assert model.index(0, 4).data() == "invalid date"


def test_details_panel_shows_the_escaped_name_and_invalid_date(qtbot: Any) -> None:
    panel = DetailsPanel()
    qtbot.addWidget(panel)
    from artifact_viewer.core.store_models import CacheState

    panel.show_artifact(hostile_artifact(), CacheState.NOT_CACHED)
    assert panel._title.text() == "invoice\\u202efdp.exe\\x1b]0;PWNED\\x07"
    assert panel._fields["Created"].text() == "invalid date"
    assert panel._fields["MIME type"].text() == "text/plain\\u200b"


def test_connect_dialog_refuses_cleartext_http_to_another_host_with_the_reason(qtbot: Any) -> None:
    dialog = ConnectDialog(base_url="https://worker.anon.com/api/v2")
    qtbot.addWidget(dialog)
    sent: list[tuple[str, str]] = []
    dialog.connectRequested.connect(lambda url, key: sent.append((url, key)))
    dialog.api_key.setText("anon_abc")
    dialog.base_url.setText("http://worker.example.com/api/v2")
    dialog.connect_button.click()
    assert "the API key would travel unencrypted" in dialog.message.text()
    assert sent == []
    dialog.base_url.setText("http://127.0.0.1:8000/api/v2")
    dialog.connect_button.click()
    assert sent == [("http://127.0.0.1:8000/api/v2", "anon_abc")]
