"""govmedia registry package."""
