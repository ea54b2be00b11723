"""Mutated files in every view under every label: each ends shown or failed, quietly, in time."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from PySide6.QtCore import QtMsgType

from artifact_viewer.previews import registry
from artifact_viewer.previews.host import PreviewHost
from tests.previews import samples

LABELS = [
    None,
    "application/json",
    "application/x-ndjson",
    "text/csv",
    "image/png",
    "application/pdf",
    "application/xml",
    "text/plain",
    "application/octet-stream",
]
CASES_PER_KIND = 36  # x 8 kinds: a few hundred files in all


def _seeds(tmp: Path) -> list[bytes]:
    """Well-formed files of each format, the material the mutations start from."""
    return [
        samples.write_json(tmp / "s.json", 3).read_bytes(),
        samples.write_jsonl(tmp / "s.jsonl", 3).read_bytes(),
        samples.csv_text(6).encode(),
        samples.png_bytes(6, 5),
        samples.pdf_bytes(1),
        samples.write_xml(tmp / "s.xml", 2).read_bytes(),
        "\n".join(samples.log_lines(12)).encode(),
        bytes(range(256)),
    ]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """One of the ways files arrive broken: cut short, bit rot, junk inserted, a block
    repeated, a head glued to another format's tail."""
    if not data:
        return data
    buf = bytearray(data)
    how = rng.randrange(6)
    if how == 0:
        return bytes(buf[: rng.randrange(len(buf))])
    if how == 1:
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        return bytes(buf)
    if how == 2:
        at = rng.randrange(len(buf) + 1)
        return bytes(buf[:at]) + rng.randbytes(rng.randint(1, 64)) + bytes(buf[at:])
    if how == 3:
        start = rng.randrange(len(buf))
        block = buf[start : start + rng.randint(1, 200)]
        return bytes(buf[:start]) + bytes(block) * rng.randint(2, 20) + bytes(buf[start:])
    if how == 4:
        return rng.randbytes(rng.randint(0, 512))
    cut = rng.randrange(len(buf))
    return bytes(buf[:cut]) + samples.png_bytes(3, 3)[rng.randrange(20) :]


def _cases(tmp: Path, kind: str) -> list[tuple[str, bytes, str | None]]:
    rng = random.Random(f"fuzz-{kind}")
    seeds = _seeds(tmp)
    cases = []
    for n in range(CASES_PER_KIND):
        data = _mutate(rng, rng.choice(seeds))
        cases.append((f"case{n}", data, LABELS[n % len(LABELS)]))
    return cases


@pytest.mark.timeout(240)
@pytest.mark.parametrize("kind", registry.known_kinds())
def test_mutated_files_end_shown_or_failed_in_every_view(qtbot, qtlog, tmp_path, kind) -> None:
    host = PreviewHost()
    qtbot.addWidget(host)
    host.resize(640, 420)
    host.show()
    for name, data, label in _cases(tmp_path, kind):
        path = tmp_path / f"{name}.bin"
        path.write_bytes(data)
        case = f"{name} ({len(data)} bytes, label {label})"
        with qtbot.waitSignal(
            host.loadingChanged, timeout=20_000, check_params_cb=lambda on: not on
        ):
            host.show_file(path, label, kind=kind)
        assert host.current_kind() == kind, case
        assert "hex" in host.kinds(), case  # another view is always one click away
        shown = host.stack.currentWidget()
        if shown is host.error_panel:
            assert host.last_error(), case  # a failure always says what is wrong
            # ... and offers a way on: another view, or the system's viewer.
            panel = host.error_panel
            assert not panel.open_button.isHidden() or not panel.hex_button.isHidden(), case
        else:
            assert shown is host.previewer(), case
            shown.grab()  # and it paints
    host.clear()
    noisy = [
        r.message
        for r in qtlog.records
        if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        and "propagateSizeHints" not in r.message  # the offscreen platform's own notice
    ]
    assert noisy == []
