"""low_use: percentile among peers of the same platform and unit kind, floors when configured."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rulekit import NOW, account, days_ago, drafts, rules

from rules.catalogue import low_use
from rules.config import DEFAULT_SETTINGS, RuleSettings
from rules.facts import AccountFacts


def reach(i: int, followers: int, reads: int | None, likes: int = 5, **kw: Any) -> AccountFacts:
    """An account with 10 posts over the last 60 days, each read `reads` times and liked `likes` times."""
    posts = [days_ago(2 + 6 * k, reads=reads, likes=likes, shares=1) for k in range(10)]
    return account(i, posts=posts, followers=followers, **kw)


def county(n: int = 12, **kw: Any) -> list[AccountFacts]:
    """n healthy wechat department accounts, reach growing with the id."""
    return [reach(100 + i, 1000 * (i + 1), 100 * (i + 1), likes=5 + i, **kw) for i in range(n)]


def low(facts: list[AccountFacts], settings: RuleSettings = DEFAULT_SETTINGS) -> dict[int, dict[str, Any]]:
    return {d.account_id or 0: d.evidence for d in drafts(facts, NOW, settings) if d.rule == "low_use"}


def test_bottom_percentile_among_peers() -> None:
    target = reach(1, followers=150, reads=12, likes=0)
    found = low([target, *county()])
    assert set(found) == {1, 100}  # 100 has 1 of 12 peers below it: 8.3% < 10%
    ev = found[1]
    assert ev["reasons"] == ["percentile"]
    assert ev["percentiles"]["reads_per_post"] == {
        "value": 12.0, "percentile": 0.0, "peers": 13, "peer_median": 600.0, "bottom": True
    }
    assert ev["percentiles"]["followers"]["percentile"] == 0.0
    assert (ev["followers"], ev["reads_per_post"], ev["interactions_per_post"], ev["posts_in_window"]) == (150, 12.0, 1.0, 10)
    assert ev["peer_group"] == {"platform": "wechat", "unit_kind": "department"}
    summary = next(d.summary_zh for d in drafts([target, *county()]) if d.rule == "low_use")
    assert summary.startswith("关注度和利用率低：近90天粉丝150人、篇均阅读12次、篇均互动1.0次，处于同平台同类单位账号后10%")
    assert summary.endswith("建议列入整合或关停评估")


def test_second_lowest_of_thirteen_is_still_bottom_ten_percent_third_is_not() -> None:
    peers = county()
    # ids 100 and 101 are the two lowest of 12; with 12 peers (n-1 = 11): 0/11 and 1/11 < 10%, 2/11 not.
    assert set(low(peers)) == {100, 101}


def test_low_on_one_metric_only_is_not_low_use() -> None:
    target = reach(1, followers=6500, reads=12)  # few reads, median followers
    found = low([target, *county()])
    assert 1 not in found
    assert found.keys() == {100}


def test_small_peer_group_is_not_ranked_but_floors_apply() -> None:
    townships = [reach(200 + i, 300 * (i + 1), 20 * (i + 1), unit_kind="township") for i in range(5)]
    assert low(townships) == {}
    s = RuleSettings.from_dict({"low_use": {"township": {"min_followers": 700, "min_reads_per_post": 30}}})
    found = low(townships, s)
    assert set(found) == {200, 201}
    assert found[200]["floor_breaches"] == ["followers", "reads_per_post"]
    assert found[201]["floor_breaches"] == ["followers"]
    assert found[200]["floors"] == {"followers": 700.0, "reads_per_post": 30.0}
    assert found[200]["reasons"] == ["floor"]
    # the override is for townships only
    assert low(county(), s).keys() == {100, 101}


def test_peers_are_same_platform_and_unit_kind_only() -> None:
    weibo = [reach(300 + i, 50, 1, platform="weibo") for i in range(12)]
    towns = [reach(400 + i, 50, 1, unit_kind="township") for i in range(12)]
    target = reach(1, followers=900, reads=90)
    # among 12 weibo or township accounts with tiny reach target would be on top; among its own
    # (absent) group it cannot be ranked at all
    assert 1 not in low([target, *weibo, *towns])


def test_blind_closed_and_new_accounts_are_neither_judged_nor_peers() -> None:
    bad = [
        reach(500 + i, 10, 1, last_success_at=NOW - timedelta(days=5)) for i in range(4)
    ] + [reach(510 + i, 10, 1, status="closed") for i in range(4)] + [
        reach(520 + i, 10, 1, opened_on=NOW.date() - timedelta(days=30)) for i in range(4)
    ]
    found = low([*county(), *bad])
    assert set(found) == {100, 101}  # the outsiders did not push anyone up or get judged
    assert found[100]["percentiles"]["followers"]["peers"] == 12


def test_grace_period_and_disabled_rule() -> None:
    target = reach(1, followers=150, reads=12, review_deadline=NOW.date() + timedelta(days=10))
    assert 1 not in low([target, *county()])
    s = RuleSettings.from_dict({"low_use": {"percentile": 0}})
    assert low([reach(1, 150, 12), *county()], s) == {}
    s = RuleSettings.from_dict({"low_use": {"enabled": False}})
    assert low([reach(1, 150, 12), *county()], s) == {}


def test_weibo_without_reads_is_judged_on_followers_and_interactions() -> None:
    peers = [reach(600 + i, 1000 * (i + 1), None, likes=10 * (i + 1), platform="weibo") for i in range(12)]
    target = reach(1, followers=200, reads=None, likes=0, platform="weibo")
    ev = low([target, *peers])[1]
    assert set(ev["percentiles"]) == {"followers", "interactions_per_post"}
    assert ev["reads_per_post"] is None


def test_single_account_call_matches_the_batch() -> None:
    target = reach(1, followers=150, reads=12)
    peers = county()
    single = low_use(target, NOW, DEFAULT_SETTINGS, peers)
    assert single is not None
    assert single == next(d for d in drafts([target, *peers]) if d.rule == "low_use" and d.account_id == 1)
    assert low_use(peers[6], NOW, DEFAULT_SETTINGS, peers) is None


def test_no_posts_in_window_ranks_on_followers_alone() -> None:
    target = account(1, posts=[days_ago(100)], followers=100)
    ev = low([target, *county()])[1]
    assert set(ev["percentiles"]) == {"followers"}
    assert ev["posts_in_window"] == 0
    assert {"stale_veto", "dormant_long", "low_use"} <= rules([target, *county()])
