"""Storage: models, database lifecycle, dialects and the hand-written SQL helpers."""
