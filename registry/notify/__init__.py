"""Storage for the warning pipeline."""
