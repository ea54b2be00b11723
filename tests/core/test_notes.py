"""Notes on runs and artifacts: kept locally, multi-line, cleared by empty text, searchable."""

from __future__ import annotations

import sqlite3

import pytest

from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.catalog.notes import NoteKind
from artifact_viewer.core.catalog.schema import migrate
from artifact_viewer.core.errors import NotFound
from artifact_viewer.core.store_models import ArtifactQuery


@pytest.fixture
def synced(library, fake_cloud):
    fake_cloud.add("a-1", b"alpha", name="payroll.csv")
    fake_cloud.add("a-2", b"beta", name="run.log")
    library.sync()
    library.refresh_artifacts()
    return library


def test_a_note_is_set_read_and_cleared_with_its_time(synced) -> None:
    saved = synced.set_note("a-1", "Totals differ from the ledger.\r\nCheck row 12.  \n\n")
    assert saved is not None and saved.kind is NoteKind.ARTIFACT
    note = synced.note("a-1")
    assert note is not None
    assert note.text == "Totals differ from the ledger.\nCheck row 12."
    assert note.updated_at == saved.updated_at > 0
    assert synced.set_note("a-1", "  \n ") is None
    assert synced.note("a-1") is None


def test_run_notes_and_artifact_notes_are_separate(synced) -> None:
    synced.set_note("run-1", "Escalated to engineering")
    assert synced.note("run-1").kind is NoteKind.RUN
    assert synced.note("a-1") is None


def test_a_note_on_an_unknown_id_is_not_found(synced) -> None:
    with pytest.raises(NotFound, match="nope"):
        synced.set_note("nope", "text")


def test_the_artifact_filter_finds_notes_as_well_as_names(synced) -> None:
    synced.set_note("a-2", "Contains the SSN-mismatch warning")
    found = synced.artifacts(ArtifactQuery(text="ssn-mismatch"))
    assert [a.id for a in found] == ["a-2"]
    assert synced.count_artifacts(ArtifactQuery(text="payroll")) == 1
    assert synced.count_artifacts(ArtifactQuery(text="zz")) == 0  # short text: plain scan
    synced.set_note("a-2", "")
    assert synced.count_artifacts(ArtifactQuery(text="ssn-mismatch")) == 0


def test_a_full_refresh_keeps_notes(synced, fake_cloud) -> None:
    synced.set_note("a-1", "keep me")
    synced.set_note("run-1", "and me")
    fake_cloud.records["a-1"] = fake_cloud.records["a-1"].replace(display_name="renamed.csv")
    synced.sync()
    synced.refresh_artifacts()
    assert synced.artifact("a-1").display_name == "renamed.csv"
    assert synced.note("a-1").text == "keep me"
    assert synced.note("run-1").text == "and me"


def test_a_version_3_catalog_migrates_to_notes(tmp_path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, target=3) == 3
    conn.execute("INSERT INTO workflow_runs (id, json, seen_at) VALUES ('r', '{\"id\": \"r\"}', 0)")
    conn.close()
    catalog = Catalog(path)
    try:
        assert catalog.set_note(NoteKind.RUN, "r", "after migration").text == "after migration"
        assert catalog.run("r") is not None
    finally:
        catalog.close()
