"""content_error and privacy_leak: findings from the content scans of published posts.

One finding per rule and post (subject ``post:<id>``), listing every problem of that kind in the post,
so several problems of one account stay apart and each names its post. A finding resolves itself when
the post's text changes and the problem is gone (the ingest marks it for a new scan) or the post is
removed. content_error is a veto when any of its problems is severe (an outdated official name, or a
county lexicon entry marked 严重), else a notice (info); privacy_leak takes ``[rules.privacy_leak]
level``. Hits arrive masked from the scanner: evidence and summaries never carry a personal number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from rules.calendar import local_date
from rules.config import RuleSettings
from rules.content.hits import ScanContext
from rules.content.privacy import find_personal_numbers
from rules.facts import AccountFacts, FindingDraft
from rules.rule_base import ACTIVE

#: Problems named in a finding's summary; the evidence lists them all.
SUMMARY_HITS = 3
#: Characters of a post's title in a summary (a Weibo post's title is its whole text).
TITLE_CHARS = 40
_NO_HOTLINES = ScanContext()


class FlaggedLike(Protocol):
    """What a content finding needs of a post with problems."""

    @property
    def id(self) -> int: ...
    @property
    def account_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...
    @property
    def text_coverage(self) -> str: ...
    @property
    def hits(self) -> list[dict[str, str]]: ...


def hit_record(kind: str, severity: str, matched: str, context: str, entry_id: str, suggestion: str,
               source: str) -> dict[str, str]:
    """One stored problem of a post (the scanner's masked ContentHit, without offsets)."""
    return {"kind": kind, "severity": severity, "matched": matched, "context": context, "entry_id": entry_id,
            "suggestion": suggestion, "source": source}


def masked_title(title: str) -> str:
    """The title with every personal number in it masked (a Weibo post's title is its text, number and all)."""
    for p in find_personal_numbers(title, _NO_HOTLINES):
        title = title[:p.start] + p.masked + title[p.end:]  # masks keep the length: later spans stay valid
    return title


def _short(title: str) -> str:
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…"


def _summary(post: FlaggedLike, title: str, hits: list[dict[str, str]]) -> tuple[str, str]:
    day = local_date(post.published_at).isoformat()
    shown_zh = "；".join(f"「{h['matched']}」建议：{h['suggestion'] or '核实修改'}" for h in hits[:SUMMARY_HITS])
    shown_en = "; ".join(f"\"{h['matched']}\" suggestion: {h['suggestion'] or 'check'}" for h in hits[:SUMMARY_HITS])
    more_zh = f"等{len(hits)}处" if len(hits) > SUMMARY_HITS else ""
    more_en = f" and {len(hits) - SUMMARY_HITS} more" if len(hits) > SUMMARY_HITS else ""
    return (f"《{_short(title) or '（无标题）'}》（{day}）：{shown_zh}{more_zh}",
            f"\"{_short(title) or '(untitled)'}\" ({day}): {shown_en}{more_en}")


def _draft(rule: str, severity: str, post: FlaggedLike, f: AccountFacts, hits: list[dict[str, str]]) -> FindingDraft:
    title = masked_title(post.title)
    zh, en = _summary(post, title, hits)
    evidence: dict[str, object] = {
        "post": post.id, "title": title, "url": post.url,
        "published_on": local_date(post.published_at).isoformat(), "coverage": post.text_coverage,
        "count": len(hits), "hits": hits,
    }
    return FindingDraft(rule=rule, severity=severity, subject=f"post:{post.id}", account_id=f.account_id,
                        unit_id=f.unit_id, summary_zh=zh, summary_en=en, evidence=evidence)


def content_drafts(posts: Sequence[FlaggedLike], facts: Mapping[int, AccountFacts],
                   settings: RuleSettings) -> list[FindingDraft]:
    """content_error and privacy_leak drafts of the active accounts' posts with problems."""
    out: list[FindingDraft] = []
    for post in posts:
        f = facts.get(post.account_id)
        if f is None or f.status not in ACTIVE:
            continue
        privacy = [h for h in post.hits if h["kind"] == "privacy"]
        wording = [h for h in post.hits if h["kind"] != "privacy"]
        if wording and settings.enabled("content_error", f.unit_kind):
            severe = any(h["severity"] == "severe" for h in wording)
            out.append(_draft("content_error", "veto" if severe else "info", post, f, wording))
        if privacy and settings.enabled("privacy_leak", f.unit_kind):
            out.append(_draft("privacy_leak", settings.get_str("privacy_leak", "level", f.unit_kind), post, f,
                              privacy))
    return out
