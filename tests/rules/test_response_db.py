"""The SQL responsiveness facts equal the rules' own definition over every post, on both backends."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace

from registry.db.models import Post
from registry.findings.checks import load_check_data
from registry.ledger import accounts as store
from registry.observations import store as obs
from registry.observations.responses import record_responses
from rules.catalogue import evaluate_all
from rules.config import RuleSettings
from rules.evaluate import base_facts, build_facts, lookback_days
from rules.facts import AccountFacts, FindingDraft, PostFact
from rules.rule_response import grace, response_from_posts, response_window
from tests.rules.test_evaluate_db import P

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=TZ)
SETTINGS = RuleSettings.from_dict({"slow_response": {"township": {"window_days": 20}}})


@dataclass(frozen=True)
class R:
    post_id: str
    checked_at: dt.datetime
    comments_open: bool | None
    comments_seen: int | None
    comments_answered: int | None
    first_answer_delay_s: int | None
    median_answer_delay_s: int | None
    oldest_unanswered_at: dt.datetime | None


def _thread(rng: random.Random, post: P) -> R | None:
    if rng.random() < 0.3:
        return None  # never read: contributes nothing
    checked = min(NOW, post.published_at + dt.timedelta(hours=rng.randrange(1, 400)))
    if rng.random() < 0.1:
        return R(post.post_id, checked, False, 0, 0, None, None, None)
    seen = rng.randrange(0, 12)
    answered = rng.randrange(0, seen + 1) if rng.random() < 0.5 else seen
    median = rng.choice([None, rng.randrange(60, 3600 * 200)]) if answered else None
    oldest = checked - dt.timedelta(minutes=rng.randrange(1, 60 * 72)) if answered < seen else None
    return R(post.post_id, checked, True, seen, answered, median, median, oldest)


async def _county(rng: random.Random) -> None:
    for i in range(20):
        kind = rng.choice(["乡镇", "部门"])
        record = {"platform": "wechat", "uid": f"gh_{i:012d}", "name": f"账号{i}", "unit": f"单位{i % 5}",
                  "unit_kind": kind, "interaction": "无" if i == 3 else "留言", "credential": "c",
                  "opened_on": "2020-01-01", "frequency": ""}
        account = await store.add_account(record, actor="t", today=NOW.date())
        attempt = await obs.start_attempt(account.id, "wechat_api", "t", NOW)
        posts = [] if i % 7 == 0 else [
            P(f"p{k}", NOW - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 45), microseconds=k), title=f"第{k}篇",
              url=f"https://example.gov/{i}/{k}") for k in range(rng.randrange(1, 30))]
        await obs.record_success(attempt, account.id, "wechat_api",
                                 obs.Success(posts=posts, metrics=[], known_until=NOW,
                                             backfilled_from=(NOW - dt.timedelta(days=60)).date()), NOW)
        if i % 5 != 4:  # some accounts never had a thread read
            await record_responses(account.id, [t for p in posts if (t := _thread(rng, p)) is not None])


async def _with_every_post(facts: list[AccountFacts]) -> list[AccountFacts]:
    by_account: dict[int, list[PostFact]] = {}
    fields = ("published_at", "title", "pinned", "reads", "likes", "shares", "comments", "zaikan", "url",
              "comments_seen", "comments_answered", "median_answer_delay_s", "oldest_unanswered_at",
              "comments_checked_at")
    for r in await Post.all().order_by("id").values("account_id", *fields):
        aid = r.pop("account_id")
        by_account.setdefault(aid, []).append(PostFact(**{**r, "url": r["url"] or None}))
    return [replace(f, posts=tuple(by_account.get(f.account_id, []))) for f in facts]


def _key(d: FindingDraft) -> tuple[str, str, str, str]:
    return d.rule, d.subject, d.summary_zh, repr(sorted(d.evidence.items()))


async def test_sql_response_facts_match_every_post(db: str) -> None:
    await _county(random.Random(15))
    data = await load_check_data(NOW, lookback_days(SETTINGS))
    measured = await build_facts(data, NOW, SETTINGS, only=("slow_response",))
    reference = await _with_every_post(base_facts(data, NOW))
    unknown = 0
    for m, ref in zip(measured, reference, strict=True):
        assert m.response_measured
        since, as_of = response_window(ref, NOW, SETTINGS)
        expected = response_from_posts(ref.posts, since, as_of, grace(ref, SETTINGS))
        if expected is None:
            unknown += 1
            assert m.response is None  # no read thread: no facts at all, never zeros
            continue
        assert m.response is not None
        assert m.response.median_answer_hours == expected.median_answer_hours or (
            m.response.median_answer_hours is not None and expected.median_answer_hours is not None
            and abs(m.response.median_answer_hours - expected.median_answer_hours) < 1e-9)
        assert replace(m.response, median_answer_hours=None) == replace(expected, median_answer_hours=None)
    assert unknown >= 4
    assert any(m.response and m.response.due < m.response.comments for m in measured)  # the grace was used
    fast = evaluate_all(measured, NOW, SETTINGS, only=("slow_response",))
    slow = evaluate_all(reference, NOW, SETTINGS, only=("slow_response",))
    assert fast and sorted(map(_key, fast)) == sorted(map(_key, slow))
    # The account whose ledger records no channel is no_interaction's, never slow_response's.
    assert all(d.evidence["comments"] for d in fast)
    assert "账号3" not in {f.name for f in measured if any(d.account_id == f.account_id for d in fast)}


async def test_facts_of_another_window_are_refused(db: str) -> None:
    await _county(random.Random(4))
    data = await load_check_data(NOW, lookback_days(SETTINGS))
    facts = [f for f in await build_facts(data, NOW, SETTINGS, only=("slow_response",)) if f.response is not None]
    try:
        evaluate_all(facts, NOW + dt.timedelta(hours=1), SETTINGS, only=("slow_response",))
    except ValueError as exc:
        assert "response facts" in str(exc)
    else:
        raise AssertionError("response facts taken for another window must be refused")
