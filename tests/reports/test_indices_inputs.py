"""WCI and BCI from their real inputs (在看, likes, shares, lead articles, maxima), checked against a worked
example computed by hand, and accounts whose inputs are unknown listed apart, never ranked at zero."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from registry.db.models import DailyMetric
from registry.observations import store as obs
from reports import indices
from reports.activity import activity
from reports.monthly_build import build_monthly
from reports.monthly_model import fmt_followers
from rules.config import BLIND_RULE, CATALOGUE, RuleSettings
from rules.evaluate import evaluate_at
from tests.reports.test_monthly_build import P, add, day

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=TZ)  # November is complete (30 days)
SETTINGS = RuleSettings.from_dict({})

# The worked example: a WeChat account's November (d = 30 days), n = 3 articles.
#   article   reads  在看 Z  likes L  shares RE  lead (头条)?
#   1001_1     1000     20      30       40      yes
#   1001_2      500      5      10       10      no
#   1002_1     2000     50      60      100      yes
ARTICLES = [("1001_1", 3, 1000, 20, 30, 40), ("1001_2", 3, 500, 5, 10, 10), ("1002_1", 10, 2000, 50, 60, 100)]
# Totals R = 3500, Z = 75, L = 100, RE = 150; lead totals Rt = 3000, Zt = 70, Lt = 90, REt = 140;
# maxima Rmax = 2000, Zmax = 50, Lmax = 60, REmax = 100.
#
# O = 0.70·ln(3500/30+1) + 0.09·ln(10·75/30+1) + 0.06·ln(10·100/30+1) + 0.15·ln(10·150/30+1)
#   = 0.70·ln(117.667) + 0.09·ln(26) + 0.06·ln(34.333) + 0.15·ln(51)
#   = 0.70·4.7679 + 0.09·3.2581 + 0.06·3.5361 + 0.15·3.9318 = 3.3375 + 0.2932 + 0.2122 + 0.5898 = 4.4327
# A = 0.70·ln(3500/3+1) + 0.09·ln(10·75/3+1) + 0.06·ln(10·100/3+1) + 0.15·ln(10·150/3+1)
#   = 0.70·ln(1167.667) + 0.09·ln(251) + 0.06·ln(334.333) + 0.15·ln(501)
#   = 0.70·7.0628 + 0.09·5.5255 + 0.06·5.8121 + 0.15·6.2166 = 4.9440 + 0.4973 + 0.3487 + 0.9325 = 6.7224
# H = 0.70·ln(3000/30+1) + 0.09·ln(10·70/30+1) + 0.06·ln(10·90/30+1) + 0.15·ln(10·140/30+1)
#   = 0.70·ln(101) + 0.09·ln(24.333) + 0.06·ln(31) + 0.15·ln(47.667)
#   = 0.70·4.6151 + 0.09·3.1918 + 0.06·3.4340 + 0.15·3.8642 = 3.2306 + 0.2873 + 0.2060 + 0.5796 = 4.3035
# P = 0.70·ln(2001) + 0.09·ln(501) + 0.06·ln(601) + 0.15·ln(1001)
#   = 0.70·7.6014 + 0.09·6.2166 + 0.06·6.3986 + 0.15·6.9088 = 5.3210 + 0.5595 + 0.3839 + 1.0363 = 7.3007
# 0.6·O + 0.2·A + 0.1·H + 0.1·P = 2.6596 + 1.3445 + 0.4304 + 0.7301 = 5.1645
# WCI = 5.1645² × 12 = 26.6721 × 12 = 320.07
WCI_BY_HAND = 320.07

# The Weibo example: 3 posts in November; reposts 150, comments 40, likes 300 in all.
# W1 = ln(3+1) = 1.3863
# W2 = 0.4·ln(151) + 0.4·ln(41) + 0.2·ln(301) = 0.4·5.0173 + 0.4·3.7136 + 0.2·5.7071 = 2.0069 + 1.4854 + 1.1414 = 4.6338
# BCI = (0.2·1.3863 + 0.8·4.6338) × 160 = (0.2773 + 3.7070) × 160 = 3.9843 × 160 = 637.48
BCI_BY_HAND = 637.48
WEIBO = [("w1", 4, 50, 10, 100), ("w2", 12, 60, 10, 100), ("w3", 20, 40, 20, 100)]  # id, day, reposts, comments, likes


def test_worked_example_by_hand() -> None:
    parts = indices.wci_from_articles(
        [(reads, z, likes, shares, pid.endswith("_1")) for pid, _, reads, z, likes, shares in ARTICLES], 30)
    assert (round(parts.o, 4), round(parts.a, 4), round(parts.h, 4), round(parts.p, 4)) == (
        4.4327, 6.7224, 4.3035, 7.3007)
    assert round(parts.wci, 2) == WCI_BY_HAND
    assert round(indices.bci(3, 150, 40, 300), 2) == BCI_BY_HAND


async def _observe(account_id: int, method: str, posts: list[P]) -> None:
    attempt = await obs.start_attempt(account_id, method, "t", NOW)
    await obs.record_success(attempt, account_id, method, obs.Success(
        posts=posts, metrics=[], known_until=NOW, backfilled_from=dt.date(2026, 10, 1)), NOW)


def _nov(d: int) -> dt.datetime:
    return day(d, 11).replace(year=2026)


async def _county() -> None:
    full = await add("gh_0000000000f1", "全量号")
    await _observe(full, "wechat_api", [P(pid, _nov(d), reads=r, zaikan=z, likes=lk, shares=s)
                                        for pid, d, r, z, lk, s in ARTICLES])
    # A feed-only account: posts seen, reads / 在看 / likes / shares unknown.
    feed = await add("gh_0000000000f2", "订阅号", collect_method="feed")
    await _observe(feed, "feed", [P(f"{i}_1", _nov(i), zaikan=None) for i in (2, 9, 16)])
    weibo = await add("5000000009", "微博号", platform="weibo")
    await _observe(weibo, "weibo_api", [P(pid, _nov(d), shares=s, comments=c, likes=lk, zaikan=None)
                                        for pid, d, s, c, lk in WEIBO])


async def test_the_review_ranks_real_inputs_and_lists_unknown_apart(db: str) -> None:
    await _county()

    async def evaluate(moment: dt.datetime):  # type: ignore[no-untyped-def]
        return await evaluate_at(moment, SETTINGS)

    rep = await build_monthly("2026-11", county="测试县", tz=TZ, now=NOW, evaluate=evaluate,
                              rules=list(CATALOGUE.values()), blind_rule=BLIND_RULE, trend_months=1)
    [wechat] = rep.rankings.wechat
    assert (wechat.account, wechat.index) == ("全量号", WCI_BY_HAND)
    assert (wechat.reads, wechat.zaikan, wechat.likes, wechat.shares) == (3500, 75, 100, 150)
    [weibo] = rep.rankings.weibo
    assert (weibo.account, weibo.index, weibo.reads) == ("微博号", BCI_BY_HAND, None)
    # The feed-only account posted but its reach is unknown: apart, no index, "—" figures, never 0.
    assert rep.rankings.insufficient == ["订阅号（微信公众号）"]
    rows = {r.name: r for r in rep.details}
    assert (rows["订阅号"].posts, rows["订阅号"].reads, rows["订阅号"].interactions, rows["订阅号"].index) == (
        3, None, None, None)
    assert rep.trends[-1].reads == 3500  # the feed's and Weibo's unknown reads are left out, not added as 0


async def test_activity_rows_carry_null_for_unknown(db: str) -> None:
    await _county()
    start, end = dt.datetime(2026, 11, 1, tzinfo=TZ), dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ)
    rows = {r["name"]: r for r in await activity(start, end, rules=list(CATALOGUE.values()))}
    full, feed, weibo = rows["全量号"], rows["订阅号"], rows["微博号"]
    assert (full["likes"], full["zaikan"], full["shares"], full["index"]) == (100, 75, 150, WCI_BY_HAND)
    for key in ("reads", "likes", "zaikan", "comments", "shares", "interactions", "answered_comments", "answer_rate",
                "median_answer_hours", "index"):
        assert feed[key] is None, key
    assert (weibo["reads"], weibo["zaikan"], weibo["comments"], weibo["likes"]) == (None, None, 40, 300)
    assert weibo["answered_comments"] is None  # comments never read: unknown, not 0 answered


async def test_approximate_followers_give_no_growth(db: str) -> None:
    big = await add("5000000010", "大号", platform="weibo")
    exact = await add("5000000011", "小号", platform="weibo")
    for aid, first, last, approx in ((big, 6_932_000, 6_940_000, True), (exact, 1200, 1250, False)):
        await DailyMetric.create(account_id=aid, day=dt.date(2026, 11, 1), followers=first, followers_approx=approx)
        await DailyMetric.create(account_id=aid, day=dt.date(2026, 11, 30), followers=last, followers_approx=approx)
    start, end = dt.datetime(2026, 11, 1, tzinfo=TZ), dt.datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ)
    rows = {r["name"]: r for r in await activity(start, end, rules=list(CATALOGUE.values()))}
    # "693.2万" → "694.0万" is a rounding step, not 8,000 new followers.
    assert (rows["大号"]["followers"], rows["大号"]["followers_approx"], rows["大号"]["followers_change"]) == (
        6_940_000, True, None)
    assert (rows["小号"]["followers_change"], rows["小号"]["followers_approx"]) == (50, False)
    assert fmt_followers(6_940_000, True) == "≈694.0万" and fmt_followers(1250) == "1,250"


@pytest.mark.parametrize(("raw", "approx"), [("693.2万", True), ("100万+", True), ("1.2亿", True), ("1,234", False),
                                             (1234, False)])
def test_abbreviated_counts_are_approximate(raw: object, approx: bool) -> None:
    from collectors.parse_weibo_mobile import is_approximate, parse_profile

    body = {"ok": 1, "data": {"userInfo": {"id": 5000000012, "screen_name": "号", "followers_count": raw}}}
    profile = parse_profile(body)
    assert profile.followers_approx is approx
    assert is_approximate(raw) is approx


def test_peer_medians_leave_unknown_reads_out() -> None:
    from reports.dossier import peer_medians

    # Three peers: 10 posts / 1000 reads, 4 posts / reads unknown (feed), 2 posts / 100 reads.
    # Posts median over all three = 4; reads per post over the two known = median(100, 50) = 75, not median(100, 0, 50).
    assert peer_medians([(10, 1000), (4, None), (2, 100)]) == {"posts_90d": 4, "reads_per_post_90d": 75}
    assert peer_medians([(3, None)]) == {"posts_90d": 3}
