"""Reach and answers collected from the sandbox: current WeChat statistics, is_delay, comments of both platforms."""

from __future__ import annotations

import datetime as dt
from typing import Any
from typing import Any as County

from registry.db.models import AccountState, DailyMetric, Post
from sandbox.comments import SLOW_RESPONDERS
from sandbox.faults import Fault

FLAGSHIP_WX = "gh_d29d035cc6d5"
FLAGSHIP_WB = "5718301790"  # weibo_api
HOUSING_WX = "gh_c0274809bbee"  # slow responder
EDU_WX = "gh_f05c1af806e4"  # department, answers within hours
AGRI_WX = "gh_3552e2d18b47"  # 互动渠道 无: 88000
HR_WB = "5967838011"  # weibo_public, slow responder
HEALTH_WB = "5875436040"  # weibo_public, answers
CAP = 10


async def answered_posts(uid: str) -> list[Post]:
    return await Post.filter(account__uid=uid, comments_checked_at__isnull=False).order_by("-published_at")


async def test_wechat_posts_carry_every_figure_and_their_source(county: County) -> None:
    await county.collect()
    posts = await Post.filter(account__uid=FLAGSHIP_WX, stats_source="getarticletotaldetail")
    assert len(posts) > 10
    assert all(p.zaikan is not None and p.likes is not None and p.comments is not None and p.favorites is not None
               for p in posts)
    assert sum(p.zaikan or 0 for p in posts) > 0 and sum(p.likes or 0 for p in posts) > 0
    metric = await DailyMetric.filter(account__uid=FLAGSHIP_WX, posts_sent__isnull=False).order_by("-day").first()
    assert metric is not None and metric.zaikan is not None and metric.reads is not None


async def test_delayed_days_are_read_again(county: County) -> None:
    await county.collect(account_ids=None)
    state = await AccountState.get(account__uid=FLAGSHIP_WX)
    # The sandbox marks the newest two ready days provisional: the cursor keeps the older one.
    assert state.cursor == "day=2026-11-25;delay=2026-11-24"
    provisional = await Post.filter(account__uid=FLAGSHIP_WX, stats_provisional=True).count()
    final = await Post.filter(account__uid=FLAGSHIP_WX, stats_provisional=False).count()
    assert provisional > 0 and final > 0


async def test_delay_beyond_the_refresh_week_moves_the_first_day(county: County) -> None:
    county.app.state.sandbox.limits = type(county.app.state.sandbox.limits)(wechat_delay_days=12)
    await county.collect()
    state = await AccountState.get(account__uid=FLAGSHIP_WX)
    assert state.cursor == "day=2026-11-25;delay=2026-11-14"
    county.app.state.sandbox.faults.replace([])
    requests: list[str] = []
    hook = county.app.state.sandbox.faults.run

    async def spy(request: Any, platform: str, uid: Any, handler: Any) -> Any:
        if "getarticletotaldetail" in request.url.path and uid == FLAGSHIP_WX:
            requests.append((await request.json())["begin_date"])
        return await hook(request, platform, uid, handler)

    county.app.state.sandbox.faults.run = spy
    await county.collect()
    # Without the delay the routine pass would start a week back (2026-11-19).
    assert min(requests) == "2026-11-14"


async def test_slow_responders_leave_comments_unanswered_and_others_answer(county: County) -> None:
    await county.collect()
    slow = await answered_posts(HOUSING_WX)
    assert slow and len(slow) <= CAP
    assert sum(p.comments_seen or 0 for p in slow) > sum(p.comments_answered or 0 for p in slow)
    day = county.clock() - dt.timedelta(days=1)
    assert any(p.oldest_unanswered_at is not None and p.oldest_unanswered_at < day for p in slow)
    # (Slow responders mass-send their recent posts; that published-only articles are read-but-unknown,
    # not zero, is shown on another account in test_no_comment_privilege_is_stored_as_a_fact.)
    quick = [p for p in await answered_posts(EDU_WX) if p.comments_seen]
    assert quick and all(p.comments_open is True for p in quick)
    assert all(p.oldest_unanswered_at is None or p.oldest_unanswered_at > county.clock() - dt.timedelta(hours=18)
               for p in quick)
    assert all(p.median_answer_delay_s is not None and p.median_answer_delay_s < 18 * 3600
               for p in quick if p.comments_answered)


async def test_no_comment_privilege_is_stored_as_a_fact(county: County) -> None:
    await county.collect()
    read = await answered_posts(AGRI_WX)
    closed = [p for p in read if p.comments_open is False]
    assert closed and all(p.comments_seen is None and p.comments_answered is None for p in read)
    # The rest were published without a mass send: read, nothing known (not "closed", not zero).
    assert all(p.comments_open is None for p in read if p not in closed)


async def test_weibo_answers_through_hotflow_and_the_open_api(county: County) -> None:
    assert HR_WB in SLOW_RESPONDERS and HEALTH_WB not in SLOW_RESPONDERS
    await county.collect()
    slow = [p for p in await answered_posts(HR_WB) if p.comments_seen]
    assert slow and sum(p.comments_seen or 0 for p in slow) > sum(p.comments_answered or 0 for p in slow)
    old = county.clock() - dt.timedelta(days=5)
    health = [p for p in await answered_posts(HEALTH_WB) if p.comments_seen and p.published_at < old]
    assert health and all(p.comments_answered == p.comments_seen for p in health)
    # The flagship posts several times a day: one cycle's cap covers only its newest, still busy posts.
    flagship = [p for p in await answered_posts(FLAGSHIP_WB) if p.comments_seen]
    assert flagship and all(p.comments_answered is not None for p in flagship)
    assert 0 < sum(p.comments_answered or 0 for p in flagship) <= sum(p.comments_seen or 0 for p in flagship)


async def test_later_cycles_read_new_posts_then_the_unanswered_ones(county: County) -> None:
    await county.collect()
    # Published-only articles are marked unreadable without a call; the cap bounds the threads read.
    first = {p.post_id for p in await answered_posts(FLAGSHIP_WX) if p.comments_open is not None}
    assert 0 < len(first) <= CAP
    await county.collect()
    second = [p for p in await answered_posts(FLAGSHIP_WX) if p.comments_open is not None]
    # The flagship's window holds more mass sends than one cycle's cap: the next cycle reads further back.
    assert len(second) > len(first) and first <= {p.post_id for p in second}
    window = county.clock() - dt.timedelta(days=30)
    assert all(p.published_at >= window - dt.timedelta(days=1) for p in second)
    assert len([p for p in await answered_posts(HOUSING_WX) if p.comments_open is not None]) <= 2 * CAP


async def test_without_the_cookie_weibo_answers_stay_unknown(county: County) -> None:
    county.secrets.credentials.pop("weibo_cookie")
    await county.collect()
    assert await answered_posts(HR_WB) == []
    assert await Post.filter(account__uid=HR_WB).count() > 0


async def test_comment_failures_never_fail_the_collection(county: County) -> None:
    county.faults(Fault(kind="errcode", platform="wechat", path="comment/list", code=45009))
    summary = await county.collect()
    by_uid = {o.target.uid: o for o in summary.outcomes}
    assert by_uid[HOUSING_WX].status == "ok"
    assert await answered_posts(FLAGSHIP_WX) == [] or all(
        p.comments_seen is None for p in await answered_posts(FLAGSHIP_WX))
