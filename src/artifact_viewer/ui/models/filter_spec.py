"""The filter box language: words, "quoted phrases", -excluded words, and key:value terms.

Terms (any case): ``type:`` (artifact type), ``mime:`` (a full type, or a short form:
``csv``, ``tsv``, ``json``, ``xml``, ``pdf``, ``image``, ``png``, ``jpeg``, ``log``,
``text``), ``ext:`` (file-name extension), ``status:`` (run status), ``run:`` (run id or
its start), ``workflow:`` (workflow id start or words of its name), ``after:`` and
``before:`` (dates: 2026-11-04, or 2026-11-04T06:00), ``text:`` (words inside the cached
file, from the content search index). Qt-free: the parser is plain Python.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Short MIME forms people type -> what they stand for ("/" at the end: every subtype).
MIME_SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "json": ("application/json", "application/x-ndjson", "application/jsonl"),
    "xml": ("application/xml", "text/xml"),
    "pdf": ("application/pdf",),
    "image": ("image/",),
    "png": ("image/png",),
    "jpeg": ("image/jpeg",),
    "jpg": ("image/jpeg",),
    "gif": ("image/gif",),
    "log": ("text/plain", "text/x-log"),
    "text": ("text/",),
}

KEYS = ("type", "mime", "ext", "status", "run", "workflow", "after", "before", "text")

# Shown in the filter box and its help: each example is tested to match something.
PLACEHOLDER = "Filter  (words, type:screenshot, mime:csv, status:failed; the ? lists every term)"
HELP_ROWS: tuple[tuple[str, str], ...] = (
    ("payroll register", "names (or notes) holding both words, in any order"),
    ('"payroll register"', "the phrase (a space also matches _ . and -)"),
    ("-screenshot", "leave out names holding the word"),
    ("type:screenshot", "artifact type (extracted_data, screenshot, log_file, report...)"),
    ("mime:csv", "file type: csv, tsv, json, xml, pdf, image, png, log, text, or a full type"),
    ("ext:pdf", "file-name extension"),
    ("status:failed", "status of the artifact's run (failed, completed, in_progress...)"),
    ("run:3495d62a", "one run, by its id or the short id the lists show"),
    ("workflow:payroll", "workflows whose name holds the word (or whose id starts so)"),
    ("after:2026-11-01", "created on or after the date"),
    ("before:2026-11-05", "created before the date"),
    ("text:E00004", 'the cached file holds the word anywhere (text:"net pay" for a phrase)'),
)


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """A parsed filter. Empty fields mean "anything"."""

    words: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    mimes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    raw: str = field(default="", compare=False)
    exclude: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    runs: tuple[str, ...] = ()
    workflows: tuple[str, ...] = ()
    after: datetime | None = None
    before: datetime | None = None
    problems: tuple[str, ...] = ()  # terms that could not be read (shown, never fatal)
    texts: tuple[str, ...] = ()  # words the cached file must hold (the content index)

    @property
    def empty(self) -> bool:
        return not (
            self.words
            or self.types
            or self.mimes
            or self.statuses
            or self.exclude
            or self.extensions
            or self.runs
            or self.workflows
            or self.after
            or self.before
            or self.texts
        )

    @property
    def artifact_terms(self) -> bool:
        """True when the filter says something about artifacts themselves (not only runs)."""
        return bool(
            self.words or self.types or self.mimes or self.exclude or self.extensions or self.texts
        )

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def mime_values(self) -> tuple[str, ...]:
        """The MIME types (or "type/" prefixes) the ``mime:`` terms stand for."""
        out: list[str] = []
        for mime in self.mimes:
            out.extend(MIME_SHORT_FORMS.get(mime.lower(), (mime.lower(),)))
        return tuple(dict.fromkeys(out))

    def matches_text(self, haystack: str) -> bool:
        low = haystack.lower()
        return all(w.lower() in low for w in self.words) and not any(
            w.lower() in low for w in self.exclude
        )

    def matches_status(self, status: str | None) -> bool:
        if not self.statuses:
            return True
        value = (status or "").upper()
        return any(s.upper().replace(" ", "_") in value for s in self.statuses)


def _date(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_filter(text: str) -> FilterSpec:
    """``invoice type:extracted_data mime:csv status:failed`` -> a :class:`FilterSpec`.

    Unbalanced quotes never fail: the text is then split on whitespace.
    """
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    words: list[str] = []
    exclude: list[str] = []
    problems: list[str] = []
    buckets: dict[str, list[str]] = {key: [] for key in KEYS}
    for token in tokens:
        key, sep, value = token.partition(":")
        key = key.lower()
        if sep and key in buckets:
            if value:
                buckets[key].append(value.lstrip("."))
            continue  # "type:" alone while typing: ignore until a value follows
        if token.startswith("-") and len(token) > 1:
            exclude.append(token[1:])
        elif token:
            words.append(token)
    dates: dict[str, datetime | None] = {}
    for key in ("after", "before"):
        values = buckets[key]
        dates[key] = _date(values[-1]) if values else None
        if values and dates[key] is None:
            problems.append(f"{key}:{values[-1]} is not a date (use 2026-11-04)")
    return FilterSpec(
        tuple(words),
        tuple(buckets["type"]),
        tuple(buckets["mime"]),
        tuple(buckets["status"]),
        raw=text,
        exclude=tuple(exclude),
        extensions=tuple(buckets["ext"]),
        runs=tuple(buckets["run"]),
        workflows=tuple(buckets["workflow"]),
        after=dates["after"],
        before=dates["before"],
        problems=tuple(problems),
        texts=tuple(buckets["text"]),
    )
