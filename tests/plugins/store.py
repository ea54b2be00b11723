"""Fixtures: store."""
