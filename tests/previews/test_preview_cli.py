"""`artifact-viewer preview FILE --screenshot OUT.png`: renders headless, exit code says if it showed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.previews import samples


def run_preview(*args: str, cwd) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "artifact_viewer", "preview", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_log_renders_to_png_and_exits_zero(tmp_path) -> None:
    log = samples.write_log(tmp_path / "run.log", 100)
    out = tmp_path / "shot.png"
    result = run_preview(str(log), "--screenshot", str(out), "--size", "640x360", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(log view)" in result.stdout
    with Image.open(out) as image:
        assert image.size == (640, 360)
        lo, hi = image.convert("L").getextrema()
        assert hi - lo > 50  # something was drawn, not a blank canvas


def test_png_labelled_csv_renders_as_image(tmp_path) -> None:
    png = samples.write_png(tmp_path / "data.csv", 120, 80)
    out = tmp_path / "shot.png"
    result = run_preview(str(png), "--mime", "text/csv", "--screenshot", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(image view)" in result.stdout


def test_kind_option_forces_a_view(tmp_path) -> None:
    log = samples.write_log(tmp_path / "run.log", 10)
    out = tmp_path / "shot.png"
    result = run_preview(str(log), "--kind", "hex", "--screenshot", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "(hex view)" in result.stdout


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        # libpng prints its own complaint straight to stderr; only our line may show.
        (
            lambda d: samples.write_corrupt_png(d / "corrupt.png"),
            "Damaged image: the data is corrupt or truncated",
        ),
        (lambda d: d / "missing.log", "no such file"),
        (lambda d: _mkdir(d / "a-folder"), "is a directory"),
        (lambda d: _fifo(d / "pipe"), "not a regular file"),
        (lambda d: _truncated_pdf(d), "truncated"),
        (lambda d: _empty(d / "empty.json"), "empty. Try --kind text or --kind hex."),
    ],
    ids=["corrupt-png", "missing", "directory", "pipe", "truncated-pdf", "empty"],
)
def test_unshowable_input_exits_nonzero_with_one_line(tmp_path, make, reason) -> None:
    path = make(tmp_path)
    result = run_preview(str(path), "--screenshot", str(tmp_path / "shot.png"), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and path.name in lines[0]
    assert "Traceback" not in result.stderr and "View raw" not in result.stderr


def _mkdir(path):
    path.mkdir()
    return path


def _fifo(path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo(path)
    return path


def _empty(path):
    path.write_bytes(b"")
    return path


def _truncated_pdf(directory):
    data = samples.pdf_bytes(4)
    path = directory / "w2.pdf"
    path.write_bytes(data[: len(data) // 2])
    return path


def test_unreadable_file_exits_nonzero_with_one_line(tmp_path, monkeypatch) -> None:
    # Tests run as root, for whom chmod 000 changes nothing: the refusal is simulated.
    from click.testing import CliRunner

    from artifact_viewer.commands import preview as command

    path = samples.write_log(tmp_path / "secret.log", 3)
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    result = CliRunner().invoke(
        command.preview, [str(path), "--screenshot", str(tmp_path / "shot.png")]
    )
    assert result.exit_code == command.EXIT_NOT_SHOWN
    lines = result.output.strip().splitlines()
    assert lines == ["artifact-viewer preview: secret.log: cannot read it (Permission denied)"]


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("broken.json", b'{"a": 1,\n "b": [1, 2,],\n}\n', "trailing comma"),
        ("broken.xml", b"<a><b>text</c></a>", "Not well-formed XML"),
    ],
)
def test_invalid_content_shown_as_text_exits_zero_with_a_note(tmp_path, name, data, problem):
    path = tmp_path / name
    path.write_bytes(data)
    out = tmp_path / "shot.png"
    result = run_preview(str(path), "--screenshot", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0] and "line" in lines[0], lines
    assert lines[0].startswith(f"artifact-viewer preview: {name}: shown with a problem:")


def test_help_states_the_exit_codes(tmp_path) -> None:
    result = run_preview("--help", cwd=tmp_path)
    text = " ".join(result.stdout.split())
    assert result.returncode == 0
    assert "0 when the preview rendered" in text and "invalid content" in text
    assert "1 when the file could not be shown" in text


def test_bad_size_is_a_usage_error(tmp_path) -> None:
    log = samples.write_log(tmp_path / "run.log", 3)
    result = run_preview(str(log), "--size", "huge", "--screenshot", "x.png", cwd=tmp_path)
    assert result.returncode == 2 and "WIDTHxHEIGHT" in result.stderr


def test_redact_masks_text_and_hides_images_in_screenshots(tmp_path) -> None:
    from PIL import ImageChops

    log = samples.write_text(
        tmp_path / "payroll.log",
        "".join(f"employee {i} ssn 234-56-{7000 + i}\n" for i in range(40)),
    )
    shots = {}
    for name, extra in (("plain", ()), ("redacted", ("--redact",))):
        out = tmp_path / f"{name}.png"
        result = run_preview(str(log), *extra, "--screenshot", str(out), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        shots[name] = Image.open(out).convert("RGB")
    assert ImageChops.difference(shots["plain"], shots["redacted"]).getbbox() is not None
    png = samples.write_png(tmp_path / "shot.png", 200, 150)
    plain_png, redacted_png = tmp_path / "p.png", tmp_path / "r.png"
    assert run_preview(str(png), "--screenshot", str(plain_png), cwd=tmp_path).returncode == 0
    redacted = run_preview(str(png), "--redact", "--screenshot", str(redacted_png), cwd=tmp_path)
    assert redacted.returncode == 0, redacted.stderr
    with Image.open(plain_png) as a, Image.open(redacted_png) as b:
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is not None
