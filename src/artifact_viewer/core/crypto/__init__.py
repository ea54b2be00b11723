"""Encryption of cached files at rest: AES-256-GCM in chunks, keys from the OS keyring."""
