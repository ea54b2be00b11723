"""The search box language: words ANDed, "quoted phrases", -excludes, and filter terms.

``E00042 "net pay" -draft type:extracted_data run:ID workflow:ID status:failed
since:2025-01-01 until:2025-01-31``. Matching is case-insensitive and by substring.
``text:WORD`` is a content word (the artifact filter box sends content terms that way).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from artifact_viewer.core.errors import ArtifactViewerError

#: the trigram index finds substrings of this many characters or more
MIN_INDEXED = 3

_FILTERS = ("type", "mime", "run", "workflow", "status", "since", "until", "text")


class QueryError(ArtifactViewerError):
    """A search that cannot run as typed (no word long enough, a date that is not one)."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A parsed search. Empty filter tuples mean "any"."""

    terms: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    mimes: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    workflows: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: float | None = None
    until: float | None = None

    @property
    def indexed_terms(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if len(t) >= MIN_INDEXED)

    @property
    def short_terms(self) -> tuple[str, ...]:
        """Terms too short for the trigram index: checked on the rows it returns."""
        return tuple(t for t in self.terms if len(t) < MIN_INDEXED)

    def fts_expression(self) -> str:
        """The FTS5 MATCH text: every term quoted, so no character is syntax.

        Raises QueryError when no term is long enough for the index to narrow the search.
        """
        long_terms = self.indexed_terms
        if not long_terms:
            if self.terms:
                raise QueryError(
                    "Search words need at least 3 characters",
                    hint="Add a longer word or a quoted phrase; shorter words then narrow it.",
                )
            raise QueryError("Nothing to search for: type a word of 3 or more characters.")
        expr = " AND ".join(fts_quote(t) for t in long_terms)
        for word in self.excludes:
            if len(word) >= MIN_INDEXED:
                expr += f" NOT {fts_quote(word)}"
        return expr

    def with_filters(
        self,
        *,
        run_id: str | None = None,
        workflow_id: str | None = None,
        artifact_type: str | None = None,
    ) -> SearchQuery:
        """This query narrowed by the CLI's or the window's own filters."""
        return dataclasses.replace(
            self,
            runs=self.runs + ((run_id,) if run_id else ()),
            workflows=self.workflows + ((workflow_id,) if workflow_id else ()),
            types=self.types + ((artifact_type,) if artifact_type else ()),
        )


def fts_quote(term: str) -> str:
    """An FTS5 string: double quotes doubled, so ``AND``, ``*``, ``:``, ``(`` are plain text."""
    return '"' + term.replace('"', '""') + '"'


def _tokens(text: str) -> list[tuple[str, bool]]:
    """(token, quoted) pairs; a quote opens a phrase (to the next quote or the end)."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        prefix = ""
        # -"phrase" and key:"phrase" keep their prefix on the quoted part
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        prefix = text[start:i]
        if i < n and text[i] == '"' and (prefix in ("", "-") or prefix.endswith(":")):
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            out.append((prefix + text[i + 1 : end], True))
            i = end + 1
            continue
        while i < n and not text[i].isspace():
            i += 1
        out.append((text[start:i], False))
    return out


def _clean(term: str) -> str:
    return "".join(ch for ch in term if ch.isprintable() or ch == " ").strip()


def _date(value: str, *, end_of_day: bool) -> float:
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T"))
    except ValueError:
        raise QueryError(
            f"{value!r} is not a date", hint="Write dates as 2025-01-31 or 2025-01-31T12:00:00Z."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if end_of_day and len(value) <= 10:
        moment += timedelta(days=1)
    return moment.timestamp()


def parse_query(text: str) -> SearchQuery:
    """The query typed into the search box or given to ``artifact-viewer search``."""
    terms: list[str] = []
    excludes: list[str] = []
    filters: dict[str, list[str]] = {key: [] for key in _FILTERS}
    for token, quoted in _tokens(text):
        key, sep, value = token.partition(":")
        if sep and key.lower() in _FILTERS and (value or not quoted):
            if value.strip():
                filters[key.lower()].append(value.strip())
            continue  # "type:" alone while typing: ignored until a value follows
        if token.startswith("-") and len(token) > 1:
            word = _clean(token[1:])
            if word:
                excludes.append(word)
            continue
        word = _clean(token)
        if word:
            terms.append(word)
    terms.extend(_clean(t) for t in filters["text"] if _clean(t))
    since = min((_date(v, end_of_day=False) for v in filters["since"]), default=None)
    until = max((_date(v, end_of_day=True) for v in filters["until"]), default=None)
    return SearchQuery(
        terms=tuple(dict.fromkeys(terms)),
        excludes=tuple(dict.fromkeys(excludes)),
        types=tuple(filters["type"]),
        mimes=tuple(filters["mime"]),
        runs=tuple(filters["run"]),
        workflows=tuple(filters["workflow"]),
        statuses=tuple(filters["status"]),
        since=since,
        until=until,
    )
