"""Import refuses every unsafe or damaged bundle with one clear line and adds nothing."""

from __future__ import annotations

import hashlib
import stat
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from artifact_viewer.core.bundle import export_runs, import_bundle
from artifact_viewer.core.errors import BundleError
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.settings import Settings

CSV = b"id,amount\n" + b"".join(b"%d,%d.00\n" % (i, i) for i in range(500))
LOG = b"step 1 ok\nstep 2 failed\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20


@pytest.fixture
def bundle(library, fake_cloud, tmp_path) -> Path:
    fake_cloud.add("a-csv", CSV, name="payroll.csv", mime="text/csv")
    fake_cloud.add("a-log", LOG, name="run.log", mime="text/plain")
    fake_cloud.add("a-png", PNG, name="screen.png", mime="image/png")
    library.sync(run_id="run-1")
    library.set_note("run-1", "see log")
    target = tmp_path / "good.zip"
    export_runs(library, ["run-1"], target)
    return target


@pytest.fixture
def fresh(tmp_path, monkeypatch) -> Library:
    monkeypatch.setenv("ARTIFACT_VIEWER_HOME", str(tmp_path / "fresh"))
    lib = Library.open(app_paths(), Settings(), None)
    yield lib
    lib.close()


Change = Callable[[dict, dict[str, bytes]], list[tuple[zipfile.ZipInfo | str, bytes]] | None]


def rebuild(source: Path, target: Path, change: Change) -> Path:
    """Copy a bundle, letting ``change`` edit the manifest and the files (name -> bytes)
    and return extra raw entries to append."""
    with zipfile.ZipFile(source) as archive:
        manifest = orjson.loads(archive.read("manifest.json"))
        files = {n: archive.read(n) for n in archive.namelist() if n != "manifest.json"}
    extra = change(manifest, files) or []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate-name case
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("manifest.json", orjson.dumps(manifest))
            for name, data in files.items():
                out.writestr(name, data)
            for info, data in extra:
                out.writestr(info, data)
    return target


def csv_path(manifest: dict) -> str:
    return next(f["path"] for f in manifest["files"] if f["artifactId"] == "a-csv")


def refused(lib: Library, path: Path) -> str:
    with pytest.raises(BundleError) as caught:
        import_bundle(lib, path)
    message = caught.value.user_message()
    assert "\n" not in message and message.startswith("Not imported:")
    conn = lib.catalog._conn()
    for table in ("workflow_runs", "artifacts", "cache_entries", "notes", "imported", "pins"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    assert list(lib.blobs.all_blobs()) == []
    assert list(lib.blobs.partial_dir.glob("*.part")) == []
    return message


def test_the_untouched_bundle_imports(bundle, fresh) -> None:
    assert import_bundle(fresh, bundle).new_files == 3
    assert fresh.fetch("a-png").read_bytes() == PNG


def test_a_truncated_bundle_is_refused(bundle, fresh, tmp_path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 2])
    assert "not a zip file, or it is truncated" in refused(fresh, cut)


def test_a_file_that_is_not_a_zip_is_refused(fresh, tmp_path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert "notes.txt is not a zip file" in refused(fresh, text)


def test_a_zip_without_manifest_is_not_a_bundle(fresh, tmp_path) -> None:
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as out:
        out.writestr("a.txt", b"x")
    assert "no manifest.json" in refused(fresh, plain)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", "points outside the bundle"),
        ("runs/../../evil.txt", "points outside the bundle"),
        ("/etc/evil.txt", "absolute path"),
        ("C:/Windows/evil.txt", "drive letter"),
        ("runs\\..\\evil.txt", "backslashes"),
    ],
)
def test_unsafe_entry_names_are_refused(bundle, fresh, tmp_path, name, reason) -> None:
    bad = rebuild(bundle, tmp_path / "bad.zip", lambda m, f: [(zipfile.ZipInfo(name), b"x")])
    message = refused(fresh, bad)
    assert reason in message and repr(name) in message


def test_a_symlink_entry_is_refused(bundle, fresh, tmp_path) -> None:
    def add_link(manifest: dict, files: dict) -> list:
        info = zipfile.ZipInfo("runs/run-1/link")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        return [(info, b"/etc/passwd")]

    assert "symbolic link" in refused(fresh, rebuild(bundle, tmp_path / "l.zip", add_link))


def test_two_entries_for_one_path_are_refused(bundle, fresh, tmp_path) -> None:
    def duplicate(manifest: dict, files: dict) -> list:
        return [(csv_path(manifest), b"other bytes")]

    message = refused(fresh, rebuild(bundle, tmp_path / "d.zip", duplicate))
    assert "two entries for runs/run-1/payroll.csv" in message


def test_a_manifest_entry_without_its_file_is_refused(bundle, fresh, tmp_path) -> None:
    def drop(manifest: dict, files: dict) -> None:
        del files[csv_path(manifest)]

    message = refused(fresh, rebuild(bundle, tmp_path / "m.zip", drop))
    assert "lists runs/run-1/payroll.csv but the bundle has no such file" in message


def test_a_file_without_a_manifest_entry_is_refused(bundle, fresh, tmp_path) -> None:
    def add(manifest: dict, files: dict) -> None:
        files["runs/run-1/extra.txt"] = b"smuggled"

    message = refused(fresh, rebuild(bundle, tmp_path / "e.zip", add))
    assert "runs/run-1/extra.txt is in the bundle but not in its manifest" in message


def test_a_declared_size_far_from_the_real_one_is_refused(bundle, fresh, tmp_path) -> None:
    def shrink(manifest: dict, files: dict) -> None:
        next(f for f in manifest["files"] if f["artifactId"] == "a-csv")["size"] = 10

    message = refused(fresh, rebuild(bundle, tmp_path / "s.zip", shrink))
    assert "payroll.csv is declared as 10 bytes" in message


def test_a_zip_bomb_ratio_is_refused(bundle, fresh, tmp_path) -> None:
    zeros = bytes(20 * 1024 * 1024)

    def bomb(manifest: dict, files: dict) -> None:
        entry = next(f for f in manifest["files"] if f["artifactId"] == "a-csv")
        entry["size"], entry["sha256"] = len(zeros), hashlib.sha256(zeros).hexdigest()
        files[entry["path"]] = zeros

    message = refused(fresh, rebuild(bundle, tmp_path / "b.zip", bomb))
    assert "zip bomb" in message and "payroll.csv" in message


def test_an_unknown_manifest_version_says_which_one_this_app_reads(bundle, fresh, tmp_path) -> None:
    def future(manifest: dict, files: dict) -> None:
        manifest["version"] = 7

    message = refused(fresh, rebuild(bundle, tmp_path / "v.zip", future))
    assert "format version is 7; this app reads version 1" in message


def test_a_manifest_that_is_not_json_is_refused(bundle, fresh, tmp_path) -> None:
    bad = tmp_path / "j.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(bad, "w") as out:
        out.writestr("manifest.json", b"{not json")
        for name in src.namelist():
            if name != "manifest.json":
                out.writestr(name, src.read(name))
    assert "manifest.json is not valid JSON" in refused(fresh, bad)


def test_a_changed_file_names_the_file(bundle, fresh, tmp_path) -> None:
    def tamper(manifest: dict, files: dict) -> None:
        path = csv_path(manifest)
        files[path] = files[path].replace(b"7.00", b"9.00")  # same size, valid zip CRC

    message = refused(fresh, rebuild(bundle, tmp_path / "t.zip", tamper))
    assert "runs/run-1/payroll.csv does not match its SHA-256" in message


def test_bytes_that_match_the_manifest_but_not_the_api_hash_are_refused(
    bundle, fresh, tmp_path
) -> None:
    def forge(manifest: dict, files: dict) -> None:
        path = csv_path(manifest)
        files[path] = files[path].replace(b"7.00", b"9.00")
        entry = next(f for f in manifest["files"] if f["path"] == path)
        entry["sha256"] = hashlib.sha256(files[path]).hexdigest()  # fileHash left as the API's

    message = refused(fresh, rebuild(bundle, tmp_path / "f.zip", forge))
    assert "runs/run-1/payroll.csv does not match the API's fileHash" in message


@pytest.mark.parametrize("name", ["run.log", "screen.png"])  # deflated, stored
def test_damaged_bytes_inside_the_zip_are_refused(bundle, fresh, tmp_path, name) -> None:
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(name))
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 2] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    message = refused(fresh, damaged)
    assert f"runs/run-1/{name}" in message
    assert "damaged" in message or "does not match its SHA-256" in message


def test_a_local_header_naming_another_file_is_refused(bundle, fresh, tmp_path) -> None:
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("screen.png"))
    name_at = info.header_offset + 30
    raw[name_at : name_at + 4] = b"xxxx"  # the central directory still says runs/...
    damaged = tmp_path / "renamed.zip"
    damaged.write_bytes(bytes(raw))
    assert "runs/run-1/screen.png is damaged" in refused(fresh, damaged)


def test_a_record_that_carries_a_signed_url_is_imported_without_it(bundle, fresh, tmp_path) -> None:
    def sneak(manifest: dict, files: dict) -> None:
        manifest["artifacts"][0]["signedUrl"] = "https://s.test/o?X-Amz-Signature=abc"
        manifest["artifacts"][0]["mirrorLink"] = "https://s.test/o?sig=abc"

    import_bundle(fresh, rebuild(bundle, tmp_path / "u.zip", sneak))
    stored = fresh.catalog._conn().execute("SELECT json FROM artifacts").fetchall()
    assert stored and not any("s.test" in row[0] for row in stored)
