"""Big benchmark files: generated once (atomically), reused, valid, and served with Range."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import httpx
import pytest
from PIL import Image

from artifact_viewer.demo.bigfiles import SPECS, ensure_big_files, file_sha256

TINY = 0.0005  # ~0.5 MB text files, 2-page PDF, 1280 px PNG


@pytest.fixture(scope="module")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return ensure_big_files(tmp_path_factory.mktemp("big"), scale=TINY)


def test_every_big_file_is_made_and_parses(tiny_files: dict[str, Path]) -> None:
    assert set(tiny_files) == set(SPECS)
    data = json.loads(tiny_files["json_1g"].read_bytes())
    assert len(data) > 100 and len({r["employeeId"] for r in data}) == len(data)
    rows = list(csv.reader(io.StringIO(tiny_files["csv_1g"].read_text())))
    assert len({r[0] for r in rows}) == len(rows) and len({len(r) for r in rows}) == 1
    assert tiny_files["pdf_500p"].read_bytes().startswith(b"%PDF")
    with Image.open(tiny_files["png_8k"]) as image:
        assert image.size == (1280, 1280)
    lines = tiny_files["log_1g"].read_text().splitlines()
    stamps = [line[:13] for line in lines if line[:2] == "20"]
    assert stamps == sorted(stamps) and len(set(stamps)) > 1


def test_sizes_reach_their_targets(tiny_files: dict[str, Path]) -> None:
    for name in ("csv_1g", "json_100m", "json_1g", "log_1g"):
        assert tiny_files[name].stat().st_size >= SPECS[name].target * TINY


def test_recorded_hash_is_the_real_hash(tiny_files: dict[str, Path]) -> None:
    for path in tiny_files.values():
        assert file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_second_call_reuses_files_and_stale_ones_are_remade(tmp_path: Path) -> None:
    first = ensure_big_files(tmp_path, ["csv_1g"], scale=TINY)["csv_1g"]
    stamp = first.stat().st_mtime_ns
    again = ensure_big_files(tmp_path, ["csv_1g"], scale=TINY)["csv_1g"]
    assert again.stat().st_mtime_ns == stamp
    with first.open("ab") as fh:  # a truncated/extended file no longer matches its metadata
        fh.write(b"junk")
    ensure_big_files(tmp_path, ["csv_1g"], scale=TINY)
    assert not first.read_bytes().endswith(b"junk")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unknown_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown big file"):
        ensure_big_files(tmp_path, ["csv_2g"])


def test_big_files_are_served_in_a_benchmark_workflow(make_demo_server, tiny_files) -> None:
    server = make_demo_server(big_files=tiny_files)
    headers = {"Authorization": f"Bearer {server.api_key}"}
    with httpx.Client(base_url=server.base_url, headers=headers) as client:
        aid = server.dataset.big_files["csv_1g"]
        art = client.get(f"/artifacts/{aid}").json()
        wf = client.get(f"/workflows/{art['workflowId']}").json()
        assert wf["name"] == "Benchmark"
        path = tiny_files["csv_1g"]
        assert art["fileSize"] == path.stat().st_size and art["fileHash"] == file_sha256(path)
        whole = client.get(art["signedUrl"]).content
        assert hashlib.sha256(whole).hexdigest() == art["fileHash"]
        part = client.get(art["signedUrl"], headers={"Range": "bytes=300000-300099"})
        assert part.status_code == 206 and part.content == whole[300000:300100]
