"""Scrubbing error text: no secret, access token or webhook key may reach a log, a table or the screen."""

from __future__ import annotations

import re

# Query strings carry access_token= and key=; drop them whole rather than guess parameter names.
_QUERY = re.compile(r"(https?://[^\s?#'\"]*)\?[^\s#'\"]*")


def redact(text: str, *secrets: str) -> str:
    """Text with URL query strings removed and every given secret (4+ characters) replaced by ***."""
    text = _QUERY.sub(r"\1?…", text)
    for value in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(value, "***")
    return text
