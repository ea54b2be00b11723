"""Benchmark input files, made by the demo package's big-file generators and cached on disk.

Full runs keep them under ``bench/.data/`` (git-ignored) so only the first run pays for
generation; smoke runs ask for tiny versions (the generator's ``scale`` knob) elsewhere.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from bench.harness import log
from bench.spec import FeatureMissing

DEFAULT_DIR = Path(__file__).resolve().parent / ".data"
# 1 GB -> ~1 MB, 500 pages -> 2, 8k px -> the generator's floor of 1280 px.
SMOKE_SCALE = 0.001


def ensure(names: list[str], folder: Path, smoke: bool) -> dict[str, Path]:
    """Create (or reuse) the named demo big files in ``folder``; returns name -> path."""
    if not names:
        return {}
    try:
        bigfiles = importlib.import_module("artifact_viewer.demo.bigfiles")
        generate = bigfiles.ensure_big_files
    except (ImportError, AttributeError) as exc:
        raise FeatureMissing(f"demo big-file generator unavailable ({exc})") from None
    folder.mkdir(parents=True, exist_ok=True)
    try:
        made = generate(folder, which=names, scale=SMOKE_SCALE if smoke else 1.0, progress=log)
    except ValueError as exc:
        raise FeatureMissing(str(exc)) from None
    return {name: Path(made[name]) for name in names}
