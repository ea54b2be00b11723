"""Time catalog queries on a synthetic 100k-artifact catalog (a measurement, not a test)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from artifact_viewer.core.catalog import Catalog
from artifact_viewer.core.models import Artifact, WorkflowRun
from artifact_viewer.core.store_models import ArtifactQuery

TYPES = ("extracted_data", "screenshot", "log_file", "report")
MIMES = ("text/csv", "image/png", "text/plain", "application/pdf")
WORDS = ("payroll", "w2", "employees", "ledger", "timesheet", "benefits", "tax", "invoice")


def build(catalog: Catalog, count: int) -> float:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    runs = [
        WorkflowRun.from_json(
            {
                "id": f"run-{r:05d}",
                "workflowId": f"wf-{r % 40:02d}",
                "status": ("COMPLETED", "FAILED")[r % 7 == 0],
            }
        )
        for r in range(count // 20)
    ]
    catalog.upsert_runs(runs)
    began = time.perf_counter()
    batch: list[Artifact] = []
    for i in range(count):
        k = i % 4
        batch.append(
            Artifact.from_json(
                {
                    "id": f"art-{i:06d}",
                    "workflowId": f"wf-{(i // 20) % 40:02d}",
                    "workflowRunId": f"run-{i // 20:05d}",
                    "type": TYPES[k],
                    "displayName": f"{WORDS[i % 8]}_{WORDS[(i // 8) % 8]}_{i}.{MIMES[k].split('/')[1]}",
                    "mimeType": MIMES[k],
                    "fileSize": 1000 + i,
                    "fileHash": f"{i:064x}",
                    "createdAt": (start + timedelta(minutes=i)).isoformat(),
                }
            )
        )
        if len(batch) == 10_000:
            catalog.upsert_artifacts(batch)
            batch = []
    if batch:
        catalog.upsert_artifacts(batch)
    return time.perf_counter() - began


def timed(label: str, fn, repeat: int = 7) -> None:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    size = len(result) if isinstance(result, list) else result
    print(f"{label:<55} median {statistics.median(samples) * 1000:7.1f} ms  (result {size})")


def main(count: int = 100_000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(Path(tmp) / "catalog.sqlite3")
        print(f"insert {count} artifacts: {build(catalog, count):.2f} s")
        page = ArtifactQuery(limit=100)
        timed("first page (100, newest first)", lambda: catalog.artifacts(page))
        timed("count all", lambda: catalog.count_artifacts(ArtifactQuery()))
        search = ArtifactQuery(text="ledger_tax", limit=100)
        timed("name search 'ledger_tax' (page of 100)", lambda: catalog.artifacts(search))
        timed("name search count", lambda: catalog.count_artifacts(search))
        timed(
            "type+mime filter, page 50 (offset 5000)",
            lambda: catalog.artifacts(
                ArtifactQuery(type="report", mime="application/pdf", limit=100, offset=5000)
            ),
        )
        timed("one run's artifacts", lambda: catalog.artifacts(ArtifactQuery(run_id="run-01234")))
        timed(
            "status FAILED, sorted by name",
            lambda: catalog.artifacts(ArtifactQuery(status="FAILED", order_by="name", limit=100)),
        )
        timed(
            "cached only (none cached)",
            lambda: catalog.artifacts(ArtifactQuery(cached_only=True, limit=100)),
        )
        catalog.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
