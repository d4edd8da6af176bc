"""govmedia rules package."""
