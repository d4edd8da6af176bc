"""Content safety checks (错敏 and privacy): pure functions over a post's text, date and context.

    scanner = build_scanner(lexicon_paths)            # once per run: shipped lists + the county's files
    hits = scanner.scan(text, published_at, ScanContext.of(hotlines))
"""

from rules.content.hits import ContentHit, ScanContext
from rules.content.lexicon import LexEntry, LexiconError
from rules.content.scanner import Locator, Scanner, build_scanner

__all__ = ["ContentHit", "LexEntry", "LexiconError", "Locator", "ScanContext", "Scanner", "build_scanner"]
