"""The windows the rules read posts over, and the facts carrying their SQL aggregates.

The evaluation asks the store for exactly these windows (`digest_bounds`), then hands each rule an
`ActivityDigest` instead of every post (`make_digest`). The windows come from the rules' own
functions, so a digest answers the same question the rule would ask of the posts; a rule reading a
digest taken over another window refuses it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from registry.views.post_digest import DigestBounds, PostDigest
from rules.calendar import SHANGHAI, local_date
from rules.config import RuleSettings
from rules.facts import AccountFacts, ActivityDigest, PostFact
from rules.rule_activity import frequency_window
from rules.rule_base import observed_until
from rules.rule_low_use import use_window


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


#: How far back a latest-post-only digest looks in one pass; older latest posts take a second query.
LATEST_SCAN_DAYS = 21


def digest_bounds(f: AccountFacts, now: datetime, settings: RuleSettings, latest_only: bool = False) -> DigestBounds:
    """The observation point and windows of one account's evaluation at ``now``.

    ``latest_only`` when no rule of the evaluation reads a window (``RuleMeta.window``): only the latest
    post is looked for, which is cheaper to find.
    """
    if latest_only:
        # The "low-use window" of a latest-post-only digest is just the stretch scanned first: a rule
        # that does read the window would find it is not its own and refuse the digest.
        as_of = observed_until(f, now)
        return DigestBounds(f.account_id, as_of, as_of - timedelta(days=LATEST_SCAN_DAYS))
    since, as_of = use_window(f, now, settings)
    window = frequency_window(f, now, settings)
    if window is None or window[1] > window[2]:
        return DigestBounds(f.account_id, as_of, since)
    _, start, end = window
    return DigestBounds(f.account_id, as_of, since, _midnight(start), _midnight(end + timedelta(days=1)))


def make_digest(b: DigestBounds, d: PostDigest | None) -> ActivityDigest:
    """The rules' view of one account's aggregates, over the bounds they were taken for."""
    latest = None
    if d is not None and d.latest is not None:
        p = d.latest
        latest = PostFact(published_at=p.published_at, title=p.title, pinned=p.pinned, url=p.url or None)
    window = None
    if b.freq_start is not None and b.freq_end is not None:
        window = (local_date(b.freq_start), local_date(b.freq_end) - timedelta(days=1))
    return ActivityDigest(
        as_of=b.as_of, latest=latest, use_since=b.use_since,
        use_posts=d.use_posts if d else 0,
        reads_per_post=d.reads_sum / d.reads_n if d and d.reads_n else None,
        interactions_per_post=d.interactions_sum / d.interactions_n if d and d.interactions_n else None,
        freq_window=window, posting_days=d.posting_days if d else 0, freq_posts=d.freq_posts if d else 0,
    )
