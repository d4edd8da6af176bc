"""The content check of published posts: a checker built once per run, the incremental scan, the findings.

`ContentChecker` holds the scanner (shipped lists plus the county's ``[content] lexicons``), the scan
context (``[content] hotlines``, ``privacy_severity``) and a fingerprint of both. A post is scanned when
its scan marker is not that fingerprint: new posts, posts whose title, date or text changed (the ingest
resets the marker), and every post again when the checker changed.

Hotlines: only the numbers listed in ``[content] hotlines`` count as the units' own published numbers.
The ledger's head and operator phone columns are people's numbers, so they are never allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from registry.observations.content import store_scans
from registry.views.content_posts import flagged_posts, posts_to_scan
from rules.calendar import SHANGHAI
from rules.config import RuleSettings
from rules.content.hits import ContentHit, ScanContext, Severity, parse_severity
from rules.content.scanner import Scanner, build_scanner
from rules.facts import AccountFacts, FindingDraft
from rules.rule_account_name import account_name_drafts
from rules.rule_content import content_drafts, hit_record

#: Bump when the engine's matching changes, so that every post is scanned again.
ENGINE_VERSION = "2"


@dataclass(frozen=True)
class ContentConfig:
    """The ``[content]`` table resolved: lexicon files, the units' hotlines, the privacy hits' severity."""

    lexicons: tuple[Path, ...] = ()
    hotlines: tuple[str, ...] = ()
    privacy_severity: Severity = "warning"
    leaders: tuple[Path, ...] = ()  # the county's leaders files (rules/content/phrases.py format)

    @classmethod
    def from_section(cls, section: Mapping[str, object], base_dir: Path) -> ContentConfig:
        """From the parsed ``[content]`` table (paths relative to the config's folder); raises ValueError."""
        lexicons, hotlines = section.get("lexicons", []), section.get("hotlines", [])
        leaders = section.get("leaders", [])
        for key, value in (("lexicons", lexicons), ("hotlines", hotlines), ("leaders", leaders)):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"[content] {key}: expected a list of strings, got {value!r}")
        assert isinstance(lexicons, list) and isinstance(hotlines, list) and isinstance(leaders, list)
        severity = parse_severity(str(section.get("privacy_severity", "warning")))
        if severity is None:
            raise ValueError(f"[content] privacy_severity: expected severe, warning or notice, "
                             f"got {section.get('privacy_severity')!r}")
        return cls(tuple(base_dir / p for p in lexicons), tuple(hotlines), severity, tuple(base_dir / p for p in leaders))


class ContentChecker:
    """A scanner and its context, built once per run (raises LexiconError on a bad county list)."""

    def __init__(self, config: ContentConfig, scanner: Scanner | None = None) -> None:
        self.scanner = scanner or build_scanner(config.lexicons, config.leaders)
        self.context = ScanContext.of(config.hotlines, config.privacy_severity)
        digest = hashlib.blake2b(digest_size=16)
        targets = self.scanner.phrases.targets if self.scanner.phrases else []
        for part in (ENGINE_VERSION, repr(self.scanner.entries), repr(targets), repr(sorted(self.context.hotlines)),
                     self.context.privacy_severity):
            digest.update(part.encode())
            digest.update(b"\0")
        self.fingerprint = digest.hexdigest()

    def scan(self, text: str, on: dt.datetime | dt.date | None) -> list[ContentHit]:
        """Every problem of ``text`` published ``on`` (a datetime counts by its county date)."""
        if isinstance(on, dt.datetime):
            on = on.astimezone(SHANGHAI)
        return self.scanner.scan(text, on, self.context)

    def post_hits(self, text: str, published_at: dt.datetime) -> list[dict[str, str]] | None:
        """A post's problems as stored (masked); None when there are none."""
        hits = self.scan(text, published_at)
        return [hit_record(h.kind, h.severity, h.matched, h.context, h.entry_id, h.suggestion, h.source)
                for h in hits] or None


async def scan_posts(checker: ContentChecker) -> int:
    """Scan the posts this checker has not scanned (new, edited, or all after a change of checker); how many."""
    scanned = 0
    async for batch in posts_to_scan(checker.fingerprint):
        await store_scans(checker.fingerprint, [(r.id, checker.post_hits(r.text, r.published_at)) for r in batch])
        scanned += len(batch)
    return scanned


async def content_findings(checker: ContentChecker, facts: Sequence[AccountFacts], now: dt.datetime,
                           settings: RuleSettings) -> tuple[int, list[FindingDraft]]:
    """Scan what changed, then the content drafts of every post with problems and of every account whose
    own or unit's name is outdated: (posts scanned, drafts)."""
    scanned = await scan_posts(checker)
    by_id = {f.account_id: f for f in facts}
    drafts = content_drafts(await flagged_posts(checker.fingerprint), by_id, settings)
    return scanned, drafts + account_name_drafts(facts, now, settings, checker.scanner)
