"""Compare two artifacts or two runs in the window (the engine is core.compare)."""
