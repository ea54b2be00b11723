"""Saving several artifacts (a selection, or whole runs) into one folder, each copy verified.

Names are made safe and unique; when the artifacts come from more than one run each name
starts with its run (start time and short id), so every run's ``run.log`` survives. Each
copy is written atomically by :meth:`Library.save_as` and then hashed again and compared
with the verified cache entry: a copy that does not match is removed and reported.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError, Cancelled, user_message
from artifact_viewer.core.filenames import safe_file_name
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.progress import ProgressFn, report

if TYPE_CHECKING:
    from artifact_viewer.core.library import Library

log = logging.getLogger(__name__)

_HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class SavedCopy:
    artifact_id: str
    path: Path
    sha256: str  # of the copy, equal to the verified cache entry's


@dataclass(frozen=True, slots=True)
class SaveProblem:
    artifact_id: str
    name: str
    reason: str


@dataclass(slots=True)
class SaveManyReport:
    folder: Path
    saved: list[SavedCopy] = field(default_factory=list)
    failed: list[SaveProblem] = field(default_factory=list)
    cancelled: bool = False

    def summary(self) -> str:
        parts = [f"Saved {len(self.saved)} file{'s' if len(self.saved) != 1 else ''}"]
        parts[0] += (
            f" to {self.folder} (each copy verified)" if self.saved else f" to {self.folder}"
        )
        if self.failed:
            parts.append(f"{len(self.failed)} could not be saved")
        if self.cancelled:
            parts.append("stopped before the rest")
        return "; ".join(parts) + "."


def _run_prefix(run: WorkflowRun | None, run_id: str) -> str:
    when = run.created_at if run is not None else None
    stamp = when.strftime("%Y-%m-%d_%H%M") + "_" if isinstance(when, datetime) else ""
    return f"{stamp}{run_id[:8]}_" if run_id else stamp


def plan_names(artifacts: Sequence[Artifact], runs: dict[str, WorkflowRun]) -> dict[str, str]:
    """Artifact id -> a safe, unique file name in one folder (prefixed by run when several)."""
    several_runs = len({a.workflow_run_id for a in artifacts}) > 1
    taken: set[str] = set()
    names: dict[str, str] = {}
    for artifact in artifacts:
        name = safe_file_name(artifact.name, artifact)
        if several_runs:
            run_id = artifact.workflow_run_id or ""
            name = safe_file_name(_run_prefix(runs.get(run_id), run_id) + name, artifact)
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, n = name, 2
        while candidate.lower() in taken:
            candidate = f"{stem} ({n}){'.' + ext if ext else ''}"
            n += 1
        taken.add(candidate.lower())
        names[artifact.id] = candidate
    return names


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def save_many(
    library: Library,
    artifact_ids: Sequence[str],
    folder: Path,
    *,
    overwrite: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> SaveManyReport:
    """Save each artifact into ``folder`` (downloaded and verified first where needed).

    One artifact's failure is reported and the rest go on; Cancel stops before the next
    file (files already saved stay, whole and verified). Progress counts files.
    """
    folder = Path(folder).expanduser()
    result = SaveManyReport(folder)
    if not folder.is_dir():
        raise ArtifactViewerError(
            f"{folder} is not a folder.", hint="Choose an existing folder to save into."
        )
    artifacts = [a for a in (library.artifact(i) for i in artifact_ids) if a is not None]
    missing = [i for i in artifact_ids if i not in {a.id for a in artifacts}]
    for artifact_id in missing:
        result.failed.append(SaveProblem(artifact_id, artifact_id, "not in the local catalog"))
    run_ids = {a.workflow_run_id for a in artifacts if a.workflow_run_id}
    runs = {r: run for r in run_ids if (run := library.run(r)) is not None}
    names = plan_names(artifacts, runs)
    total = len(artifacts)
    report(progress, 0, total)
    for done, artifact in enumerate(artifacts):
        if cancel is not None and cancel.cancelled:
            result.cancelled = True
            break
        target = folder / names[artifact.id]
        try:
            written = Path(library.save_as(artifact.id, target, overwrite=overwrite))
            entry_sha = library.cached_sha256(artifact.id)
            copy_sha = _sha256_of(written)
            if entry_sha is not None and copy_sha != entry_sha:
                written.unlink(missing_ok=True)
                raise ArtifactViewerError(
                    f"The copy of {artifact.name} does not match the verified file; removed."
                )
            result.saved.append(SavedCopy(artifact.id, written, copy_sha))
        except Cancelled:
            result.cancelled = True
            break
        except Exception as exc:  # one artifact's failure is that artifact's
            log.info("Could not save %s: %s", artifact.id, exc)
            result.failed.append(SaveProblem(artifact.id, artifact.name, user_message(exc)))
        report(progress, done + 1, total)
    return result
