"""govmedia bot package."""
