"""`artifact-viewer preview FILE --screenshot OUT.png`: renders headless, exit code says if it showed."""

from __future__ import annotations

import os
import subprocess
import sys

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
        (lambda d: samples.write_truncated_png(d / "bad.png"), "corrupt or truncated"),
        (lambda d: d / "missing.log", "no such file"),
    ],
    ids=["truncated-png", "missing"],
)
def test_unshowable_input_exits_nonzero_with_one_line(tmp_path, make, reason) -> None:
    path = make(tmp_path)
    result = run_preview(str(path), "--screenshot", str(tmp_path / "shot.png"), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0] and path.name in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_size_is_a_usage_error(tmp_path) -> None:
    log = samples.write_log(tmp_path / "run.log", 3)
    result = run_preview(str(log), "--size", "huge", "--screenshot", "x.png", cwd=tmp_path)
    assert result.returncode == 2 and "WIDTHxHEIGHT" in result.stderr
