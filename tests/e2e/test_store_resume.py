"""Against the stand-in server: expiring URLs mid-transfer, wrong bytes, tampered cache files."""

from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

from artifact_viewer.cli import cli
from artifact_viewer.core.errors import IntegrityError
from artifact_viewer.core.logs import teardown_logging
from artifact_viewer.core.store_models import ArtifactQuery, CacheState


@pytest.fixture
def big_server(make_demo_server, big_file_paths):
    return make_demo_server(big_files=big_file_paths)


def test_url_expiring_mid_download_resumes_by_range_and_verifies(big_server, open_demo_store):
    store = open_demo_store(big_server)
    artifact_id = big_server.dataset.big_files["json_100m"]
    size = big_server.artifact(artifact_id).size
    assert size > 2_000_000
    # 1-second URLs and ~0.8 MB/s: the transfer outlives several URLs; storage cuts the body
    # the moment its URL expires.
    big_server.config.url_ttl = 1
    big_server.config.cut_on_expiry = True
    big_server.config.throttle_bps = 800_000
    big_server.config.chunk_size = 32 * 1024
    store.library.refresh_artifacts(run_id=big_server.artifact(artifact_id).workflow_run_id)
    path = store.library.fetch(artifact_id)

    assert hashlib.sha256(path.read_bytes()).hexdigest() == big_server.true_hash(artifact_id)
    assert store.library.cache_state(artifact_id) is CacheState.VERIFIED
    requests = store.storage_requests(artifact_id)
    assert requests[0][1:] == (None, 200)
    resumed = [status for _name, rng, status in requests if rng]
    assert resumed and set(resumed) <= {206, 403}, requests
    assert 206 in resumed
    # One fresh URL per expiry: every URL fetched is used before another one is asked for.
    assert store.refreshes
    assert "refresh,refresh" not in ",".join(store.events), store.events
    assert not list(store.library.blobs.partial_dir.glob("*.part"))


def test_wrong_bytes_from_storage_are_rejected_and_nothing_is_cached(demo_server, open_demo_store):
    store = open_demo_store(demo_server)
    artifact = demo_server.dataset.artifacts[0]
    demo_server.config.corrupt_ids = {artifact.id}
    store.library.refresh_artifacts(run_id=artifact.workflow_run_id)
    with pytest.raises(IntegrityError) as info:
        store.library.fetch(artifact.id)
    assert artifact.display_name in info.value.user_message()
    assert "do not match" in info.value.user_message()
    assert store.library.cache_state(artifact.id) is CacheState.MISMATCH
    assert store.library.cached_path(artifact.id) is None
    assert not [p for p in store.library.blobs.root.rglob("*") if p.is_file()]
    assert not list(store.library.blobs.partial_dir.glob("*.part"))


def test_flipped_byte_in_cache_fails_cache_verify_and_is_fetched_again(
    demo_server, open_demo_store
):
    store = open_demo_store(demo_server)
    run_id = demo_server.dataset.artifacts[0].workflow_run_id
    report = store.library.sync(run_id=run_id)
    assert report.ok and report.downloaded >= 1
    victim = store.library.artifacts(ArtifactQuery(run_id=run_id))[0]
    path = store.library.cached_path(victim.id)
    data = bytearray(path.read_bytes())
    data[0] ^= 0x20
    path.write_bytes(bytes(data))

    runner = CliRunner()
    try:
        result = runner.invoke(cli, ["cache", "verify"])
    finally:
        teardown_logging()
    assert result.exit_code == 1, result.output
    assert f"FAILED {victim.id}" in result.output
    assert store.library.cache_state(victim.id) is CacheState.MISMATCH
    again = store.library.fetch(victim.id)
    assert hashlib.sha256(again.read_bytes()).hexdigest() == demo_server.true_hash(victim.id)

    clean = runner.invoke(cli, ["cache", "verify"])
    teardown_logging()
    assert clean.exit_code == 0, clean.output
