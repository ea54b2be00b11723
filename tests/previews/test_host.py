"""The preview host: picks the best view, offers alternatives, shows progress and errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Slot

from artifact_viewer.previews import registry
from artifact_viewer.previews.base import Previewer
from artifact_viewer.previews.host import PreviewHost
from tests.previews import samples


class Broken(Previewer):
    """Fails as soon as it is asked to load (like a parser meeting bad bytes)."""

    kind = "json"
    title = "Tree"

    def load(self, source) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self._fail)

    @Slot()
    def _fail(self) -> None:
        self.failed.emit("Unexpected character at line 3, column 7.")


@pytest.fixture
def host(qtbot):
    widget = PreviewHost()
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    return widget


def show(qtbot, host, path, mime=None, name=None) -> None:
    with qtbot.waitSignal(host.loadingChanged, timeout=20_000, check_params_cb=lambda on: not on):
        host.show_file(Path(path), mime, name)


def test_log_opens_in_the_log_view_with_alternatives(qtbot, host, tmp_path) -> None:
    show(qtbot, host, samples.write_log(tmp_path / "run.log", 50), "text/plain")
    assert host.current_kind() == "log"
    assert host.kinds()[-2:] == ["text", "hex"]
    assert host.stack.currentWidget() is host.previewer()
    assert [b.text() for b in host.switcher.buttons()] == [registry.title(k) for k in host.kinds()]


def test_switching_view_replaces_and_cancels_the_previewer(qtbot, host, tmp_path) -> None:
    show(qtbot, host, samples.write_log(tmp_path / "run.log", 50))
    first = host.previewer()
    cancelled = []
    first.cancel = lambda: cancelled.append(True)
    with qtbot.waitSignal(host.loadingChanged, timeout=10_000, check_params_cb=lambda on: not on):
        host.switcher.buttons()[host.kinds().index("hex")].click()
    assert host.current_kind() == "hex" and host.previewer() is not first
    assert cancelled


def test_binary_goes_to_hex(qtbot, host, tmp_path) -> None:
    show(qtbot, host, samples.write_binary(tmp_path / "blob"))
    assert host.current_kind() == "hex" and host.kinds() == ["hex", "text"]


def test_failure_shows_error_panel_with_actions(qtbot, host, tmp_path, monkeypatch) -> None:
    real = registry.previewer_class
    monkeypatch.setattr(registry, "previewer_class", lambda k: Broken if k == "json" else real(k))
    path = tmp_path / "bad.json"
    path.write_text('{"a": 1,\n "b": [\n  1, ?]}')
    with qtbot.waitSignal(host.failed, timeout=10_000) as blocker:
        host.show_file(path, "application/json")
    assert "line 3, column 7" in blocker.args[0]
    panel = host.error_panel
    assert host.stack.currentWidget() is panel
    assert not panel.raw_button.isHidden() and not panel.hex_button.isHidden()
    assert "line 3, column 7" in panel.message.text()
    with qtbot.waitSignal(host.loadingChanged, timeout=10_000, check_params_cb=lambda on: not on):
        panel.raw_button.click()
    assert host.current_kind() == "text"
    with qtbot.waitSignal(host.openExternallyRequested, timeout=1000) as opened:
        host.error_panel.open_button.click()
    assert opened.args == [path]


def test_missing_file_reports_clearly(qtbot, host, tmp_path) -> None:
    with qtbot.waitSignal(host.failed, timeout=10_000) as blocker:
        host.show_file(tmp_path / "gone.csv", "text/csv")
    assert "no longer there" in blocker.args[0]
    assert host.stack.currentWidget() is host.error_panel
    assert host.error_panel.raw_button.isHidden()
    assert not host.is_loading()


def test_show_message_and_clear(qtbot, host) -> None:
    host.show_message("Not available offline", "Connect to download it.")
    assert host.stack.currentWidget() is host.message_panel
    assert host.message_panel.title.text() == "Not available offline"
    assert host.message_panel.raw_button.isHidden()
    host.clear()
    assert host.current_kind() is None and host.kinds() == []


def test_latest_selection_wins(qtbot, host, tmp_path) -> None:
    big = samples.write_big_log(tmp_path / "big.log", 20)
    small = samples.write_binary(tmp_path / "small.bin")
    host.show_file(big)
    show(qtbot, host, small)
    assert host.source().path == small and host.current_kind() == "hex"


def test_cancel_loading_stops_background_work(qtbot, host, tmp_path) -> None:
    host.show_file(samples.write_big_log(tmp_path / "big.log", 20))
    assert host.is_loading()
    host.cancel_loading()
    assert not host.is_loading()


def test_hex_buttons_are_forwarded(qtbot, host, tmp_path) -> None:
    path = samples.write_binary(tmp_path / "blob")
    show(qtbot, host, path)
    with qtbot.waitSignal(host.openExternallyRequested, timeout=1000) as opened:
        host.previewer().open_button.click()
    assert opened.args == [path]
    with qtbot.waitSignal(host.saveAsRequested, timeout=1000):
        host.previewer().save_button.click()


def test_secrets_in_messages_are_redacted(qtbot, host) -> None:
    host.show_message(
        "Failed", "GET https://s3.example/x?X-Amz-Signature=abc123 with anon_secretkey1"
    )
    text = host.message_panel.message.text()
    assert "abc123" not in text and "anon_secretkey1" not in text


@pytest.mark.parametrize(
    ("make", "mime", "kind"),
    [
        (lambda d: samples.write_png(d / "shot.csv"), "text/csv", "image"),
        (lambda d: samples.write_xml(d / "data.bin"), "application/octet-stream", "xml"),
        (lambda d: samples.write_animated_gif(d / "a.gif"), "image/gif", "image"),
        (lambda d: samples.write_log(d / "out.txt", 40), None, "log"),
    ],
    ids=["png-labelled-csv", "xml-labelled-binary", "gif", "log-content"],
)
def test_content_picks_the_view_when_labels_lie(qtbot, host, tmp_path, make, mime, kind) -> None:
    show(qtbot, host, make(tmp_path), mime)
    assert host.current_kind() == kind
    assert host.stack.currentWidget() is host.previewer()


def test_invalid_json_is_shown_with_its_problem_named(qtbot, host, tmp_path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"a": [1, 2,]}')
    show(qtbot, host, path)
    assert host.stack.currentWidget() is host.previewer() and not host.last_error()
    assert "trailing comma" in host.problem() and "column 13" in host.problem()
    show(qtbot, host, samples.write_json(tmp_path / "good.json"))
    assert host.problem() == ""


def test_long_file_name_is_shortened_not_widening_the_pane(qtbot, host, tmp_path) -> None:
    path = samples.write_log(tmp_path / "x.log", 5)
    host.resize(360, 300)
    host.show()
    qtbot.waitExposed(host)
    show(qtbot, host, path, name="x.log")
    narrowest = host.minimumSizeHint().width()
    name = "Form W-2 Wage and Tax Statement 2026, employee 1234567 " * 3 + "final.log"
    show(qtbot, host, path, name=name)
    label = host.name_label
    assert label.text() == name and label.toolTip() == name
    assert label.is_elided() and host.minimumSizeHint().width() == narrowest


def test_a_big_json_document_is_emptied_off_the_gui_thread_when_its_view_goes(
    qtbot, host, tmp_path, monkeypatch
) -> None:
    import threading

    from artifact_viewer.previews.json import previewer as json_view

    monkeypatch.setattr(json_view, "_DISMANTLE_ABOVE", 0)  # any size, for a small file
    emptied_on: list[bool] = []
    real = json_view.dismantle

    def spy(value):
        emptied_on.append(threading.current_thread() is threading.main_thread())
        return real(value)

    monkeypatch.setattr(json_view, "dismantle", spy)
    path = tmp_path / "doc.json"
    # Lenient (NaN): parsed whole into Python values, the kind of document that is emptied.
    path.write_text('{"a": [1, {"b": [2, 3]}], "c": {"d": {"e": NaN}}}')
    show(qtbot, host, path, "application/json")
    doc = host.previewer()._doc
    assert doc is not None and doc.value
    host.clear()
    qtbot.waitUntil(lambda: bool(emptied_on) and doc.value == {}, timeout=10_000)
    assert emptied_on == [False]


def _events_at_ready(qtbot, host, path, mime, event_of) -> list[tuple[threading.Event, bool]]:
    """Open ``path`` in the shown host; ``event_of(previewer)`` and whether it was set, as
    they were when the previewer said ready."""
    seen: list[tuple[threading.Event, bool]] = []

    def on_kind(_kind: str) -> None:
        previewer = host.previewer()

        def on_ready() -> None:
            event = event_of(previewer)
            seen.append((event, event.is_set()))

        previewer.ready.connect(on_ready)

    host.kindChanged.connect(on_kind)
    host.show()
    qtbot.waitExposed(host)
    show(qtbot, host, path, mime)
    return seen


def test_table_in_the_host_reads_the_whole_file_after_its_first_screen_is_painted(
    qtbot, host, tmp_path, monkeypatch
) -> None:
    from artifact_viewer.previews.table import load as table_load

    monkeypatch.setattr(table_load, "SHOWN_WAIT_S", 600.0)  # only the paint lets it go on
    monkeypatch.setattr(table_load, "BLOCK_SIZE", 4096)  # the first screen is not the file
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(5000)))
    seen = _events_at_ready(qtbot, host, path, "text/csv", lambda p: p.view.shown)
    # The host shows the previewer only at ready: the read waits for that paint, then runs.
    assert len(seen) == 1 and seen[0][1] is False
    assert seen[0][0].is_set() and host.previewer().model.rowCount() == 5000


def test_image_in_the_host_makes_its_low_zoom_copy_after_the_first_paint(
    qtbot, host, tmp_path, monkeypatch
) -> None:
    from artifact_viewer.previews.image import previewer as image_mod

    monkeypatch.setattr(image_mod, "PREVIEW_SIDE", 64)
    monkeypatch.setattr(image_mod, "FIRST_PAINT_WAIT_S", 600.0)  # only the paint frees it
    path = samples.write_png(tmp_path / "big.png", 400, 200)
    seen = _events_at_ready(qtbot, host, path, "image/png", lambda p: p._shown)
    assert len(seen) == 1 and seen[0][1] is False
    assert seen[0][0].is_set() and host.previewer().canvas._preview.width() == 64
