"""Checking a draft before it is published: a file's bytes in, its text and hits out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rules.content.extract import extract_text
from rules.content.hits import SEVERITIES, ContentHit, ScanContext, Severity
from rules.content.scanner import build_scanner


@dataclass(frozen=True)
class DraftReport:
    """The text that was checked and every problem in it."""

    text: str
    hits: list[ContentHit]

    def count(self, severity: str) -> int:
        """How many hits of one severity."""
        return sum(1 for h in self.hits if h.severity == severity)

    def worst_at_least(self, severity: Severity) -> bool:
        """Whether any hit is at least as serious as ``severity``."""
        allowed = SEVERITIES[:SEVERITIES.index(severity) + 1]
        return any(h.severity in allowed for h in self.hits)


def check_draft(data: bytes, fmt: str, *, lexicons: Sequence[Path], published_on: dt.date | None,
                context: ScanContext, leaders: Sequence[Path] = ()) -> DraftReport:
    """Extract the text of a draft and scan it (raises ExtractError, LexiconError)."""
    text = extract_text(data, fmt)
    return DraftReport(text, build_scanner(lexicons, leaders).scan(text, published_on, context))
