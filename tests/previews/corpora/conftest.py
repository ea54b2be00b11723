"""Outside corpora (JSONTestSuite, PngSuite, csv-spectrum) found beside the checkout.

They live in ``../shared/corpora`` from the checkout root (CI keeps a copy of ``shared/``
beside the clone); a git worktree looks beside its main checkout as well. Nothing of them
is copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _main_checkout(root: Path) -> Path | None:
    """For a git worktree (``.git`` is a file), the checkout that owns the repository."""
    dot_git = root / ".git"
    if not dot_git.is_file():
        return None
    text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
    if not text.startswith("gitdir:"):
        return None
    gitdir = (root / text.removeprefix("gitdir:").strip()).resolve()
    common = gitdir / "commondir"
    if common.is_file():
        gitdir = (gitdir / common.read_text(encoding="utf-8").strip()).resolve()
    return gitdir.parent


def find_corpora() -> Path | None:
    candidates = [ROOT.parent / "shared" / "corpora"]
    main = _main_checkout(ROOT)
    if main is not None:
        candidates.append(main.parent / "shared" / "corpora")
    return next((c for c in candidates if (c / "README.md").is_file()), None)


CORPORA = find_corpora()
SKIP_REASON = (
    "outside corpora not found: expected ../shared/corpora beside the checkout "
    f"(looked from {ROOT})"
)


def corpus_files(folder: str, pattern: str) -> list[Path]:
    """Files of one corpus folder, sorted (empty when the corpora are absent)."""
    if CORPORA is None:
        return []
    return sorted((CORPORA / folder).glob(pattern))


def params(files: list[Path]) -> list[object]:
    """pytest params named by file; one skipped param when the corpora are absent."""
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=SKIP_REASON), id="absent")]
    return [pytest.param(f, id=f.name) for f in files]


@pytest.fixture(scope="module")
def host(qapp):
    """One hidden preview host for a whole corpus module: one file after another."""
    from artifact_viewer.previews.host import PreviewHost
    from artifact_viewer.qt.worker import wait_for_pool

    widget = PreviewHost()
    widget.resize(900, 600)
    yield widget
    widget.clear()
    wait_for_pool(10_000)
    widget.deleteLater()
