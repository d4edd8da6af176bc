"""Read models for rules and reports."""
