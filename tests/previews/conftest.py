"""Previews tests: each starts with the views' remembered settings at their defaults."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fresh_view_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wrap (kept across files within a session) starts off in every test."""
    from artifact_viewer.previews.text import previewer

    monkeypatch.setattr(previewer, "_WRAP", {})
