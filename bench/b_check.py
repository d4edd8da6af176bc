"""Check: `rules.evaluate.run_check` vs one SQL query computing the last post per account.

Findings, reviews and the outbox are emptied first, so the first check opens every finding (the
day a province switches govmedia on) and the second one refreshes them (every later check).
"""

from __future__ import annotations

import datetime as dt

from bench.common import (
    NOW,
    Result,
    backend,
    max_rss_mb,
    timed,
    timed_fetch,
)
from registry.db.lifecycle import database
from registry.db.models import Finding, Notification, Post, Review
from rules.config import RuleSettings
from rules.evaluate import run_check

LAST_POST_SQL = "SELECT account_id, MAX(published_at) FROM post WHERE published_at <= ? AND pinned = false GROUP BY account_id"


async def last_post_query(url: str, now: dt.datetime) -> tuple[float, int]:
    """The baseline: last non-pinned post per account, fetched with the raw driver; (seconds, rows)."""
    return await timed_fetch(url, LAST_POST_SQL, now)


async def reset_findings() -> None:
    """Forget findings, reviews and messages so that the first check starts from nothing."""
    await Notification.all().delete()
    await Review.all().delete()
    await Finding.all().delete()


async def reset_content_scans() -> None:
    """Forget the posts' content scans, so that the first check scans every post of its window."""
    await Post.all().update(content_scanned=None, content_hits=None)


async def run(url: str, accounts: int) -> Result:
    """Time the baseline and two checks."""
    res = Result("check", backend(url), accounts)
    settings = RuleSettings.from_dict({})
    await last_post_query(url, NOW)  # warm the page cache for both sides
    t_base, n_last = await last_post_query(url, NOW)
    async with database(url, upgrade_schema=False):
        await reset_findings()
        await reset_content_scans()
        with timed() as t_first:
            first = await run_check(NOW, settings)
        with timed() as t_again:
            again = await run_check(NOW + dt.timedelta(hours=1), settings)
    res.values.update({
        "baseline_s": round(t_base, 3), "accounts_with_posts": n_last,
        "check_first_s": round(t_first.wall, 3), "check_first_cpu_s": round(t_first.cpu, 3),
        "check_s": round(t_again.wall, 3), "check_cpu_s": round(t_again.cpu, 3),
        "ratio_check_to_baseline": round(t_again.wall / t_base, 1),
        "ratio_first_check_to_baseline": round(t_first.wall / t_base, 1),
        "findings": len(first.drafts), "opened": len(first.sync.opened), "refreshed": len(again.sync.refreshed),
        # The content check scans every post of its window once (their titles: the dataset has no text),
        # then only new or edited posts.
        "content_scanned_first": first.content_scanned, "content_scanned": again.content_scanned,
        "reviews_opened": len(first.sync.reviews_opened), "max_rss_mb": round(max_rss_mb(), 1),
    })
    return res
