"""The month's SQL aggregates agree with the per-post formulas they replace."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from registry.db.models import DailyMetric, Post
from registry.ledger import accounts as store
from registry.views.monthly_data import ReportBase, month_data
from reports import indices
from reports.monthly_build import month_bounds
from reports.monthly_sections import account_index

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 3)


async def add(uid: str, name: str, platform: str = "wechat") -> int:
    record = {"platform": platform, "uid": uid, "name": name, "unit": f"{name}单位", "unit_kind": "县直部门",
              "interaction": "留言", "opened_on": "2020-01-01", "head": "甲", "head_phone": "13100000001",
              "operator": "乙", "operator_phone": "13100000002", "verified_subject": "某单位", "frequency": "每两周",
              "filed": "是", "filed_on": "2020-02-01"}
    return (await store.add_account(record, actor="t", today=TODAY)).id


def at(d: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, d, 10, 0, tzinfo=TZ)


# (post id, day, reads, zaikan, likes, shares, comments, pinned); None = counter not reported.
WECHAT = [
    ("a_1", 2, 250_000, 3, None, 7, None, False),  # lead, above 10万+: the WCI counts 100001
    ("a_2", 2, 50, None, 4, 0, 1, False),
    ("b_11", 9, 10, 1, 1, 1, 0, False),  # "_11" is not a lead article
    ("cx1", 12, 5, 0, 2, 0, 0, False),  # "x1": the "_" of "_1" is literal, not a wildcard
    ("d_1", 20, None, None, None, None, None, False),
    ("p_1", 15, 999, 9, 9, 9, 9, True),  # pinned: in the trend totals, not in the account's figures
    ("late_1", 2, 70, 1, 1, 1, 1, False),  # November: outside the month
]


async def test_post_totals_match_the_per_post_formulas(db: str) -> None:
    wechat = await add("gh_00000000000a", "号甲")
    weibo = await add("5000000001", "微博号", platform="weibo")
    for pid, d, reads, zaikan, likes, shares, comments, pinned in WECHAT:
        await Post.create(account_id=wechat, post_id=pid, published_at=at(d, 11 if pid.startswith("late") else 10),
                          reads=reads, zaikan=zaikan, likes=likes, shares=shares, comments=comments, pinned=pinned)
    quiet = await add("gh_00000000000e", "九月号")  # silent in October: its last post is older
    await Post.create(account_id=quiet, post_id="q_1", published_at=at(12, 9), reads=1)
    await Post.create(account_id=quiet, post_id="q_2", published_at=at(20, 10), reads=1, pinned=True)
    for i in range(3):
        await Post.create(account_id=weibo, post_id=f"w{i}", published_at=at(3 + i), shares=i, comments=2 * i, likes=5)
    start, end = month_bounds("2026-10", TZ)
    data = await month_data(start, end, indices.SUMMING)

    month = [p for p in WECHAT if not p[0].startswith("late")]
    unpinned = [p for p in month if not p[7]]
    t = data.totals[wechat]
    assert (t.posts, t.reads, t.zaikan, t.likes, t.shares, t.comments) == (
        5, 250_065, 4, 7, 8, 1)
    articles = [(p[2] or 0, p[3] or 0, p[4] or 0, p[5] or 0, p[0].endswith("_1")) for p in unpinned]
    assert account_index(data.accounts[0], t, 31) == round(indices.wci_from_articles(articles, 31).wci, 2)
    assert (t.capped_reads, t.lead_reads, t.max_reads, t.lead_shares) == (100_066, 100_001, 100_001, 7)
    assert data.counts[wechat] == (6, 250_065 + 999)
    w = data.totals[weibo]
    assert (w.posts, w.shares, w.comments, w.likes) == (3, 3, 6, 15)
    assert account_index(data.accounts[1], w, 31) == round(indices.bci(3, 3, 6, 15), 2)
    assert data.last_post_at[wechat] == at(20) and data.last_post_at[quiet] == at(12, 9)
    assert quiet not in data.totals and data.counts[quiet] == (1, 1)


async def test_followers_at_start_and_end(db: str) -> None:
    before = await add("gh_00000000000b", "号乙")
    after = await add("gh_00000000000c", "号丙")
    silent = await add("gh_00000000000d", "号丁")
    rows = [(before, dt.date(2026, 9, 20), 90), (before, dt.date(2026, 9, 27), 100), (before, dt.date(2026, 10, 3), 120),
            (before, dt.date(2026, 10, 30), 150), (after, dt.date(2026, 10, 6), 200), (after, dt.date(2026, 10, 9), 210),
            (silent, dt.date(2026, 10, 9), None)]
    for aid, day, followers in rows:
        await DailyMetric.create(account_id=aid, day=day, followers=followers)
    start, end = month_bounds("2026-10", TZ)
    data = await month_data(start, end, indices.SUMMING, base=await ReportBase.load())
    # The last day up to the start within a week before it, else the first day after the start.
    assert data.followers_start == {before: 100, after: 200}
    assert data.followers_end == {before: 150, after: 210}
    trend = await month_data(start, end, indices.SUMMING, detail=False)
    assert not trend.totals and not trend.followers_end and trend.status_at_end == data.status_at_end
