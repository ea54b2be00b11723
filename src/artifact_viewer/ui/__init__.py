"""The window (Qt): navigator, artifact list, details, dialogs, background work and messages."""
