"""Running a query: candidate rows from FTS5, artifacts from the catalog, hits with snippets.

Hits come newest run first (then newest artifact, then position in the file): every hit
matches every word, so no hit ranks above another by score. Two plans give that order
exactly. Rare words: all matching rows are few (``ALL_MATCHES_CAP``), fetched at once and
sorted. Common words: documents are walked newest first, each asked for its matching rows
by rowid range, until the limit is reached.

Then the files holding every word but in different rows (``E00042`` in one row, ``Smith``
in another): each word's documents are found with one seek per document (its rowid range
is skipped once it matched), intersected, and each such file gives one hit at the first
row holding the first word, after all the per-row hits.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.search.extract import IMAGE, JSON, PDF, TABLE
from artifact_viewer.core.search.index import DOC_SHIFT, USABLE, SearchIndex, doc_range
from artifact_viewer.core.search.query import MIN_INDEXED, QueryError, SearchQuery, fts_quote
from artifact_viewer.core.search.rows import CELL_SEP

#: up to this many matching rows, the rare-word plan sorts them all
ALL_MATCHES_CAP = 500
#: rows read looking for words shorter than the trigram index can find
MAX_ROWS_EXAMINED = 50_000
#: documents looked up per word for matches across a file's rows (one seek each)
MAX_FILE_DOCS = 5_000
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
    #: the words are all in the file but not in one row: ``location`` is the first word's
    across_rows: bool = False

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
    columns_json: str | None  # a table's column names (read when a hit needs them)
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
    """The artifacts the query may find, newest run first; kept between queries with the
    same filters while neither the index nor the catalog changed (each key typed)."""
    versions = index.data_versions()
    key = (
        query.types,
        query.mimes,
        query.runs,
        query.workflows,
        query.statuses,
        query.since,
        query.until,
        versions,
    )
    memo = index.targets_memo
    if versions is not None and memo is not None and memo[0] == key:
        return list(memo[1])
    targets = _read_targets(index, query)
    if versions is not None:
        index.targets_memo = (key, tuple(targets))
    return targets


def _read_targets(index: SearchIndex, query: SearchQuery) -> list[_Target]:
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
            columns_json=r[8],
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


@functools.lru_cache(maxsize=256)
def _columns(columns_json: str) -> tuple[str, ...]:
    return tuple(str(name) for name in json.loads(columns_json))


def _location(target: _Target, text: str, loc: str, first: int, last: int) -> dict[str, Any]:
    if target.kind == TABLE:
        row, _sep, col = loc.partition(":")
        index = (int(col) if col else 0) + text.count(CELL_SEP, 0, first)
        columns = _columns(target.columns_json) if target.columns_json else ()
        name = columns[index] if index < len(columns) else f"column {index + 1}"
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


def _hit(
    target: _Target, text: str, loc: str, matcher: _Matcher, *, across_rows: bool = False
) -> Hit:
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
        across_rows=across_rows,
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
    _across_rows(index, query, matcher, targets, result, limit, cancel)
    return result


def _across_rows(
    index: SearchIndex,
    query: SearchQuery,
    matcher: _Matcher,
    targets: list[_Target],
    result: SearchResult,
    limit: int,
    cancel: CancelToken | None,
) -> None:
    """Add a hit per file holding every word, not in one row, and not found already."""
    terms = query.indexed_terms
    if len(terms) < 2:
        return  # one word: every file holding it has a row holding it
    found = {h.artifact_id for h in result.hits}
    wanted = [t for t in targets if t.artifact_id not in found]
    if not wanted:
        return
    docs, bounded = docs_with_all(index, query, cancel=cancel)
    if not bounded:
        result.complete = False
        result.notes.append(
            "Files holding the words in different rows were looked for among the first"
            f" {MAX_FILE_DOCS} files holding each word only."
        )
    first = fts_quote(terms[0])
    for target in wanted:
        if target.doc_id not in docs:
            continue
        if cancel is not None:
            cancel.raise_if_cancelled()
        low, high = doc_range(target.doc_id)
        rows = index.read(
            "SELECT text, loc FROM content WHERE content MATCH ? AND rowid BETWEEN ? AND ?"
            " ORDER BY rowid LIMIT 64",
            (first, low, high),
        )
        row = next(((str(t), str(loc)) for t, loc in rows if matcher.row_ok(str(t))), None)
        if row is None:
            continue
        result.hits.append(_hit(target, row[0], row[1], matcher, across_rows=True))
        if len(result.hits) >= limit:
            result.complete = False
            return


def docs_with_term(
    index: SearchIndex, term: str, cap: int | None = None, cancel: CancelToken | None = None
) -> set[int] | None:
    """The documents holding ``term`` (a word or phrase), None when more than ``cap``.

    One seek per document: after a match, the search goes on from the next document's
    first rowid, so a word in millions of rows of a few files costs a few lookups."""
    cap = MAX_FILE_DOCS if cap is None else cap
    expr = fts_quote(term)
    docs: set[int] = set()
    low = 0
    while True:
        if cancel is not None:
            cancel.raise_if_cancelled()
        rows = index.read(
            "SELECT rowid FROM content WHERE content MATCH ? AND rowid >= ? ORDER BY rowid LIMIT 1",
            (expr, low),
        )
        if not rows:
            return docs
        doc = int(rows[0][0]) >> DOC_SHIFT
        docs.add(doc)
        if len(docs) > cap:
            return None
        low = (doc + 1) << DOC_SHIFT


def _doc_has(index: SearchIndex, term: str, doc_id: int) -> bool:
    low, high = doc_range(doc_id)
    return bool(
        index.read(
            "SELECT 1 FROM content WHERE content MATCH ? AND rowid BETWEEN ? AND ? LIMIT 1",
            (fts_quote(term), low, high),
        )
    )


def docs_with_all(
    index: SearchIndex,
    query: SearchQuery,
    cap: int | None = None,
    cancel: CancelToken | None = None,
) -> tuple[set[int], bool]:
    """The documents holding every indexed word of ``query`` (anywhere in the file) and none
    of its excluded words; and False when a bound cut the answer short (every word in more
    than ``cap`` documents: only the first ``cap`` documents of one are checked)."""
    terms = query.indexed_terms
    if not terms:
        query.fts_expression()  # raises the QueryError that says why
        raise QueryError("Nothing to search for: type a word of 3 or more characters.")
    cap = MAX_FILE_DOCS if cap is None else cap
    sets: list[set[int]] = []
    common: list[str] = []
    for term in terms:
        docs = docs_with_term(index, term, cap, cancel)
        if docs is None:
            common.append(term)
        else:
            sets.append(docs)
    complete = True
    if sets:
        sets.sort(key=len)
        candidates = set.intersection(*sets)
    else:  # every word is everywhere: the first documents of the first word only
        candidates = _first_docs(index, common[0], cap)
        common = common[1:]
        complete = False
    for term in common:  # check the few candidates one by one
        candidates = {d for d in candidates if _doc_has(index, term, d)}
    for word in query.excludes:
        if len(word) >= MIN_INDEXED:
            candidates = {d for d in candidates if not _doc_has(index, word, d)}
    return candidates, complete


def _first_docs(index: SearchIndex, term: str, cap: int) -> set[int]:
    docs: set[int] = set()
    low = 0
    while len(docs) < cap:
        rows = index.read(
            "SELECT rowid FROM content WHERE content MATCH ? AND rowid >= ? ORDER BY rowid LIMIT 1",
            (fts_quote(term), low),
        )
        if not rows:
            break
        doc = int(rows[0][0]) >> DOC_SHIFT
        docs.add(doc)
        low = (doc + 1) << DOC_SHIFT
    return docs


def artifacts_with_content(
    index: SearchIndex, words: Sequence[str], cancel: CancelToken | None = None
) -> tuple[frozenset[str], bool]:
    """The artifacts whose cached file holds every one of ``words`` (substrings, any case,
    anywhere in the file), for the window's ``text:`` filter; and False when bounded (see
    :func:`docs_with_all`). QueryError when no word has 3 or more characters."""
    query = SearchQuery(terms=tuple(words))
    docs, complete = docs_with_all(index, query, cancel=cancel)
    short = [re.compile(re.escape(w), re.IGNORECASE) for w in query.short_terms]
    if short:  # words the index cannot find: some row of the file must hold them
        docs = {d for d in docs if _doc_rows_hold(index, query, d, short)}
    if not docs:
        return frozenset(), complete
    ids: set[str] = set()
    ordered = sorted(docs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        ids.update(
            str(r[0])
            for r in index.read(
                "SELECT c.artifact_id FROM cat.cache_entries c JOIN docs d ON d.sha256 = c.sha256"
                f" WHERE d.id IN ({marks}) AND d.complete = 1 AND c.state IN {USABLE!r}",
                chunk,
            )
        )
    return frozenset(ids), complete


def _doc_rows_hold(
    index: SearchIndex, query: SearchQuery, doc_id: int, patterns: list[re.Pattern[str]]
) -> bool:
    low, high = doc_range(doc_id)
    rows = index.read(
        "SELECT text FROM content WHERE content MATCH ? AND rowid BETWEEN ? AND ? LIMIT 5000",
        (query.fts_expression(), low, high),
    )
    return any(all(p.search(str(t)) for p in patterns) for (t,) in rows)


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
