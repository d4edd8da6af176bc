"""Responsiveness facts and statistics sources on both backends: written whole per read thread, kept
otherwise, unknown stays NULL; the thread queue re-reads only posts still waiting for an answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from collectors.model import MetricObs, PostObs, ResponseObs
from collectors.threads import pick_threads
from registry.db.models import DailyMetric, Post
from registry.ledger import accounts as store
from registry.observations import store as obs
from registry.observations.responses import record_responses, thread_states

BEIJING = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)


async def account() -> int:
    record = {"platform": "wechat", "uid": "gh_000000000009", "name": "号0009", "unit": "测试单位", "unit_kind": "乡镇",
              "interaction": "留言", "opened_on": "2020-01-01", "credential": "c"}
    return (await store.add_account(record, actor="t", today=NOW.date())).id


def post(pid: str, days_ago: int, **extra: object) -> PostObs:
    return PostObs(post_id=pid, published_at=NOW - dt.timedelta(days=days_ago), title=pid, **extra)  # type: ignore[arg-type]


async def test_stats_source_is_kept_by_sources_that_do_not_say(db: str) -> None:
    aid = await account()
    await obs.upsert_posts(aid, [post("m_1", 1, reads=10, zaikan=2, stats_source="getarticletotaldetail",
                                      stats_provisional=True)], "wechat_api")
    await obs.upsert_posts(aid, [post("m_1", 1, reads=12, stats_provisional=False)], "wechat_api")
    await obs.upsert_posts(aid, [post("m_1", 1)], "feed")
    row = await Post.get(account_id=aid, post_id="m_1")
    assert (row.reads, row.zaikan, row.stats_source, row.stats_provisional) == (12, 2, "getarticletotaldetail", False)
    await obs.upsert_metrics(aid, [MetricObs(day=NOW.date(), reads=5, zaikan=1, posts_sent=0)])
    metric = await DailyMetric.get(account_id=aid, day=NOW.date())
    assert (metric.zaikan, metric.posts_sent, metric.likes) == (1, 0, None)


async def test_responses_are_written_whole_and_unknown_stays_null(db: str) -> None:
    aid = await account()
    await obs.upsert_posts(aid, [post("a_1", 2, comments=3), post("b_1", 3)], "wechat_api")
    waiting = NOW - dt.timedelta(days=1)
    await record_responses(aid, [ResponseObs(post_id="a_1", checked_at=NOW, comments_open=True, comments_seen=3,
                                             comments_answered=1, first_answer_delay_s=600,
                                             median_answer_delay_s=600, oldest_unanswered_at=waiting),
                                 ResponseObs(post_id="b_1", checked_at=NOW)])
    a, b = await Post.get(account_id=aid, post_id="a_1"), await Post.get(account_id=aid, post_id="b_1")
    assert (a.comments_seen, a.comments_answered, a.oldest_unanswered_at) == (3, 1, waiting)
    assert b.comments_checked_at == NOW and b.comments_seen is None and b.comments_answered is None
    states = {s.post_id: s for s in await thread_states(aid, NOW - dt.timedelta(days=30))}
    assert states["a_1"].waiting and not states["b_1"].waiting
    # Answered since: the oldest unanswered time is cleared, not kept.
    later = NOW + dt.timedelta(hours=3)
    await record_responses(aid, [ResponseObs(post_id="a_1", checked_at=later, comments_open=True, comments_seen=3,
                                             comments_answered=3, first_answer_delay_s=600,
                                             median_answer_delay_s=900)])
    a = await Post.get(account_id=aid, post_id="a_1")
    assert a.oldest_unanswered_at is None and a.comments_answered == 3


async def test_pick_threads_new_first_then_waiting_within_the_window_and_cap(db: str) -> None:
    aid = await account()
    stored = [post(f"s{k}_1", k) for k in range(1, 6)] + [post("old_1", 40)]
    await obs.upsert_posts(aid, stored, "wechat_api")
    await record_responses(aid, [ResponseObs(post_id="s1_1", checked_at=NOW, comments_seen=2, comments_answered=1),
                                 ResponseObs(post_id="s2_1", checked_at=NOW, comments_seen=2, comments_answered=2),
                                 ResponseObs(post_id="s3_1", checked_at=NOW, comments_open=False)])
    fresh = post("n_1", 0)
    picks = [p.post_id for p in await pick_threads(aid, [fresh, *stored], NOW, 30, 10)]
    # New and never-read posts newest first, then the one still waiting; answered, closed and old ones not.
    assert picks == ["n_1", "s4_1", "s5_1", "s1_1"]
    assert [p.post_id for p in await pick_threads(aid, [fresh], NOW, 30, 2)] == ["n_1", "s4_1"]
    assert await pick_threads(aid, [fresh], NOW, 0, 10) == []
    more = replace(stored[1], comments=5)  # s2: more comments than were seen
    await obs.upsert_posts(aid, [more], "wechat_api")
    assert "s2_1" in [p.post_id for p in await pick_threads(aid, [], NOW, 30, 10)]
