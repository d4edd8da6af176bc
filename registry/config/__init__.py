"""Configuration, secrets and output language."""
