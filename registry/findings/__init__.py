"""The findings lifecycle a check drives."""
