"""Bundles: export runs with verified files and notes, import them on a fresh home, offline."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import orjson
import pytest

from artifact_viewer.core.bundle import FORMAT_NAME, FORMAT_VERSION, export_runs, import_bundle
from artifact_viewer.core.cancel import CancelToken
from artifact_viewer.core.catalog.notes import NoteKind
from artifact_viewer.core.errors import ArtifactViewerError, BundleError, Cancelled
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import Settings
from artifact_viewer.core.store_models import ArtifactQuery, CacheState
from tests.plugins.store import FakeCloud

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(3000)
CSV = b"id,name,amount\n" + b"".join(b"%d,employee %d,%d.00\n" % (i, i, i * 7) for i in range(2000))


@pytest.fixture
def cloud(fake_cloud: FakeCloud) -> FakeCloud:
    fake_cloud.add("a-csv", CSV, name="payroll.csv", mime="text/csv")
    fake_cloud.add("a-png", PNG, name="screen.png", mime="image/png")
    fake_cloud.add("a-log1", b"first log\n" * 50, name="run.log", mime="text/plain")
    fake_cloud.add("a-log2", b"second log\n" * 50, name="RUN.log", mime="text/plain")
    fake_cloud.add("b-log", b"other run\n", run_id="run-2", name="run.log", mime="text/plain")
    return fake_cloud


@pytest.fixture
def synced(library: Library, cloud: FakeCloud) -> Library:
    library.sync(run_id="run-1")  # run-1 cached; run-2 only listed
    library.refresh_runs()
    library.refresh_artifacts()
    return library


@pytest.fixture
def open_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Open a Library on another, fresh home (no API client unless one is given)."""
    opened: list[Library] = []

    def make(name: str, client: FakeCloud | None = None) -> Library:
        monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(tmp_path / name))
        http = httpx.Client(transport=client.transport()) if client else None
        lib = Library.open(app_paths(), Settings(), client, http=http)
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        lib.close()


def exported(synced: Library, tmp_path: Path, **kwargs) -> Path:
    target = tmp_path / "hand-off.zip"
    export_runs(synced, ["run-1", "run-2"], target, **kwargs)
    return target


def manifest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        return orjson.loads(archive.read("manifest.json"))


def snapshot(lib: Library) -> dict[str, list[tuple]]:
    tables = ("workflows", "workflow_runs", "artifacts", "cache_entries", "notes", "imported")
    conn = lib.catalog._conn()
    state = {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}
    state["pins"] = sorted(conn.execute("SELECT * FROM pins").fetchall())
    state["blobs"] = sorted((d, p.stat().st_mtime_ns) for d, p in lib.blobs.all_blobs())
    return state


def test_export_writes_a_private_zip_with_manifest_folders_and_fitting_compression(
    synced, cloud, tmp_path
) -> None:
    synced.set_note("run-1", "Failed at the upload step.\nSee run.log")
    report = export_runs(synced, ["run-1", "run-2"], tmp_path / "out.zip")
    assert (report.runs, report.files, report.downloaded, report.notes) == (2, 5, 1, 1)
    assert stat.S_IMODE((tmp_path / "out.zip").stat().st_mode) == 0o600
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        infos = {i.filename: i for i in archive.infolist()}
        assert archive.infolist()[0].filename == "manifest.json"
        manifest = orjson.loads(archive.read("manifest.json"))
        for entry in manifest["files"]:
            data = archive.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert len(data) == entry["size"]
            assert entry["fileHash"] == cloud.records[entry["artifactId"]].file_hash
    assert manifest["format"] == FORMAT_NAME and manifest["version"] == FORMAT_VERSION
    assert manifest["exportedAt"].endswith("Z") and manifest["app"]["version"]
    paths = {f["artifactId"]: f["path"] for f in manifest["files"]}
    assert paths["a-png"] == "runs/run-1/screen.png"
    assert {paths["a-log1"], paths["a-log2"]} == {"runs/run-1/run.log", "runs/run-1/RUN (2).log"}
    assert paths["b-log"] == "runs/run-2/run.log"
    assert infos[paths["a-png"]].compress_type == zipfile.ZIP_STORED
    assert infos[paths["a-csv"]].compress_type == zipfile.ZIP_DEFLATED
    assert infos[paths["a-csv"]].compress_size < len(CSV) / 3
    assert {r["id"] for r in manifest["runs"]} == {"run-1", "run-2"}
    assert [w["id"] for w in manifest["workflows"]] == ["wf-1"]
    assert manifest["notes"][0]["text"] == "Failed at the upload step.\nSee run.log"
    assert not [n for n in os.listdir(tmp_path) if n != "out.zip" and "out.zip" in n]


def test_export_never_writes_a_signed_url_or_key(synced, cloud, tmp_path) -> None:
    record = cloud.records["a-csv"]
    sneaky = record.replace(
        extra={
            "downloadUrl": "https://storage.test/o/a-csv?X-Amz-Signature=sneaky1",
            "preview": {"thumbnailUri": "https://cdn.test/t.png", "width": 3},
            "mirror": "https://storage.test/o/a-csv?sig=sneaky2",
            "apiKey": "anon_sneaky3",
            "comment": "kept",
        }
    )
    synced.catalog.upsert_artifacts([sneaky.replace(signed_url=cloud.signed_url("a-csv"))])
    target = exported(synced, tmp_path)
    raw = target.read_bytes()
    for secret in (b"X-Amz", b"sneaky", b"sig0", b"Signature", b"signedUrl", b"thumbnailUri"):
        assert secret not in raw
    csv = next(a for a in manifest_of(target)["artifacts"] if a["id"] == "a-csv")
    assert csv["comment"] == "kept" and csv["preview"] == {"width": 3}


def test_import_on_a_fresh_home_opens_offline_with_exact_bytes_and_notes(
    synced, cloud, tmp_path, open_home
) -> None:
    synced.set_note("run-1", "Escalated")
    synced.set_note("a-csv", "Row 12 is wrong")
    bundle = exported(synced, tmp_path)
    fresh = open_home("auditor")  # no API client at all
    report = import_bundle(fresh, bundle)
    assert (report.new_runs, report.new_artifacts, report.new_files, report.notes) == (2, 5, 5, 2)
    assert {r.id for r in fresh.runs()} == {"run-1", "run-2"}
    assert {r.id for r in fresh.offline_runs()} == {"run-1", "run-2"}
    for artifact_id, artifact in cloud.records.items():
        assert fresh.fetch(artifact_id).read_bytes() == cloud.objects[artifact_id]
        assert fresh.cache_state(artifact_id) is CacheState.VERIFIED
        assert fresh.artifact(artifact_id) == artifact
    assert fresh.verify_all().ok
    assert fresh.note("run-1").text == "Escalated"
    assert [a.id for a in fresh.artifacts(ArtifactQuery(text="row 12"))] == ["a-csv"]
    mark = fresh.import_mark("run-1")
    assert mark is not None and mark.source == "hand-off.zip"
    assert mark.exported_at == manifest_of(bundle)["exportedAt"]
    assert set(fresh.pinned_runs()) == {"run-1", "run-2"}  # the only copy: never evicted


def test_without_notes_the_bundle_carries_none(synced, tmp_path, open_home) -> None:
    synced.set_note("run-1", "private remark")
    bundle = exported(synced, tmp_path, include_notes=False)
    assert manifest_of(bundle)["notes"] == []
    assert b"private remark" not in bundle.read_bytes()


def test_importing_the_same_bundle_twice_changes_nothing(synced, tmp_path, open_home) -> None:
    synced.set_note("a-png", "blurry")
    bundle = exported(synced, tmp_path)
    fresh = open_home("twice")
    assert import_bundle(fresh, bundle).changed
    before = snapshot(fresh)
    again = import_bundle(fresh, bundle)
    assert not again.changed
    assert snapshot(fresh) == before


def test_a_newer_local_note_is_kept_and_an_older_one_replaced(synced, tmp_path, open_home) -> None:
    synced.catalog.set_note(NoteKind.RUN, "run-1", "from the bundle", when=2000.0)
    synced.catalog.set_note(NoteKind.RUN, "run-2", "from the bundle too", when=2000.0)
    bundle = exported(synced, tmp_path)
    fresh = open_home("notes")
    import_bundle(fresh, bundle)
    fresh.catalog.set_note(NoteKind.RUN, "run-1", "mine, newer", when=3000.0)
    fresh.catalog.set_note(NoteKind.RUN, "run-2", "mine, older", when=1000.0)
    import_bundle(fresh, bundle)
    assert fresh.note("run-1").text == "mine, newer"
    assert fresh.note("run-2").text == "from the bundle too"


def test_imported_runs_merge_with_a_later_api_listing(synced, cloud, tmp_path, open_home) -> None:
    synced.set_note("run-2", "only in the bundle's org")
    bundle = exported(synced, tmp_path)
    import_bundle(open_home("laptop"), bundle)
    # Later the laptop connects to an API that lists run-1 only (run-2 is not there).
    api = FakeCloud()
    api.add("a-csv", CSV, name="payroll (final).csv", mime="text/csv")
    online = open_home("laptop", client=api)
    online.sync()
    online.refresh_artifacts(run_id="run-1")
    assert {r.id for r in online.runs()} == {"run-1", "run-2"}  # run-2 not "gone"
    assert online.artifact("a-csv").display_name == "payroll (final).csv"  # the API's record
    assert {a.id for a in online.artifacts(ArtifactQuery(run_id="run-1"))} >= {"a-csv", "a-png"}
    assert online.import_mark("run-1") is not None and online.import_mark("run-2") is not None
    assert online.note("run-2").text == "only in the bundle's org"
    assert online.cached_path("a-csv").read_bytes() == CSV
    assert api.requests == []  # nothing downloaded: the imported files serve


def test_export_refuses_when_a_file_cannot_be_fetched_and_writes_nothing(
    synced, cloud, tmp_path
) -> None:
    cloud.offline = True  # run-2's file is not cached
    with pytest.raises(BundleError) as caught:
        exported(synced, tmp_path)
    assert "1 of 5" in caught.value.message
    assert list(caught.value.details) == ["b-log"] and "run.log" in caught.value.details["b-log"]
    assert sorted(os.listdir(tmp_path)) == sorted(
        n for n in os.listdir(tmp_path) if "hand" not in n
    )


def test_export_offline_exports_what_is_cached(synced, tmp_path, open_home) -> None:
    report = export_runs(synced, ["run-1"], tmp_path / "one.zip")
    assert report.files == 4 and report.downloaded == 0


def test_export_refuses_a_run_whose_artifacts_were_never_listed(
    library, cloud, tmp_path, open_home
) -> None:
    library.refresh_runs()  # runs known, artifacts never listed
    offline = open_home("offline-copy")
    offline.catalog.upsert_runs(library.runs())
    with pytest.raises(BundleError, match="never listed"):
        export_runs(offline, ["run-1"], tmp_path / "empty.zip")
    assert not (tmp_path / "empty.zip").exists()


def test_export_refuses_an_existing_file(synced, tmp_path) -> None:
    target = tmp_path / "taken.zip"
    target.write_bytes(b"mine")
    with pytest.raises(ArtifactViewerError, match="already exists"):
        export_runs(synced, ["run-1"], target)
    assert target.read_bytes() == b"mine"


def test_a_cancelled_export_leaves_no_file(synced, tmp_path) -> None:
    token = CancelToken()

    def progress(done: int, total: int | None) -> None:
        if done > 0:
            token.cancel()

    with pytest.raises(Cancelled):
        export_runs(synced, ["run-1"], tmp_path / "out.zip", progress=progress, cancel=token)
    assert os.listdir(tmp_path) == [n for n in os.listdir(tmp_path) if "out.zip" not in n]


def test_a_killed_export_leaves_no_partial_file(tmp_path) -> None:
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from artifact_viewer.core.bundle.target import PrivateTarget\n"
        "out = PrivateTarget(Path(sys.argv[1]) / 'big.zip')\n"
        "out.handle.write(b'x' * 3_000_000)\n"
        "out.handle.flush()\n"
        "os.kill(os.getpid(), 9)\n"
    )
    folder = tmp_path / "target"
    folder.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script, str(folder)], env=env, check=False)
    assert done.returncode == -9
    assert not (folder / "big.zip").exists()
    # Where the system refuses unnamed files, a hidden temp file stays until the next
    # export to that name removes it.
    assert all(name.startswith(".big.zip.") for name in os.listdir(folder))
    subprocess.run(
        [
            sys.executable,
            "-c",
            script.replace("os.kill(os.getpid(), 9)", "out.commit()"),
            str(folder),
        ],
        env=env,
        check=True,
    )
    assert os.listdir(folder) == ["big.zip"]


def test_a_cancelled_import_adds_nothing(synced, tmp_path, open_home) -> None:
    bundle = exported(synced, tmp_path)
    fresh = open_home("cancel")
    before = snapshot(fresh)
    token = CancelToken()

    def progress(done: int, total: int | None) -> None:
        token.cancel()

    with pytest.raises(Cancelled):
        import_bundle(fresh, bundle, progress=progress, cancel=token)
    assert snapshot(fresh) == before
    assert list(fresh.blobs.partial_dir.glob("*.part")) == []


def test_export_to_a_file_system_without_hard_links_still_lands(
    synced, tmp_path, monkeypatch
) -> None:
    import errno

    from artifact_viewer.core.bundle import target as target_module

    def no_links(*_args, **_kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(target_module, "_can_link_unnamed", lambda folder: False)
    monkeypatch.setattr(target_module.os, "link", no_links)
    out = tmp_path / "usb" / "hand-off.zip"
    out.parent.mkdir()
    export_runs(synced, ["run-1"], out)
    assert zipfile.is_zipfile(out)
    assert os.listdir(out.parent) == ["hand-off.zip"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
