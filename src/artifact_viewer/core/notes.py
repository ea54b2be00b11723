"""Notes on runs and artifacts by id: which kind an id is, then read or set its note."""

from __future__ import annotations

from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.catalog.notes import Note, NoteKind
from artifact_viewer.core.errors import ArtifactViewerError, NotFound


def note_kind(catalog: Catalog, target_id: str) -> NoteKind:
    """Whether ``target_id`` is a run or an artifact of the local catalog."""
    is_artifact = catalog.artifact(target_id) is not None
    is_run = catalog.run(target_id) is not None
    if is_artifact and is_run:
        raise ArtifactViewerError(f"{target_id} names both a run and an artifact.")
    if is_artifact:
        return NoteKind.ARTIFACT
    if is_run:
        return NoteKind.RUN
    raise NotFound(
        f"No run or artifact {target_id} in the local catalog.",
        hint="Check the id, or run `artifact-viewer sync` while online.",
    )


def read_note(catalog: Catalog, target_id: str) -> Note | None:
    return catalog.note(note_kind(catalog, target_id), target_id)


def write_note(catalog: Catalog, target_id: str, text: str) -> Note | None:
    """Set the note on a run or artifact; empty (or blank) text clears it. Returns the note."""
    kind = note_kind(catalog, target_id)
    try:
        return catalog.set_note(kind, target_id, text)
    except ValueError as exc:
        raise ArtifactViewerError(f"The note was not saved: {exc}.") from None
