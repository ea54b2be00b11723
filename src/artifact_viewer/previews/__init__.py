"""previews (Qt): the preview contract (base, host, registry, sniff) and one folder per kind."""
