"""The filter box language: free words plus ``type:``, ``mime:`` and ``status:`` terms."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FilterSpec:
    """A parsed filter. Empty fields mean "anything"."""

    words: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    mimes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    raw: str = field(default="", compare=False)

    @property
    def empty(self) -> bool:
        return not (self.words or self.types or self.mimes or self.statuses)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    def matches_text(self, haystack: str) -> bool:
        low = haystack.lower()
        return all(w.lower() in low for w in self.words)

    def matches_status(self, status: str | None) -> bool:
        if not self.statuses:
            return True
        value = (status or "").upper()
        return any(s.upper().replace(" ", "_") in value for s in self.statuses)


def parse_filter(text: str) -> FilterSpec:
    """``invoice type:extracted_data mime:csv status:failed`` -> a :class:`FilterSpec`.

    Unbalanced quotes never fail: the text is then split on whitespace.
    """
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    words: list[str] = []
    buckets: dict[str, list[str]] = {"type": [], "mime": [], "status": []}
    for token in tokens:
        key, sep, value = token.partition(":")
        key = key.lower()
        if sep and key in buckets and value:
            buckets[key].append(value)
        elif sep and key in buckets:
            continue  # "type:" alone while typing: ignore until a value follows
        else:
            words.append(token)
    return FilterSpec(
        tuple(words),
        tuple(buckets["type"]),
        tuple(buckets["mime"]),
        tuple(buckets["status"]),
        raw=text,
    )
