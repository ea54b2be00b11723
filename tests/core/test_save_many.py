"""Saving many artifacts into one folder: unique names, run prefixes, verified copies."""

from __future__ import annotations

import hashlib
import stat

import pytest

from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.errors import ArtifactViewerError
from artifact_viewer.core.save_many import plan_names, save_many

LOG_1 = b"run one log\n" * 100
LOG_2 = b"run two log\n" * 100
CSV = b"id,amount\n1,4495.90\n"


@pytest.fixture
def two_runs(library, fake_cloud):
    fake_cloud.add("a1", LOG_1, name="run.log", run_id="run-1111aaaa")
    fake_cloud.add("a2", CSV, name="payroll.csv", run_id="run-1111aaaa")
    fake_cloud.add("a3", LOG_2, name="run.log", run_id="run-2222bbbb")
    library.sync(all=True)
    return library


def test_one_runs_artifacts_keep_their_names(two_runs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    report = save_many(two_runs, ["a1", "a2"], out)
    assert not report.failed and not report.cancelled
    assert sorted(p.name for p in out.iterdir()) == ["payroll.csv", "run.log"]
    assert (out / "payroll.csv").read_bytes() == CSV


def test_several_runs_prefix_each_name_with_its_run_so_logs_do_not_collide(two_runs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    report = save_many(two_runs, ["a1", "a3"], out)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and all(n.endswith("run.log") for n in names)
    assert any("run-1111" in n for n in names) and any("run-2222" in n for n in names)
    by_id = {c.artifact_id: c for c in report.saved}
    assert by_id["a1"].path.read_bytes() == LOG_1
    assert by_id["a3"].path.read_bytes() == LOG_2
    assert by_id["a3"].sha256 == hashlib.sha256(LOG_2).hexdigest()
    for copy in report.saved:
        assert stat.S_IMODE(copy.path.stat().st_mode) & 0o077 == 0  # private copies


def test_same_name_twice_in_one_run_gets_a_number(library, fake_cloud, tmp_path):
    fake_cloud.add("b1", b"one", name="shot.png", run_id="run-x")
    fake_cloud.add("b2", b"two", name="shot.png", run_id="run-x")
    library.sync(all=True)
    out = tmp_path / "out"
    out.mkdir()
    save_many(library, ["b1", "b2"], out)
    assert sorted(p.name for p in out.iterdir()) == ["shot (2).png", "shot.png"]


def test_an_unknown_id_and_an_existing_file_fail_alone_and_the_rest_is_saved(two_runs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "payroll.csv").write_bytes(b"mine")
    report = save_many(two_runs, ["nope", "a2", "a1"], out)
    assert [c.artifact_id for c in report.saved] == ["a1"]
    reasons = {p.artifact_id: p.reason for p in report.failed}
    assert "not in the local catalog" in reasons["nope"]
    assert "exists" in reasons["a2"]
    assert (out / "payroll.csv").read_bytes() == b"mine"  # never replaced
    assert "1 file" in report.summary() and "2 could not" in report.summary()


def test_cancel_stops_before_the_next_file_and_keeps_whole_copies(two_runs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    token = CancelToken()
    seen = []

    def progress(done, total):
        seen.append(done)
        if done == 1:
            token.cancel()

    report = save_many(two_runs, ["a1", "a2", "a3"], out, progress=progress, cancel=token)
    assert report.cancelled and len(report.saved) == 1
    assert [p.name for p in out.iterdir()] == [report.saved[0].path.name]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files


def test_not_a_folder_is_refused_with_a_reason(two_runs, tmp_path):
    with pytest.raises(ArtifactViewerError, match="not a folder"):
        save_many(two_runs, ["a1"], tmp_path / "missing")


def test_plan_names_are_unique_ignoring_case():
    from artifact_viewer.core.models import Artifact

    items = [
        Artifact.from_json({"id": f"x{i}", "workflowRunId": "r", "displayName": n})
        for i, n in enumerate(["A.txt", "a.txt", "a.TXT"])
    ]
    names = plan_names(items, {})
    assert len({n.lower() for n in names.values()}) == 3
