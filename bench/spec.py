"""What a benchmark declares: roles to time in subprocesses, rows to report, targets to meet."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

Metrics = dict[str, float]
RoleFn = Callable[[dict[str, Any]], Metrics]


class FeatureMissing(Exception):
    """The app feature a benchmark measures is not there (yet): report, never fake."""

    what = "feature"


class ToolMissing(FeatureMissing):
    """A system tool a floor needs (curl, grep) is not installed."""

    what = "tool"


def require(module: str, *attrs: str) -> Any:
    """Import ``module`` and check it has ``attrs``; raise :class:`FeatureMissing` otherwise."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise FeatureMissing(f"{module} not importable ({exc})") from None
    except Exception as exc:  # a half-written module is missing for our purposes
        raise FeatureMissing(f"{module} fails to import ({type(exc).__name__}: {exc})") from None
    absent = [a for a in attrs if not hasattr(mod, a)]
    if absent:
        raise FeatureMissing(f"{module} has no {', '.join(absent)}")
    return mod


# --- targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """How a row fares against its target: ``met`` is None when there is nothing to judge."""

    ratio: float | None
    ratio_text: str
    met: bool | None
    note: str = ""


@dataclass(frozen=True)
class Target:
    """A goal for one row.

    kind:
      ``max_s``       ours <= limit (seconds)
      ``ratio_max``   ours <= factor * floor + plus (times; lower is better)
      ``tput_min``    floor_time / our_time >= factor (throughput relative to the floor)
      ``info``        recorded, no goal
    """

    kind: str
    factor: float = 0.0
    plus: float = 0.0
    limit: float = 0.0

    def describe(self) -> str:
        if self.kind == "max_s":
            return f"<= {fmt_seconds(self.limit)}"
        if self.kind == "ratio_max":
            extra = f" + {fmt_seconds(self.plus)}" if self.plus else ""
            return f"<= {self.factor:g}x floor{extra}"
        if self.kind == "tput_min":
            return f">= {self.factor:g}x floor throughput"
        return "-"

    def judge(self, ours: float | None, floor: float | None, unit: str = "s") -> Verdict:
        ratio = ours / floor if ours is not None and floor else None
        if self.kind == "tput_min":
            ratio = floor / ours if ours and floor is not None else None
        ratio_text = f"{ratio:.2f}x" if ratio is not None else "-"
        if self.kind == "tput_min" and ratio is not None:
            ratio_text += " tput"
        if ours is None or self.kind == "info":
            return Verdict(ratio, ratio_text, None)
        if self.kind == "max_s":
            if ours <= self.limit:
                return Verdict(ratio, ratio_text, True)
            over = ours - self.limit
            return Verdict(
                ratio,
                ratio_text,
                False,
                f"missed by {fmt_seconds(over)} ({ours / self.limit:.1f}x the limit)",
            )
        if floor is None:
            return Verdict(ratio, ratio_text, None, "floor not measured")
        if self.kind == "ratio_max":
            allowed = self.factor * floor + self.plus
            if ours <= allowed:
                return Verdict(ratio, ratio_text, True)
            pct = (ours / allowed - 1) * 100
            return Verdict(
                ratio,
                ratio_text,
                False,
                f"missed by {fmt_value(ours - allowed, unit)} ({pct:.0f}% over {fmt_value(allowed, unit)})",
            )
        if self.kind == "tput_min":
            assert ratio is not None
            if ratio >= self.factor:
                return Verdict(ratio, ratio_text, True)
            short = (1 - ratio / self.factor) * 100
            return Verdict(
                ratio,
                ratio_text,
                False,
                f"missed: {ratio:.2f}x < {self.factor:g}x ({short:.0f}% short)",
            )
        raise ValueError(f"unknown target kind {self.kind!r}")


def at_most(seconds: float) -> Target:
    return Target("max_s", limit=seconds)


def ratio_at_most(factor: float, plus: float = 0.0) -> Target:
    return Target("ratio_max", factor=factor, plus=plus)


def throughput_at_least(factor: float) -> Target:
    return Target("tput_min", factor=factor)


INFO = Target("info")


# --- rows and benchmarks ---------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the table: ``ours``/``floor`` are ``(role, metric)`` pairs.

    ``unit`` is "s" (seconds) or "B" (bytes). With ``worst`` the row reports and judges
    the maximum over runs instead of the median (stalls: the goal is that none is long).
    """

    work: str
    ours: tuple[str, str]
    floor: tuple[str, str] | None = None
    target: Target = INFO
    floor_name: str = ""
    # data file whose size turns both times into throughputs in the notes
    size_of: str = ""
    unit: str = "s"
    worst: bool = False
    # the floor is the size of the ``size_of`` file (memory rows: "<= 3x the file")
    floor_is_size: bool = False


def _no_session(ctx: dict[str, Any]) -> AbstractContextManager[dict[str, Any]]:
    return nullcontext({})


@dataclass
class Benchmark:
    """A benchmark: subprocess roles, the rows they feed, and what they need.

    ``roles`` maps a role name to ``"module:function"``; the function takes the run context
    and returns metrics. ``floor_roles`` name the roles that measure plain libraries (they
    run even when our feature is missing). ``data`` lists demo big files it needs.
    ``session`` (parent side) may start shared things such as a server, yielding extra
    context for every run. ``check`` raises :class:`FeatureMissing` when the app side is
    absent, so its roles are skipped.
    """

    id: str
    title: str
    roles: dict[str, str]
    rows: list[Row]
    floor_roles: frozenset[str] = frozenset()
    data: tuple[str, ...] = ()
    check: Callable[[], None] | None = None
    session: Callable[[dict[str, Any]], AbstractContextManager[dict[str, Any]]] = _no_session
    timeout_s: float = 600.0
    # role -> most measured rounds it gets (heavy roles such as the 1 GB JSON load); such
    # roles also skip the warm-up, since the inputs are already in the page cache.
    max_rounds: dict[str, int] = field(default_factory=dict)
    # How it is measured, for the report (the registry fills it from the module docstring).
    about: str = ""


def fmt_seconds(value: float) -> str:
    if value < 1.0:
        return f"{value * 1000:.0f} ms" if value >= 0.0095 else f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def fmt_bytes(value: float) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return fmt_bytes(value) if unit == "B" else fmt_seconds(value)


def iter_metric(runs: list[dict[str, Any]], metric: str) -> Iterator[float]:
    """Values of one metric over successful runs."""
    for run in runs:
        value = run.get("metrics", {}).get(metric)
        if isinstance(value, (int, float)):
            yield float(value)
