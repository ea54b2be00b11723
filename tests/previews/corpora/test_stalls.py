"""No view blocks the GUI thread for more than 50 ms while it shows a corpus file.

bench.stallprobe times the gaps between 5 ms timer ticks on the GUI thread. On a busy
machine the GUI thread also waits for a core (the operating system runs other processes)
and such a gap lands on a different file each run; a view that really blocks does so every
time. So a file over the bound is shown again, up to ``ATTEMPTS`` times, and fails only
when every attempt is over it. The worst stalls are printed for the record.
"""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from bench.stallprobe import StallProbe

from artifact_viewer.previews.dump import wait_until_loaded
from tests.previews.corpora.conftest import corpus_files, params

#: the longest the GUI thread may go without running its event loop
BOUND_MS = 50.0
#: showings of a file before a stall over the bound counts as the view's
ATTEMPTS = 4
_LABELS = {".json": "application/json", ".png": "image/png", ".csv": "text/csv"}
FILES = (
    corpus_files("json/test_parsing", "*.json")
    + corpus_files("png/png", "*.png")
    + corpus_files("csv/csvs", "*.csv")
)
_worst: dict[str, float] = {}
_retried: dict[str, list[float]] = {}


@pytest.fixture(scope="module")
def shown_host(host, qapp):
    host.show()
    deadline = time.monotonic() + 5
    while not host.isVisible() and time.monotonic() < deadline:
        qapp.processEvents()
    # One file of each kind first: importing a view's libraries (Arrow, Pillow) happens
    # once per process, at the first file of its kind, and is not what is measured here.
    for suffix in _LABELS:
        first = next((f for f in FILES if f.suffix == suffix), None)
        if first is not None:
            host.show_file(first, _LABELS[suffix])
            wait_until_loaded(host, 30)
    # As the app does once its start-up imports are done (MainThreadGarbageCollector.freeze):
    # what is alive now (here also every earlier test's leftovers) is out of the collector's
    # reach, so a full collection on the GUI thread walks only what the views make.
    gc.collect()
    gc.freeze()
    yield host
    gc.unfreeze()
    if _worst:
        ranked = sorted(_worst.items(), key=lambda item: -item[1])[:5]
        print("\nworst GUI stalls over the corpora (ms):", ranked)
        over = [name for name, ms in _worst.items() if ms > BOUND_MS]
        print(f"{len(over)} of {len(_worst)} files over {BOUND_MS:g} ms at the first showing")
        if _retried:
            print("shown again (ms per attempt):", _retried)


@pytest.mark.slow
@pytest.mark.parametrize("path", params(FILES))
def test_showing_a_corpus_file_never_blocks_the_gui_thread(shown_host, qtbot, path: Path):
    stalls: list[float] = []
    for attempt in range(ATTEMPTS):
        probe = StallProbe(interval_ms=5)
        with probe:
            if attempt:
                shown_host.clear()  # to show the same file again (its teardown is timed too)
            shown_host.show_file(path, _LABELS[path.suffix])
            assert wait_until_loaded(shown_host, 30)
            qtbot.wait(30)  # the paints that follow the load
        stalls.append(round(probe.max_stall_ms, 1))
        if probe.max_stall_ms < BOUND_MS:
            break
    _worst[path.name] = stalls[0]
    if len(stalls) > 1:
        _retried[path.name] = stalls
    assert min(stalls) < BOUND_MS, f"every showing stalled the GUI thread: {stalls} ms"
