"""Running a query: candidate rows from FTS5, artifacts from the catalog, hits with snippets.

Hits come newest run first (then newest artifact, then position in the file): every hit
matches every word, so no hit ranks above another by score. Two plans give that order
exactly. Rare words: all matching rows are few (``ALL_MATCHES_CAP``), fetched at once and
sorted. Common words: documents are walked newest first, each asked for its matching rows
by rowid range, until the limit is reached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.search.extract import IMAGE, JSON, PDF, TABLE
from artifact_viewer.core.search.index import DOC_SHIFT, USABLE, SearchIndex, doc_range
from artifact_viewer.core.search.query import SearchQuery
from artifact_viewer.core.search.rows import CELL_SEP

#: up to this many matching rows, the rare-word plan sorts them all
ALL_MATCHES_CAP = 500
#: rows read looking for words shorter than the trigram index can find
MAX_ROWS_EXAMINED = 50_000
SNIPPET_CHARS = 160
_BEFORE = 48

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Hit:
    """One place a query matched: the artifact, a snippet with its matches, and where."""

    artifact_id: str
    run_id: str | None
    workflow_id: str | None
    display_name: str
    artifact_type: str | None
    kind: str
    snippet: str
    marks: tuple[Span, ...]
    location: dict[str, Any]
    run_created_at: float | None = None
    workflow_name: str | None = None

    def marked(self, before: str = "«", after: str = "»") -> str:
        """The snippet with each match wrapped in ``before``/``after``."""
        out, last = [], 0
        for start, end in self.marks:
            out += [self.snippet[last:start], before, self.snippet[start:end], after]
            last = end
        out.append(self.snippet[last:])
        return "".join(out)

    def to_json(self) -> dict[str, Any]:
        """The ``search --json`` line."""
        return {
            "artifactId": self.artifact_id,
            "runId": self.run_id,
            "workflowId": self.workflow_id,
            "displayName": self.display_name,
            "snippet": self.marked(),
            "location": self.location,
        }


@dataclass(slots=True)
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    #: False when there may be more hits than were returned (limit, or a bounded scan)
    complete: bool = True
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Target:
    artifact_id: str
    workflow_id: str | None
    run_id: str | None
    name: str
    artifact_type: str | None
    mime: str | None
    doc_id: int
    kind: str
    columns: tuple[str, ...]
    run_at: float | None
    workflow_name: str | None
    run_status: str | None
    note: str | None = None
    run_note: str | None = None

    def meta(self) -> list[tuple[str, str]]:
        fields = [
            ("name", self.name),
            ("type", self.artifact_type or ""),
            ("mime", self.mime or ""),
            ("workflow", self.workflow_name or ""),
            ("workflowId", self.workflow_id or ""),
            ("runId", self.run_id or ""),
            ("note", self.note or ""),
            ("runNote", self.run_note or ""),
        ]
        return [(k, v) for k, v in fields if v]


def _targets(index: SearchIndex, query: SearchQuery) -> list[_Target]:
    where = [f"c.state IN {USABLE!r}", "a.deleted = 0"]
    params: list[Any] = []

    def any_of(template: str, values: Sequence[str]) -> None:
        if values:
            where.append("(" + " OR ".join(template for _ in values) + ")")
            for value in values:
                params.extend([value] * template.count("?"))

    any_of("lower(coalesce(a.type, '')) LIKE '%' || lower(?) || '%'", query.types)
    any_of("lower(coalesce(a.mime_type, '')) LIKE '%' || lower(?) || '%'", query.mimes)
    any_of("a.workflow_run_id = ?", query.runs)
    any_of("(a.workflow_id = ? OR lower(coalesce(w.name, '')) = lower(?))", query.workflows)
    any_of(
        "replace(upper(coalesce(r.status, '')), ' ', '_') LIKE"
        " '%' || replace(upper(?), ' ', '_') || '%'",
        query.statuses,
    )
    if query.since is not None:
        where.append("a.created_at >= ?")
        params.append(query.since)
    if query.until is not None:
        where.append("a.created_at < ?")
        params.append(query.until)
    rows = index.read(
        "SELECT a.id, a.workflow_id, a.workflow_run_id, coalesce(a.display_name, a.id),"
        " a.type, a.mime_type, d.id, d.kind, d.columns, coalesce(r.created_at, a.created_at),"
        " w.name, r.status, an.text, rn.text"
        " FROM cat.cache_entries c JOIN cat.artifacts a ON a.id = c.artifact_id"
        " JOIN docs d ON d.sha256 = c.sha256 AND d.complete = 1"
        " LEFT JOIN cat.workflow_runs r ON r.id = a.workflow_run_id"
        " LEFT JOIN cat.workflows w ON w.id = a.workflow_id"
        " LEFT JOIN cat.notes an ON an.kind = 'artifact' AND an.target_id = a.id"
        " LEFT JOIN cat.notes rn ON rn.kind = 'run' AND rn.target_id = a.workflow_run_id"
        f" WHERE {' AND '.join(where)}"
        " ORDER BY coalesce(r.created_at, a.created_at) DESC, a.created_at DESC, a.id",
        params,
    )
    return [
        _Target(
            artifact_id=r[0],
            workflow_id=r[1],
            run_id=r[2],
            name=r[3],
            artifact_type=r[4],
            mime=r[5],
            doc_id=int(r[6]),
            kind=r[7],
            columns=tuple(json.loads(r[8])) if r[8] else (),
            run_at=r[9],
            workflow_name=r[10],
            run_status=r[11],
            note=r[12],
            run_note=r[13],
        )
        for r in rows
    ]


class _Matcher:
    """The query's words as regular expressions, for snippets and short-word checks."""

    def __init__(self, query: SearchQuery) -> None:
        self.query = query
        words = sorted(query.terms, key=len, reverse=True)
        self.any = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        self.short = [re.compile(re.escape(w), re.IGNORECASE) for w in query.short_terms]
        self.excluded = [re.compile(re.escape(w), re.IGNORECASE) for w in query.excludes]
        self.all_words = [re.compile(re.escape(w), re.IGNORECASE) for w in query.terms]

    def row_ok(self, text: str) -> bool:
        """Short words present and excluded words absent (FTS checked the rest)."""
        return all(p.search(text) for p in self.short) and not any(
            p.search(text) for p in self.excluded
        )

    def meta_field(self, target: _Target) -> str | None:
        """The first metadata field that matches, when the metadata holds every word."""
        joined = "\n".join(v for _k, v in target.meta())
        if not all(p.search(joined) for p in self.all_words):
            return None
        if any(p.search(joined) for p in self.excluded):
            return None
        for key, value in target.meta():
            if self.any.search(value):
                return key
        return None


def _display(text: str) -> str:
    return text.replace(CELL_SEP, " | ").replace("\r", " ").replace("\n", " ").replace("\t", " ")


def snippet(text: str, spans: list[Span]) -> tuple[str, tuple[Span, ...]]:
    """A window of ``text`` around its first match, whitespace flattened, cells shown as
    `` | ``, with the matches' spans inside the window."""
    first = spans[0][0] if spans else 0
    start = max(0, first - _BEFORE)
    end = min(len(text), start + SNIPPET_CHARS)
    out: list[str] = ["…" if start else ""]
    marks: list[Span] = []
    pos = start
    length = len(out[0])
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e or s < pos:
            continue
        plain = _display(text[pos:s])
        hit = _display(text[s:e])
        out += [plain, hit]
        length += len(plain)
        marks.append((length, length + len(hit)))
        length += len(hit)
        pos = e
    out.append(_display(text[pos:end]))
    if end < len(text):
        out.append("…")
    return "".join(out), tuple(marks)


def _location(target: _Target, text: str, loc: str, first: int, last: int) -> dict[str, Any]:
    if target.kind == TABLE:
        row, _sep, col = loc.partition(":")
        index = (int(col) if col else 0) + text.count(CELL_SEP, 0, first)
        name = target.columns[index] if index < len(target.columns) else f"column {index + 1}"
        return {"row": int(row), "column": name}
    if target.kind == JSON:
        return {"path": loc}
    if target.kind == PDF:
        return {"page": int(loc)}
    if target.kind == IMAGE:
        boxes: list[list[int]] = json.loads(loc)
        a = min(text.count(" ", 0, first), len(boxes) - 1)
        b = min(text.count(" ", 0, max(first, last - 1)), len(boxes) - 1)
        picked = boxes[a : b + 1]
        x0 = min(x for x, _y, _w, _h in picked)
        y0 = min(y for _x, y, _w, _h in picked)
        x1 = max(x + w for x, _y, w, _h in picked)
        y1 = max(y + h for _x, y, _w, h in picked)
        return {"page": 1, "box": [x0, y0, x1 - x0, y1 - y0]}
    return {"line": int(loc)}


def _hit(target: _Target, text: str, loc: str, matcher: _Matcher) -> Hit:
    spans = [m.span() for m in matcher.any.finditer(text)] if matcher.query.terms else []
    first, last = spans[0] if spans else (0, 0)
    shown, marks = snippet(text, spans)
    return Hit(
        artifact_id=target.artifact_id,
        run_id=target.run_id,
        workflow_id=target.workflow_id,
        display_name=target.name,
        artifact_type=target.artifact_type,
        kind=target.kind,
        snippet=shown,
        marks=marks,
        location=_location(target, text, loc, first, last),
        run_created_at=target.run_at,
        workflow_name=target.workflow_name,
    )


def _meta_hit(target: _Target, key: str, matcher: _Matcher) -> Hit:
    value = dict(target.meta())[key]
    spans = [m.span() for m in matcher.any.finditer(value)]
    shown, marks = snippet(value, spans)
    return Hit(
        artifact_id=target.artifact_id,
        run_id=target.run_id,
        workflow_id=target.workflow_id,
        display_name=target.name,
        artifact_type=target.artifact_type,
        kind="metadata",
        snippet=shown,
        marks=marks,
        location={"field": key},
        run_created_at=target.run_at,
        workflow_name=target.workflow_name,
    )


def search(
    index: SearchIndex,
    query: SearchQuery,
    *,
    limit: int = 50,
    cancel: CancelToken | None = None,
) -> SearchResult:
    """Up to ``limit`` hits for ``query`` over what the index holds (QueryError if the
    query has no word of 3 or more characters)."""
    expr = query.fts_expression()
    matcher = _Matcher(query)
    result = SearchResult()
    targets = _targets(index, query)
    if not targets or limit <= 0:
        return result
    by_doc = _all_matches(index, expr)
    seen: set[tuple[str, str]] = set()
    examined = 0
    doc_cache: dict[int, list[tuple[str, str]]] = {}
    for target in targets:
        if cancel is not None:
            cancel.raise_if_cancelled()
        key = matcher.meta_field(target)
        if key is not None:
            result.hits.append(_meta_hit(target, key, matcher))
            if len(result.hits) >= limit:
                result.complete = False
                return result
        if target.doc_id in doc_cache:
            found: Iterator[tuple[str, str]] = iter(doc_cache[target.doc_id])
        elif by_doc is not None:
            doc_cache[target.doc_id] = _rows_by_id(index, by_doc.get(target.doc_id, []))
            found = iter(doc_cache[target.doc_id])
        elif target.doc_id in doc_cache:
            found = iter(doc_cache[target.doc_id])
        else:
            found = _doc_matches(index, expr, target.doc_id, doc_cache)
        for text, loc in found:
            examined += 1
            if examined > MAX_ROWS_EXAMINED:
                result.complete = False
                result.notes.append(
                    f"Stopped after reading {MAX_ROWS_EXAMINED} matching rows: words shorter"
                    " than 3 characters are checked row by row. Add a longer word to narrow it."
                )
                return result
            if not matcher.row_ok(text):
                continue
            hit = _hit(target, text, loc, matcher)
            ident = (target.artifact_id, json.dumps(hit.location, sort_keys=True))
            if ident in seen:
                continue  # the overlap of a long line's pieces
            seen.add(ident)
            result.hits.append(hit)
            if len(result.hits) >= limit:
                result.complete = False
                return result
    return result


def _all_matches(index: SearchIndex, expr: str) -> dict[int, list[int]] | None:
    """Matching rowids by document when there are at most ALL_MATCHES_CAP, else None."""
    rows = index.read(
        "SELECT rowid FROM content WHERE content MATCH ? LIMIT ?", (expr, ALL_MATCHES_CAP + 1)
    )
    if len(rows) > ALL_MATCHES_CAP:
        return None
    by_doc: dict[int, list[int]] = {}
    for (rowid,) in rows:
        by_doc.setdefault(int(rowid) >> DOC_SHIFT, []).append(int(rowid))
    return by_doc


def _rows_by_id(index: SearchIndex, rowids: list[int]) -> list[tuple[str, str]]:
    """The text and location of these rows, in file order."""
    rowids.sort()
    texts: list[tuple[str, str]] = []
    for start in range(0, len(rowids), 500):
        chunk = rowids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        fetched = {
            int(r[0]): (str(r[1]), str(r[2]))
            for r in index.read(
                f"SELECT rowid, text, loc FROM content WHERE rowid IN ({marks})", chunk
            )
        }
        texts.extend(fetched[r] for r in chunk if r in fetched)
    return texts


def _doc_matches(
    index: SearchIndex, expr: str, doc_id: int, cache: dict[int, list[tuple[str, str]]]
) -> Iterator[tuple[str, str]]:
    """A document's matching rows in file order, read a page at a time."""
    low, high = doc_range(doc_id)
    page = 256
    got: list[tuple[str, str]] = []
    while True:
        rows = index.read(
            "SELECT rowid, text, loc FROM content WHERE content MATCH ?"
            " AND rowid BETWEEN ? AND ? ORDER BY rowid LIMIT ?",
            (expr, low, high, page),
        )
        for rowid, text, loc in rows:
            got.append((str(text), str(loc)))
            yield str(text), str(loc)
            low = int(rowid) + 1
        if len(rows) < page:
            cache[doc_id] = got
            return
        page = min(page * 4, 4096)
