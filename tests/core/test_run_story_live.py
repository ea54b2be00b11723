"""The timeline of a run still going: its log is rewritten as lines appear, so the catalog's
hash of it may be a poll behind; the log is listed again and shown, not refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from artifact_viewer.core.client import AnonClient
from artifact_viewer.core.library import Library
from artifact_viewer.core.paths import app_paths
from artifact_viewer.core.run_story import load_run_summary, load_timeline
from artifact_viewer.core.settings import Settings
from artifact_viewer.demo.config import ServerConfig
from artifact_viewer.demo.runner import DemoServer

STEP = 3600.0  # the live run moves only when the test moves the server's clock


@pytest.fixture
def live(make_demo_server: Callable[..., DemoServer]) -> DemoServer:
    return make_demo_server(config=ServerConfig(live_step=STEP), live=True)


@pytest.fixture
def library(live: DemoServer, app_home: Path) -> Iterator[Library]:
    http = httpx.Client()
    client = AnonClient(http, api_key=live.api_key, base_url=live.base_url)
    lib = Library.open(app_paths(), Settings(), client, http=http)
    yield lib
    lib.close()
    http.close()


def test_a_running_runs_log_that_grew_since_it_was_listed_is_shown(
    live: DemoServer, library: Library
) -> None:
    run_id = live.live.start_run("COMPLETED", "gusto_census")
    live.config.clock_offset += STEP  # under way: a screenshot and the first log lines
    library.refresh_run(run_id)
    library.refresh_artifacts(run_id=run_id)
    summary = load_run_summary(library, run_id)
    assert summary.first_log() is not None
    live.config.clock_offset += STEP  # the next state: the log is rewritten on the server
    data = load_timeline(library, summary)
    assert data.problems == []
    assert data.timeline.log is not None
    listed_lines = data.timeline.log.line_count
    text = data.log_path.read_text(encoding="utf-8")
    assert text.count("entering state") == 2  # what the server has now, not what was listed
    assert listed_lines == len(text.splitlines())
