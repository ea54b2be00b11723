"""Copy the benchmark table from docs/benchmarks.json into README.md.

``python -m bench.readme`` (``make bench`` runs it after the benchmarks) rewrites the rows
between the README's ``<!-- bench-table -->`` and ``<!-- /bench-table -->`` markers, so the
README's table is always the one docs/benchmarks.md was generated from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.report import _bench_key, _cell, _met, _ours_cell, _tally
from bench.spec import fmt_value

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- bench-table -->", "<!-- /bench-table -->"


def table(doc: dict[str, Any]) -> list[str]:
    """The README's form of the table: no memory or notes columns, the tally above it."""
    lines = [
        f"docs/benchmarks.md, {doc['machine']['date']}: {_tally(doc)}.",
        "",
        "| # | work | ours | floor | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for bench_id in sorted(doc["benchmarks"], key=_bench_key):
        for row in doc["benchmarks"][bench_id]["rows"]:
            floor = ""
            if row["floor"] is not None:
                floor = f"{fmt_value(row['floor'], row['unit'])} ({row['floor_name']})"
            cells = [
                row["bench"],
                row["work"],
                _ours_cell(row),
                floor,
                row["ratio_text"] if row["ratio_text"] != "-" else "",
                row["target"],
                _met(row),
            ]
            lines.append("| " + " | ".join(_cell(str(c)) for c in cells) + " |")
    return lines


def update(readme: Path, doc: dict[str, Any]) -> bool:
    """Rewrite the marked table in ``readme``; False when the markers are missing."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return False
    body = "\n".join([START, *table(doc), END])
    readme.write_text(text[:start] + body + text[end + len(END) :], encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    docs = Path(argv[1]) if len(argv) > 1 else REPO / "docs"
    doc = json.loads((docs / "benchmarks.json").read_text(encoding="utf-8"))
    if not update(REPO / "README.md", doc):
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 1
    print("README.md: benchmark table copied from docs/benchmarks.json", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
