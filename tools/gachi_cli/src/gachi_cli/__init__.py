"""The `gachi` command: operator tooling around the services (never imported by them)."""
