"""previews (Qt)."""
