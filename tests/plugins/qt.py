"""Fixtures: qt."""
