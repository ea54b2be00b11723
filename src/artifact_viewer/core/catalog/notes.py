"""Catalog tables that exist only locally: notes on runs and artifacts, and import marks."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from artifact_viewer.core.catalog.db import CatalogDb

MAX_NOTE_CHARS = 100_000  # a note is a remark, not a document; keeps bundles and lists small


class NoteKind(StrEnum):
    RUN = "run"
    ARTIFACT = "artifact"


@dataclass(frozen=True, slots=True)
class Note:
    """A plain-text remark (any number of lines) on a run or an artifact; ``updated_at`` is
    epoch seconds of the last change."""

    kind: NoteKind
    target_id: str
    text: str
    updated_at: float


@dataclass(frozen=True, slots=True)
class ImportMark:
    """Where an imported record came from: the bundle's file name and its export time."""

    source: str
    exported_at: str | None
    imported_at: float


def clean_note_text(text: str) -> str:
    """Line endings made ``\\n`` and trailing blank space dropped; empty means "no note"."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n").rstrip()


class NoteTables(CatalogDb):
    """Notes (keyed by kind and id, so a note outlives a refresh of its record) and the
    marks that say a workflow, run or artifact came from a bundle."""

    # -- notes ----------------------------------------------------------------------------

    def note(self, kind: NoteKind, target_id: str) -> Note | None:
        rows = self._read(
            "SELECT kind, target_id, text, updated_at FROM notes WHERE kind = ? AND target_id = ?",
            (kind.value, target_id),
        )
        return _note(rows[0]) if rows else None

    def notes(self, kind: NoteKind, target_ids: Sequence[str] | None = None) -> dict[str, Note]:
        """Notes of one kind by target id (all of them when ``target_ids`` is None)."""
        if target_ids is None:
            rows = self._read(
                "SELECT kind, target_id, text, updated_at FROM notes WHERE kind = ?",
                (kind.value,),
            )
            return {str(r["target_id"]): _note(r) for r in rows}
        out: dict[str, Note] = {}
        ids = list(target_ids)
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._read(
                "SELECT kind, target_id, text, updated_at FROM notes"
                f" WHERE kind = ? AND target_id IN ({marks})",
                [kind.value, *chunk],
            ):
                out[str(row["target_id"])] = _note(row)
        return out

    def set_note(
        self, kind: NoteKind, target_id: str, text: str, *, when: float | None = None
    ) -> Note | None:
        """Set the note (an empty or blank ``text`` clears it); returns the note now held."""
        cleaned = clean_note_text(text)
        if len(cleaned) > MAX_NOTE_CHARS:
            raise ValueError(f"a note holds at most {MAX_NOTE_CHARS} characters")
        with self._write() as conn:
            if not cleaned:
                conn.execute(
                    "DELETE FROM notes WHERE kind = ? AND target_id = ?", (kind.value, target_id)
                )
                return None
            stamp = when if when is not None else time.time()
            conn.execute(
                "INSERT INTO notes (kind, target_id, text, text_key, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT(kind, target_id) DO UPDATE SET"
                " text = excluded.text, text_key = excluded.text_key,"
                " updated_at = excluded.updated_at",
                (kind.value, target_id, cleaned, cleaned.lower(), stamp),
            )
        return Note(kind, target_id, cleaned, stamp)

    # -- import marks ---------------------------------------------------------------------

    def import_mark(self, table: str, record_id: str) -> ImportMark | None:
        """How ``record_id`` of ``table`` (workflows, workflow_runs, artifacts) was imported."""
        rows = self._read(
            "SELECT source, exported_at, imported_at FROM imported WHERE tbl = ? AND id = ?",
            (table, record_id),
        )
        return _mark(rows[0]) if rows else None

    def import_marks(self, table: str) -> dict[str, ImportMark]:
        rows = self._read(
            "SELECT id, source, exported_at, imported_at FROM imported WHERE tbl = ?", (table,)
        )
        return {str(r["id"]): _mark(r) for r in rows}


def _note(row: sqlite3.Row) -> Note:
    return Note(
        NoteKind(row["kind"]), str(row["target_id"]), str(row["text"]), float(row["updated_at"])
    )


def _mark(row: sqlite3.Row) -> ImportMark:
    return ImportMark(str(row["source"]), row["exported_at"], float(row["imported_at"]))
