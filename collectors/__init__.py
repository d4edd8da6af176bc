"""govmedia collectors package."""
