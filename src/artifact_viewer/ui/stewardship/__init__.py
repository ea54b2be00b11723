"""Data stewardship in the window: the redacted view, retention, cache encryption, wipe."""
