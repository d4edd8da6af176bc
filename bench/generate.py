"""Province-size dataset generator: units of the four kinds, contacts, accounts, a year of posts,
weekly follower metrics, collection states and audit events, written with the raw drivers into a
database whose schema comes from govmedia's own migrations.

    python -m bench.generate --db sqlite --accounts 20000 [--posts 200]

Shape (deterministic for a seed): about 3 accounts per unit; units grouped into counties of 40
(1 county government, 20 departments, 15 townships, 4 other); platforms 60% WeChat, 25% Weibo, the
rest Douyin/Toutiao/Channels; ~``posts`` posts per account over the year before `NOW` (count per
account log-normal), reads heavy-tailed (log-normal popularity × Pareto per post); 80% of accounts
post until now, 10% stopped 11-30 days ago, 5% 30-90 days ago, 5% are dormant (100-365 days).
Follower metrics are **weekly** (one row per account per week, 53 rows), not daily, to keep the
20,000-account dataset at ~1M metric rows; the rules only read the first and last follower figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.common import NOW, dataset_url, reset_database
from bench.rawdb import RawWriter
from registry.db.lifecycle import database

DEPTS = ("发展改革局", "教育局", "公安局", "民政局", "司法局", "财政局", "人社局", "自然资源局", "生态环境局", "住建局",
         "交通运输局", "水利局", "农业农村局", "商务局", "文广旅局", "卫健委", "应急管理局", "市场监管局", "医保局", "融媒体中心")
OTHERS = ("供电公司", "人民医院", "职教中心", "团委")
COUNTY_SLOTS = 40
PLATFORMS = (("wechat", 0.60), ("weibo", 0.85), ("douyin", 0.92), ("toutiao", 0.96), ("channels", 1.0))

UNIT_COLS = ("id", "name", "kind", "created_at", "updated_at", "parent_id")
PERSON_COLS = ("id", "name", "role", "phone", "wecom_userid", "confirmed_at", "created_at", "updated_at", "unit_id")
ACCOUNT_COLS = ("id", "platform", "uid", "name", "account_type", "verified_subject", "operator_org", "matrix_role",
                "status", "opened_on", "filed", "filed_on", "interaction", "update_frequency", "collect_method",
                "credential", "feed_url", "notes", "created_at", "updated_at", "head_id", "operator_id", "unit_id")
POST_COLS = ("post_id", "published_at", "title", "url", "pinned", "original", "reads", "likes", "shares", "comments",
             "zaikan", "favorites", "source", "first_seen_at", "updated_at", "account_id",
             "comments_seen", "comments_answered", "first_answer_delay_s", "median_answer_delay_s",
             "oldest_unanswered_at", "comments_checked_at")
#: Days back from NOW whose posts may have a read comment thread (the slow_response window is 30).
THREAD_DAYS = 35
METRIC_COLS = ("day", "followers", "new_followers", "lost_followers", "reads", "shares", "updated_at", "account_id")
STATE_COLS = ("account_id", "last_attempt_at", "last_success_at", "known_until", "last_error_kind", "last_error",
              "consecutive_failures", "gone", "backfilled_from", "cursor", "lease_owner", "lease_until",
              "cooldown_until", "next_due_at")
AUDIT_COLS = ("at", "actor", "entity", "entity_id", "ref", "action", "changes", "note")
CHUNK = 500  # accounts whose posts are generated and written together


@dataclass(frozen=True)
class Summary:
    """What was generated and how long it took."""

    accounts: int
    units: int
    posts: int
    metrics: int
    seconds: float


def unit_rows(n_units: int, created: dt.datetime) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Units in counties of 40; returns rows and each unit's kind."""
    rows, kinds = [], []
    for u in range(1, n_units + 1):
        county, slot = divmod(u - 1, COUNTY_SLOTS)
        cname = f"第{county + 1}县"
        if slot == 0:
            name, kind = f"{cname}人民政府", "county_gov"
        elif slot <= 20:
            name, kind = f"{cname}{DEPTS[slot - 1]}", "department"
        elif slot <= 35:
            name, kind = f"{cname}第{slot - 20}镇人民政府", "township"
        else:
            name, kind = f"{cname}{OTHERS[slot - 36]}", "other"
        parent = county * COUNTY_SLOTS + 1 if slot else None
        rows.append((u, name, kind, created, created, parent if parent and parent <= n_units else None))
        kinds.append(kind)
    return rows, kinds


def person_rows(n_units: int, rng: random.Random, created: dt.datetime) -> list[tuple[Any, ...]]:
    """A head (id 2u-1) and an operator (id 2u) per unit; some unconfirmed or stale contacts."""
    rows = []
    for u in range(1, n_units + 1):
        for pid, role in ((2 * u - 1, "head"), (2 * u, "operator")):
            confirmed = NOW - dt.timedelta(days=rng.uniform(1, 170)) if rng.random() < 0.75 else (
                NOW - dt.timedelta(days=rng.uniform(200, 600)) if rng.random() < 0.5 else None)
            phone = f"138{pid:08d}" if rng.random() < 0.92 else ""
            rows.append((pid, f"{'负责人' if role == 'head' else '运维'}{u}", role, phone, f"{role[:2]}{pid:06d}",
                         confirmed, created, created, u))
    return rows


def _platform(r: float) -> str:
    return next(p for p, edge in PLATFORMS if r < edge)


def account_row(i: int, n_units: int, unit_names: list[str], unit_kinds: list[str], rng: random.Random,
                created: dt.datetime) -> tuple[Any, ...]:
    """One account of unit ((i-1) mod units) + 1."""
    u = (i - 1) % n_units + 1
    platform = _platform(rng.random())
    uid = {"wechat": f"gh_{i:012x}", "weibo": str(5_000_000_000 + i)}.get(platform, f"{platform}{i:08d}")
    method = {"wechat": "wechat_api", "weibo": "weibo_public"}.get(platform, "feed")
    if rng.random() < 0.05:
        method = "manual"
    r = rng.random()
    status = "operating" if r < 0.94 else "rectifying" if r < 0.96 else "reviewing" if r < 0.97 else "closed"
    opened = dt.date(2014, 1, 1) + dt.timedelta(days=rng.randrange(0, 3900))
    filed = rng.random() < 0.9
    role = "flagship" if unit_kinds[u - 1] == "county_gov" and platform in ("wechat", "weibo") else "member"
    return (i, platform, uid, f"{unit_names[u - 1]}{platform}{i}", "", unit_names[u - 1] if rng.random() < 0.95 else "",
            "", role, status, opened, filed, opened + dt.timedelta(days=30) if filed else None,
            "留言、评论" if rng.random() < 0.92 else "无", "", method,
            f"wx{i}" if method == "wechat_api" else "", f"/{platform}/{uid}" if method == "feed" else "", "",
            created, created, 2 * u - 1, 2 * u, u)


def activity_end(rng: random.Random) -> dt.datetime:
    """When an account last posts: most post until now, some went quiet, a few are dormant."""
    r = rng.random()
    days = rng.uniform(0, 3) if r < 0.80 else rng.uniform(11, 30) if r < 0.90 else (
        rng.uniform(30, 90) if r < 0.95 else rng.uniform(100, 365))
    return NOW - dt.timedelta(days=days)


def post_rows(aid: int, platform: str, posts: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """About ``posts`` posts over the year with heavy-tailed reads; Weibo accounts pin an old one."""
    count = max(1, int(posts * rng.lognormvariate(0, 0.6) / math.exp(0.18)))
    start, end = NOW - dt.timedelta(days=365), activity_end(rng)
    span = max(1.0, (end - start).total_seconds())
    popularity = rng.lognormvariate(5.0, 1.3)
    # Most accounts answer nearly every comment; one in ten answers few (slow_response's subjects).
    answer_rate = rng.uniform(0.0, 0.5) if rng.random() < 0.1 else rng.uniform(0.85, 1.0)
    threads = platform in ("wechat", "weibo")  # feeds (Douyin, Toutiao, Channels) give no comment threads
    rows = []
    for k in range(count):
        at = start + dt.timedelta(seconds=rng.uniform(0, span))
        reads = int(popularity * rng.paretovariate(1.6))
        wechat = platform == "wechat"
        pid = f"{2247480000 + k}_1" if wechat else f"{aid}{k:06d}"
        rows.append((pid, at, f"政务信息第{k}期", f"https://p.example/{aid}/{k}", False, None,
                     reads if wechat else None, reads // 50, reads // 100, None if wechat else reads // 80,
                     reads // 200 if wechat else None, None, platform, at, at, aid,
                     *(thread_of(at, answer_rate, rng) if threads else NO_THREAD)))
    if platform == "weibo":
        old = start + dt.timedelta(days=rng.uniform(0, 30))
        rows.append((f"{aid}pinned", old, "置顶：关于本账号", f"https://p.example/{aid}/pinned", True, None,
                     None, 1, 1, 1, None, None, platform, old, old, aid, *NO_THREAD))
    return rows


NO_THREAD: tuple[Any, ...] = (None,) * 6


def thread_of(at: dt.datetime, answer_rate: float, rng: random.Random) -> tuple[Any, ...]:
    """A post's comment thread as collection reads it (comments seen and answered, delays, when read):
    three posts in four of the last `THREAD_DAYS` days were read, older ones never (None: unknown)."""
    if at < NOW - dt.timedelta(days=THREAD_DAYS) or rng.random() < 0.25:
        return NO_THREAD
    checked = min(NOW, at + dt.timedelta(hours=rng.uniform(1, 72)))
    seen = min(int(rng.expovariate(1 / 4)), 60)
    answered = sum(1 for _ in range(seen) if rng.random() < answer_rate)
    if answered:
        median = int(rng.lognormvariate(9.5, 1.0))  # ~4 h, heavy-tailed
        first = max(60, int(median * rng.uniform(0.2, 1.0)))
    else:
        median = first = None
    oldest = at + dt.timedelta(minutes=rng.uniform(5, 600)) if answered < seen else None
    return (seen, answered, first, median, min(oldest, checked) if oldest else None, checked)


def metric_rows(aid: int, rng: random.Random) -> list[tuple[Any, ...]]:
    """Weekly follower figures over the year (53 rows)."""
    base, growth = rng.lognormvariate(7.5, 1.5), rng.uniform(-0.05, 0.3)
    rows = []
    for w in range(53):
        day = NOW.date() - dt.timedelta(days=1 + 7 * (52 - w))
        followers = int(base * (1 + growth * w / 52))
        rows.append((day, followers, None, None, None, None, NOW, aid))
    return rows


def state_row(aid: int, method: str, rng: random.Random) -> tuple[Any, ...]:
    """Coverage: most collected in the last hours, some stale (blind), a few never; manual monthly."""
    r = rng.random()
    if method == "manual":
        success: dt.datetime | None = NOW - dt.timedelta(days=rng.uniform(1, 30))
    elif r < 0.94:
        success = NOW - dt.timedelta(hours=rng.uniform(0.2, 6))
    elif r < 0.98:
        success = NOW - dt.timedelta(days=rng.uniform(4, 10))
    else:
        success = None
    cursor = f"day={(NOW.date() - dt.timedelta(days=2)).isoformat()}" if method == "wechat_api" and success else ""
    return (aid, success, success, success, None, "", 0, False,
            (NOW - dt.timedelta(days=365)).date() if success else None, cursor, None, None, None, None)


async def generate(url: str, accounts: int, posts: int = 200, seed: int = 20260615) -> Summary:
    """Replace the database at ``url`` with a dataset of ``accounts`` accounts."""
    t0 = time.perf_counter()
    await reset_database(url)
    async with database(url):  # applies govmedia's migrations
        pass
    rng = random.Random(seed)
    created = NOW - dt.timedelta(days=400)
    n_units = max(4, math.ceil(accounts / 3))
    writer = await RawWriter(url).open()
    units, kinds = unit_rows(n_units, created)
    await writer.insert("unit", UNIT_COLS, units)
    await writer.insert("person", PERSON_COLS, person_rows(n_units, rng, created))
    names = [u[1] for u in units]
    total_posts = total_metrics = 0
    for first in range(1, accounts + 1, CHUNK):
        ids = range(first, min(accounts, first + CHUNK - 1) + 1)
        acc = [account_row(i, n_units, names, kinds, rng, created) for i in ids]
        await writer.insert("account", ACCOUNT_COLS, acc)
        await writer.insert("audit_event", AUDIT_COLS, [
            (created, "bench", "account", a[0], f"{a[1]}:{a[2]}", "create", {"status": [None, a[8]]}, "") for a in acc])
        await writer.insert("account_state", STATE_COLS, [state_row(a[0], a[14], rng) for a in acc])
        post_batch = [row for a in acc for row in post_rows(a[0], a[1], posts, rng)]
        metric_batch = [row for a in acc for row in metric_rows(a[0], rng)]
        await writer.insert("post", POST_COLS, post_batch)
        await writer.insert("daily_metric", METRIC_COLS, metric_batch)
        total_posts += len(post_batch)
        total_metrics += len(metric_batch)
    await writer.fix_sequences(["unit", "person", "account", "post", "daily_metric", "audit_event"])
    await writer.close()
    return Summary(accounts, n_units, total_posts, total_metrics, time.perf_counter() - t0)


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite", help="sqlite, postgres, or a database URL")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=200, help="mean posts per account over the year")
    args = parser.parse_args()
    url = args.db if "://" in args.db else dataset_url(args.db, args.accounts)
    s = asyncio.run(generate(url, args.accounts, args.posts))
    print(f"{url}: {s.accounts} accounts, {s.units} units, {s.posts} posts, {s.metrics} weekly metrics "
          f"in {s.seconds:.1f} s")
    print(json.dumps({"units": s.units, "posts": s.posts, "metrics": s.metrics, "seconds": round(s.seconds, 1)}))


if __name__ == "__main__":
    main()
