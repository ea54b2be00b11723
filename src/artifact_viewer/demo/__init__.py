"""Stand-in Anon V2 server and its seeded data set (no Qt)."""
