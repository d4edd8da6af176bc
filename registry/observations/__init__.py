"""What collectors store: targets, leases, attempts, ingest, tokens."""
