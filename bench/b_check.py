"""Check: `rules.evaluate.run_check` vs one SQL query computing the last post per account.

Findings, reviews and the outbox are emptied first, so the first check opens every finding (the
day a province switches govmedia on) and the second one refreshes them (every later check).

On PostgreSQL the first check rewrites every post (its content scan marker) and opens every finding;
PostgreSQL's autovacuum cleans such a mass update up within a minute or two (dead rows above 20 % of
a table), so before the routine check "an hour later" the benchmark runs the ``VACUUM ANALYZE`` that
autovacuum would have run (timed apart as ``vacuum_s``). Without it the routine check's look for posts
left to scan walks 1.2 million dead index entries (0.5 s at 2,000 accounts instead of 0.1 ms).
"""

from __future__ import annotations

import datetime as dt

from bench.common import (
    NOW,
    Result,
    backend,
    is_sqlite,
    max_rss_mb,
    pg_connect,
    timed,
    timed_fetch,
)
from registry.db.lifecycle import database
from registry.db.models import Finding, Notification, Post, Review
from rules.config import RuleSettings
from rules.content_check import ContentChecker, ContentConfig
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


async def autovacuum(url: str) -> None:
    """What PostgreSQL's autovacuum does after the first check's mass update (nothing on SQLite)."""
    if is_sqlite(url):
        return
    conn = await pg_connect(url)
    try:
        for table in ("post", "finding", "review", "notification"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


async def run(url: str, accounts: int) -> Result:
    """Time the baseline and two checks."""
    res = Result("check", backend(url), accounts)
    settings = RuleSettings.from_dict({})
    await last_post_query(url, NOW)  # warm the page cache for both sides
    t_base, n_last = await last_post_query(url, NOW)
    # `govmedia run` builds its content checker once (the scanner of the shipped and county lists) and
    # hands it to every scheduled check, so it is built here once too, and timed apart.
    with timed() as t_checker:
        checker = ContentChecker(ContentConfig())
    async with database(url, upgrade_schema=False):
        await reset_findings()
        await reset_content_scans()
        with timed() as t_first:
            first = await run_check(NOW, settings, checker)
        with timed() as t_vacuum:
            await autovacuum(url)
        with timed() as t_again:
            again = await run_check(NOW + dt.timedelta(hours=1), settings, checker)
    res.values.update({
        "baseline_s": round(t_base, 3), "accounts_with_posts": n_last,
        "check_first_s": round(t_first.wall, 3), "check_first_cpu_s": round(t_first.cpu, 3),
        "checker_build_s": round(t_checker.wall, 3), "vacuum_s": round(t_vacuum.wall, 3), "check_s": round(t_again.wall, 3), "check_cpu_s": round(t_again.cpu, 3),
        "ratio_check_to_baseline": round(t_again.wall / t_base, 1),
        "ratio_first_check_to_baseline": round(t_first.wall / t_base, 1),
        "findings": len(first.drafts), "opened": len(first.sync.opened), "refreshed": len(again.sync.refreshed),
        # The content check scans every post of its window once (their titles: the dataset has no text),
        # then only new or edited posts.
        "content_scanned_first": first.content_scanned, "content_scanned": again.content_scanned,
        "reviews_opened": len(first.sync.reviews_opened), "max_rss_mb": round(max_rss_mb(), 1),
    })
    return res
