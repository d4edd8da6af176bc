"""The polling plan's arithmetic, on a county and on a 5,000-account province."""

from __future__ import annotations

from collectors.base import Options
from collectors.plan import plan


def test_county_plan_fits() -> None:
    rows = {r.method: r for r in plan({"wechat_api": 26, "weibo_public": 6, "feed": 3, "manual": 4}, Options(), 60, 8)}
    assert set(rows) == {"wechat_api", "weibo_public", "feed"}
    wechat = rows["wechat_api"]
    # 7 days × (getarticletotaldetail + getbizsummary) + 2 × (usercumulate + usersummary) + freepublish,
    # plus at most 10 comment threads (response_posts_per_cycle).
    assert wechat.calls_per_account == 19 + 10 and wechat.calls_per_day == 26 * 29 * 24
    assert wechat.first_calls_per_account == 2 * 92 + 4 * 14 + 2 + 10
    assert "≤10" in wechat.quota
    public = rows["weibo_public"]
    assert public.pacing_s == 4.0 and public.cycle_seconds == 6 * 13 * 4.0 and public.headroom is not None
    assert public.headroom > 0.8
    quiet = {r.method: r for r in plan({"wechat_api": 26}, Options(response_window_days=0), 60, 8)}
    assert quiet["wechat_api"].calls_per_account == 19 and "≤" not in quiet["wechat_api"].quota


def test_province_plan_shows_where_quota_runs_out() -> None:
    rows = {r.method: r for r in plan({"wechat_api": 5000, "weibo_public": 1500}, Options(), 60, 16)}
    # m.weibo.cn is paced per host: 1,500 accounts cannot be read hourly from one address.
    assert rows["weibo_public"].headroom is not None and rows["weibo_public"].headroom < 0
    # Hourly WeChat polling uses 24 of each account's 100 freepublish calls a day.
    assert rows["wechat_api"].headroom is not None and 0.7 < rows["wechat_api"].headroom < 0.8
    # Reading comments multiplies the paced m.weibo.cn calls: twice a day fits only without them,
    # or with a smaller cap per account.
    slower = {r.method: r for r in plan({"weibo_public": 1500}, Options(), 720, 16)}
    assert slower["weibo_public"].headroom is not None and slower["weibo_public"].headroom < 0
    no_comments = {r.method: r for r in plan({"weibo_public": 1500}, Options(response_window_days=0), 720, 16)}
    assert no_comments["weibo_public"].headroom is not None and no_comments["weibo_public"].headroom > 0
    capped = {r.method: r for r in plan({"weibo_public": 1500}, Options(response_posts_per_cycle=2), 720, 16)}
    assert capped["weibo_public"].headroom is not None and capped["weibo_public"].headroom > 0


def test_the_plan_reads_the_configured_lanes() -> None:
    from collectors.lanes import Lane

    lanes = {"weibo_public": Lane("weibo_public", 6.0, 0.0, 1), "feed": Lane("feed", 2.0, 0.0, 4, per_credential=True)}
    rows = {r.method: r for r in plan({"weibo_public": 6, "feed": 3}, Options(response_window_days=0), 60, 8, lanes)}
    assert rows["weibo_public"].pacing_s == 6.0 and rows["weibo_public"].cycle_seconds == 6 * 3 * 6.0
    # A lane keyed by credential is paced per account: accounts run side by side.
    assert rows["feed"].pacing_s == 2.0 and rows["feed"].cycle_seconds == 3 * 1 * 2.0 / 3
