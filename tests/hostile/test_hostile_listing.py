"""Listings from a hostile API: endless or repeated pages, malformed records, cleartext URLs."""

from __future__ import annotations

import sqlite3

from tests.hostile.conftest import run_cli, write_settings
from tests.hostile.server import API_KEY


def catalog_ids(home) -> set[str]:
    conn = sqlite3.connect(home / "data" / "catalog.sqlite3")
    try:
        return {r[0] for r in conn.execute("SELECT id FROM artifacts WHERE deleted = 0")}
    finally:
        conn.close()


def test_ever_new_pages_stop_at_the_budget_with_progress_and_a_clear_message(hostile, tmp_path):
    hostile.add("good-1")
    hostile.listing = "ever_new"
    hostile.page_delay = 0.1
    write_settings(tmp_path, listing_max_pages=40)
    result = run_cli(tmp_path, hostile.base_url, "sync", "--all")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Stopped listing artifacts: the server kept sending new pages past 40" in result.stderr
    assert "Listing artifacts: " in result.stderr and "so far" in result.stderr  # progress
    listed = [s for s in hostile.seen if s.path == "/api/v2/artifacts"]
    assert len(listed) == 40


def test_a_listing_cut_short_deletes_nothing_it_did_not_see(hostile, tmp_path):
    hostile.add("good-1")
    first = run_cli(tmp_path, hostile.base_url, "sync")
    assert first.returncode == 0, first.stderr
    hostile.listing = "ever_new"
    write_settings(tmp_path, listing_max_pages=3)
    assert run_cli(tmp_path, hostile.base_url, "sync").returncode == 1
    assert "good-1" in catalog_ids(tmp_path)


def test_the_same_page_forever_ends_the_listing_with_a_message(hostile, tmp_path):
    hostile.add("good-1")
    hostile.listing = "repeat"
    result = run_cli(tmp_path, hostile.base_url, "sync", "--all")
    assert result.returncode == 0, result.stderr
    assert "The server sent the same page of artifacts twice" in result.stderr
    assert len([s for s in hostile.seen if s.path == "/api/v2/artifacts"]) == 2


def test_malformed_records_are_skipped_and_every_good_one_is_stored(hostile, tmp_path):
    hostile.add("good-1")
    hostile.add("date-1e20", createdAt=1e20)
    hostile.add("bad-url", url="http://[::1/x")
    hostile.listing = "malformed"
    result = run_cli(tmp_path, hostile.base_url, "sync", "--all")
    assert "Traceback" not in result.stderr
    assert "Skipped 5 malformed record(s) in the list of artifacts." in result.stderr
    assert catalog_ids(tmp_path) == {"good-1", "date-1e20", "bad-url"}
    assert result.returncode == 1  # bad-url could not be downloaded
    assert "bad-url: bad-url.bin: The download link is malformed." in result.stderr


def test_cleartext_base_url_to_another_host_is_refused_with_the_reason(tmp_path):
    result = run_cli(tmp_path, "http://api.example.com/api/v2", "ls", "workflows")
    assert result.returncode == 3
    assert "the API key would travel unencrypted" in result.stderr
    assert "Traceback" not in result.stderr


def test_cleartext_base_url_to_this_machine_is_accepted(hostile, tmp_path):
    hostile.add("good-1")
    result = run_cli(tmp_path, hostile.base_url, "ls", "workflows")
    assert result.returncode == 0, result.stderr
    assert "Hostile" in result.stdout


def test_a_key_with_a_line_break_is_a_clear_settings_error(hostile, tmp_path):
    result = run_cli(tmp_path, hostile.base_url, "ls", "workflows", key=f"{API_KEY}\nX-Evil: 1")
    assert result.returncode == 3
    assert "The API key contains a line break" in result.stderr
    assert "Traceback" not in result.stderr and API_KEY not in result.stderr
