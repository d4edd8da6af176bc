"""The SQL digest path gives the same findings as the rules applied to every post, on both backends."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

from registry.db.models import Post
from registry.findings.checks import load_check_data
from registry.ledger import accounts as store
from registry.observations import store as obs
from rules.catalogue import evaluate_all
from rules.config import RuleSettings
from rules.evaluate import base_facts, build_facts, lookback_days
from rules.facts import AccountFacts, FindingDraft, PostFact
from tests.rules.test_evaluate_db import P

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=TZ)
SETTINGS = RuleSettings.from_dict({"low_use": {"min_peers": 3, "min_reads_per_post": 50}})
FREQUENCIES = ("", "每周至少1次", "每周至少3次", "每月至少4次", "每日至少1次", "每工作日至少1次")


def _posts(rng: random.Random, n: int) -> list[P]:
    posts: list[P] = []
    scale = rng.choice([10, 80, 500])  # some accounts read far less than others (low_use)
    for i in range(n):
        kind = rng.random()
        if kind < 0.15:  # exactly on a window edge: midnights and the low-use boundary
            at = dt.datetime.combine(NOW.date() - dt.timedelta(days=rng.choice([0, 1, 7, 14, 27, 28, 29, 90, 91])),
                                     dt.time(0), TZ)
        elif kind < 0.2:
            at = NOW - dt.timedelta(days=90)
        else:
            at = NOW - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 200))
        at += dt.timedelta(microseconds=i)  # distinct moments: ties would make "the" latest title arbitrary
        posts.append(P(f"p{i}", at, title=f"第{i}篇", url=f"https://example.gov/{i}", pinned=rng.random() < 0.05,
                       reads=None if rng.random() < 0.2 else rng.randrange(0, scale),
                       likes=None if rng.random() < 0.3 else rng.randrange(0, 9),
                       shares=None if rng.random() < 0.5 else rng.randrange(0, 3), comments=None, zaikan=None))
    return posts


async def _county(rng: random.Random) -> None:
    for i in range(24):
        platform = rng.choice(["wechat", "weibo"])
        uid = f"gh_{i:012d}" if platform == "wechat" else str(1_000_000_000 + i)
        record = {"platform": platform, "uid": uid, "name": f"账号{i}",
                  "unit": f"单位{i % 6}", "unit_kind": "乡镇", "interaction": "留言", "credential": "c",
                  "opened_on": rng.choice(["2020-01-01", "2026-11-01", "2026-10-01"]),
                  "frequency": rng.choice(FREQUENCIES)}
        account = await store.add_account(record, actor="t", today=NOW.date())
        # Coverage: now, a day behind (WeChat datacube), two weeks behind, or ahead of the check.
        covered = NOW + rng.choice([dt.timedelta(0), -dt.timedelta(days=1), -dt.timedelta(days=14),
                                    dt.timedelta(hours=3), -dt.timedelta(hours=5)])
        attempt = await obs.start_attempt(account.id, "wechat_api", "t", covered)
        since = (NOW - dt.timedelta(days=rng.choice([10, 60, 400]))).date()
        posts = [] if i % 8 == 0 else _posts(rng, rng.randrange(1, 90))
        await obs.record_success(attempt, account.id, "wechat_api",
                                 obs.Success(posts=posts, metrics=[], known_until=covered, backfilled_from=since),
                                 covered)


async def _with_every_post(facts: list[AccountFacts]) -> list[AccountFacts]:
    """The reference: the same facts carrying every stored post instead of a digest."""
    by_account: dict[int, list[PostFact]] = {}
    for r in await Post.all().order_by("id").values("account_id", "published_at", "title", "pinned", "reads", "likes",
                                                       "shares", "comments", "zaikan", "url"):
        aid = r.pop("account_id")
        by_account.setdefault(aid, []).append(PostFact(**{**r, "url": r["url"] or None}))
    return [replace(f, posts=tuple(p for p in by_account.get(f.account_id, []) if p.published_at <= NOW))
            for f in facts]


def _key(d: FindingDraft) -> tuple[str, str, str, str, str]:
    return d.rule, d.subject, d.severity, d.summary_zh, repr(sorted(d.evidence.items()))


async def test_digest_matches_every_post(db: str) -> None:
    await _county(random.Random(8))
    data = await load_check_data(NOW, lookback_days(SETTINGS))
    digested = evaluate_all(await build_facts(data, NOW, SETTINGS), NOW, SETTINGS)
    reference = evaluate_all(await _with_every_post(base_facts(data, NOW)), NOW, SETTINGS)
    assert {d.rule for d in reference} >= {"stale_veto", "stale_warning", "frequency_below_target", "low_use"}
    assert sorted(map(_key, digested)) == sorted(map(_key, reference))


async def test_a_digest_of_another_window_is_refused(db: str) -> None:
    await _county(random.Random(3))
    data = await load_check_data(NOW, lookback_days(SETTINGS))
    facts = await build_facts(data, NOW, SETTINGS)
    earlier = NOW - dt.timedelta(days=1)
    seen = next(f for f in facts if f.status == "operating" and f.opened_on == dt.date(2020, 1, 1))
    try:
        evaluate_all([seen], earlier, SETTINGS)
    except ValueError as exc:
        assert "digest" in str(exc)
    else:
        raise AssertionError("a digest taken at another observation point must be refused")


async def test_evaluate_at_only_named_rules(db: str) -> None:
    from rules.evaluate import evaluate_at

    await _county(random.Random(5))
    everything = await evaluate_at(NOW, SETTINGS)
    some = await evaluate_at(NOW, SETTINGS, only=("stale_veto", "collection_blind"))
    assert some == [d for d in everything if d.rule in ("stale_veto", "collection_blind")]
    try:
        await evaluate_at(NOW, SETTINGS, only=("stale_vetoo",))
    except ValueError as exc:
        assert "stale_vetoo" in str(exc)
    else:
        raise AssertionError("an unknown rule id must be refused")


async def test_a_routine_check_moves_last_seen_and_rewrites_only_changed_findings(db: str) -> None:
    from registry.db.models import Finding
    from rules.evaluate import run_check

    await _county(random.Random(8))
    await run_check(NOW, SETTINGS)
    before = {f.id: (f.evidence, f.summary_zh) for f in await Finding.filter(state="open")}
    later = NOW + dt.timedelta(days=1)
    again = await run_check(later, SETTINGS)
    open_now = await Finding.filter(state="open")
    assert open_now and all(f.last_seen == later for f in open_now if f.id in before)
    assert {f.id for f in again.sync.refreshed} == {f.id for f in open_now if f.id in before}
    # A day later some evidence moved (observation points, hours without collection): rewritten;
    # the rest kept its evidence and only had last_seen moved.
    moved = [f for f in open_now if f.id in before and f.evidence != before[f.id][0]]
    kept = [f for f in open_now if f.id in before and f.evidence == before[f.id][0]]
    assert moved and kept
