"""Benchmarks of artifact-viewer against plain-library floors; run with ``python -m bench.run``."""
