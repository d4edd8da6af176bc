"""govmedia reports package."""
