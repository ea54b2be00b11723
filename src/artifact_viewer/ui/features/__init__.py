"""Window features that plug in through ui.extensions (one module per feature)."""
