"""Any bytes in any of our views: content or a clear failure, never an exception or a hang."""

from __future__ import annotations

import random

import pytest

from artifact_viewer.previews.host import PreviewHost
from tests.previews import samples

KINDS = ["log", "text", "xml", "image", "hex"]


def _inputs(tmp_path):
    rng = random.Random(7)
    return {
        "empty": b"",
        "random": bytes(rng.randrange(256) for _ in range(10_000)),
        "nuls": b"\x00" * 5000,
        "lone-cr": b"line one\rline two\rline three\r" * 100,
        "one-long-line": b"x" * 300_000,
        "utf16-cut": "héllo wörld\n".encode("utf-16")[:-1],
        "bad-utf8": b"ok \xff\xfe\xc3( broken \xe2\x82\n" * 50,
        "png-head-only": samples.png_bytes(8, 8)[:20],
        "pdf-magic-only": b"%PDF-1.7\n%%EOF",
        "xml-bomb": (samples.write_entity_bomb_xml(tmp_path / "lol.xml")).read_bytes(),
    }


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", KINDS)
def test_every_view_survives_broken_input(qtbot, tmp_path, kind) -> None:
    host = PreviewHost()
    qtbot.addWidget(host)
    host.resize(600, 400)
    host.show()
    for name, data in _inputs(tmp_path).items():
        path = tmp_path / f"{name}.bin"
        path.write_bytes(data)
        with qtbot.waitSignal(
            host.loadingChanged, timeout=20_000, check_params_cb=lambda on: not on
        ):
            host.show_file(path, kind=kind)
        assert host.current_kind() == kind, name
        shown = host.stack.currentWidget()
        if shown is host.error_panel:
            assert host.last_error(), name  # a failure always says what is wrong
        else:
            assert shown is host.previewer(), name
            shown.grab()  # and it paints
