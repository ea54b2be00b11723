"""Run vs run: pair artifacts by type and normalised name, then compare each changed pair.

Names are normalised before pairing so that dates, times, run ids and counters do not keep
``payroll_2026-11-05.csv`` from ``payroll_2026-11-06.csv``. Exact names pair first, then
normalised ones, each in listing order; pairs given by hand come before both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.compare.engine import compare_files
from artifact_viewer.core.compare.model import (
    RUN,
    CompareOptions,
    Diff,
    JsonObj,
    Steps,
)
from artifact_viewer.core.errors import ArtifactViewerError, Cancelled
from artifact_viewer.core.hashes import parse_file_hash
from artifact_viewer.core.progress import ProgressFn

IDENTICAL, CHANGED, ONLY_A, ONLY_B = "identical", "changed", "onlyA", "onlyB"

_VOLATILE_NAME = re.compile(
    r"""
    [0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}   # uuids / run ids
    | \d{4}[-_.]?\d\d[-_.]?\d\d(?:[T_ -]?\d\d[-_:.]?\d\d(?:[-_:.]?\d\d)?)?  # dates (+ times)
    | \d\d[-_:.]\d\d(?:[-_:.]\d\d)?                                   # times
    | [0-9a-f]{12,}                                                     # long hex ids
    | \d+                                                              # counters
    """,
    re.VERBOSE | re.IGNORECASE,
)


def normalise_name(name: str) -> str:
    """``Payroll 2026-11-06 (3).CSV`` -> ``payroll # (#).csv``: what stays from run to run."""
    text = _VOLATILE_NAME.sub("#", name.strip().lower())
    return re.sub(r"#(?:[\s_.-]*#)+", "#", text)


@dataclass(frozen=True, slots=True)
class RunItem:
    """An artifact of a run, as far as pairing needs it."""

    id: str
    name: str
    type: str | None = None
    mime: str | None = None
    file_hash: str | None = None


@dataclass(slots=True)
class RunPair:
    a: RunItem | None
    b: RunItem | None
    status: str
    diff: Diff | None = None
    note: str | None = None

    @property
    def name(self) -> str:
        item = self.b or self.a
        return item.name if item is not None else ""

    def one_line(self) -> str:
        if self.note:
            return self.note
        if self.diff is not None:
            return self.diff.one_line()
        return {IDENTICAL: "identical", ONLY_A: "only in A", ONLY_B: "only in B"}.get(
            self.status, self.status
        )

    def summary(self) -> JsonObj:
        out: JsonObj = {"text": self.one_line()}
        if self.diff is not None:
            out["kind"] = self.diff.kind
            out.update(self.diff.summary())
        return out

    def to_json(self) -> JsonObj:
        return {
            "a": self.a.id if self.a else None,
            "b": self.b.id if self.b else None,
            "name": self.name,
            "status": self.status,
            "summary": self.summary(),
        }


@dataclass(slots=True)
class RunDiff(Diff):
    run_a: str | None = None
    run_b: str | None = None
    pairs: list[RunPair] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {IDENTICAL: 0, CHANGED: 0, ONLY_A: 0, ONLY_B: 0}
        for pair in self.pairs:
            out[pair.status] += 1
        return out

    def summary(self) -> JsonObj:
        return {"runA": self.run_a, "runB": self.run_b, **self.counts()}

    def changes(self) -> list[JsonObj]:
        return [p.to_json() for p in self.pairs]

    def one_line(self) -> str:
        c = self.counts()
        return (
            f"{c[IDENTICAL]} identical, {c[CHANGED]} changed, {c[ONLY_A]} only in A,"
            f" {c[ONLY_B]} only in B"
        )


def pair_items(
    a: Sequence[RunItem],
    b: Sequence[RunItem],
    manual: Sequence[tuple[str, str]] = (),
) -> list[tuple[RunItem | None, RunItem | None]]:
    """Pairs in A's order (unpaired B items after them); by hand, exact name, normalised name."""
    left = {item.id: item for item in a}
    right = {item.id: item for item in b}
    partner: dict[str, str] = {}
    taken_b: set[str] = set()
    for id_a, id_b in manual:
        if id_a in left and id_b in right and id_a not in partner and id_b not in taken_b:
            partner[id_a] = id_b
            taken_b.add(id_b)

    def match(key: Callable[[RunItem], tuple[str | None, str]]) -> None:
        waiting: dict[tuple[str | None, str], list[RunItem]] = {}
        for item in b:
            if item.id not in taken_b:
                waiting.setdefault(key(item), []).append(item)
        for item in a:
            if item.id in partner:
                continue
            queue = waiting.get(key(item))
            if queue:
                other = queue.pop(0)
                partner[item.id] = other.id
                taken_b.add(other.id)

    match(lambda item: (item.type, item.name))
    match(lambda item: (item.type, normalise_name(item.name)))
    out: list[tuple[RunItem | None, RunItem | None]] = [
        (item, right[partner[item.id]] if item.id in partner else None) for item in a
    ]
    out.extend((None, item) for item in b if item.id not in taken_b)
    return out


def _same_hash(a: RunItem, b: RunItem) -> bool | None:
    """True/False when both hashes are known in one algorithm, else None."""
    ha, hb = parse_file_hash(a.file_hash), parse_file_hash(b.file_hash)
    if ha is None or hb is None or ha.algo is not hb.algo:
        return None
    return ha.hex == hb.hex


Fetch = Callable[[RunItem, CancelToken | None], Path]


def compare_runs(
    items_a: Sequence[RunItem],
    items_b: Sequence[RunItem],
    fetch: Fetch,
    options: CompareOptions | None = None,
    *,
    run_a: str | None = None,
    run_b: str | None = None,
    manual: Sequence[tuple[str, str]] = (),
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    compare: Callable[..., Diff] = compare_files,
) -> RunDiff:
    """Pair the artifacts of two runs and compare each pair whose content may differ.

    ``fetch(item, cancel)`` gives an artifact's local file (e.g. ``Library.fetch``); when it
    fails (offline and not cached), the pair says which side and why. ``compare`` is called
    as :func:`compare_files` is (the window passes one that runs big files in a child
    process).
    """
    options = options or CompareOptions()
    pairs = pair_items(items_a, items_b, manual)
    steps = Steps(progress, cancel, total=max(1, len(pairs)))
    result = RunDiff(RUN, True, [], run_a=run_a, run_b=run_b)
    for done, (a, b) in enumerate(pairs):
        steps.check()
        if a is None or b is None:
            result.pairs.append(RunPair(a, b, ONLY_B if a is None else ONLY_A))
        else:
            result.pairs.append(_compare_pair(a, b, fetch, options, cancel, compare))
        steps.advance(done + 1)
    result.identical = all(p.status == IDENTICAL for p in result.pairs)
    return result


def _compare_pair(
    a: RunItem,
    b: RunItem,
    fetch: Fetch,
    options: CompareOptions,
    cancel: CancelToken | None,
    compare: Callable[..., Diff] = compare_files,
) -> RunPair:
    if a.id == b.id or _same_hash(a, b):
        return RunPair(a, b, IDENTICAL)
    paths: list[Path] = []
    for side, item in (("A", a), ("B", b)):
        try:
            paths.append(fetch(item, cancel))
        except Cancelled:
            raise
        except ArtifactViewerError as exc:
            return RunPair(a, b, CHANGED, note=f"{side}: {exc.message}")
    try:
        diff = compare(
            paths[0],
            paths[1],
            options,
            cancel=cancel,
            mime_a=a.mime,
            mime_b=b.mime,
            name_a=a.name,
            name_b=b.name,
        )
    except Cancelled:
        raise
    except ArtifactViewerError as exc:
        return RunPair(a, b, CHANGED, note=exc.message)
    return RunPair(a, b, IDENTICAL if diff.identical else CHANGED, diff)
