"""Content search in the window: the results pane, its model, and opening a file at a hit."""
