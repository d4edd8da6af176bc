"""govmedia sandbox package."""
