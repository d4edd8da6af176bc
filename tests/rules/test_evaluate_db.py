"""`check` against a real database: a scenario county whose truth is known, over several simulated days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.db.models import Finding, Review
from registry.findings.checks import findings
from registry.ledger import accounts as store
from registry.ledger.reviews import decide
from registry.observations import store as obs
from rules.config import RuleSettings
from rules.evaluate import run_check

TZ = dt.timezone(dt.timedelta(hours=8))
DAY0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)
SETTINGS = RuleSettings.from_dict({"registry_incomplete": {"enabled": False}, "low_use": {"enabled": False},
                                   "frequency_below_target": {"enabled": False}})


@dataclass(frozen=True)
class P:
    post_id: str
    published_at: dt.datetime
    title: str = "标题"
    url: str | None = None
    pinned: bool = False
    original: bool | None = None
    reads: int | None = 100
    likes: int | None = 1
    shares: int | None = 1
    comments: int | None = 0
    zaikan: int | None = 0
    favorites: int | None = 0


async def add(uid: str, name: str, **extra: str) -> int:
    record = {"platform": "wechat", "uid": uid, "name": name, "unit": f"{name}单位", "unit_kind": "乡镇",
              "interaction": "留言", "opened_on": "2020-01-01", "credential": "c", **extra}
    return (await store.add_account(record, actor="t", today=DAY0.date())).id


async def observe(account_id: int, at: dt.datetime, posts: list[P], since: dt.date | None = None) -> None:
    attempt = await obs.start_attempt(account_id, "wechat_api", "t", at)
    await obs.record_success(attempt, account_id, "wechat_api",
                             obs.Success(posts=posts, metrics=[], known_until=at,
                                         backfilled_from=since or (at - dt.timedelta(days=120)).date()), at)


async def open_rules(account_id: int) -> set[str]:
    return {f.rule for f in await findings(state="open", account_ids=[account_id])}


async def test_scenario_over_simulated_days(db: str) -> None:
    fresh = await add("gh_00000000000a", "常更号")
    drifting = await add("gh_00000000000b", "渐停号")
    zombie = await add("gh_00000000000c", "僵尸号")
    blind = await add("gh_00000000000d", "失联号")
    closed = await add("gh_00000000000e", "已关号", status="已关停")
    await observe(fresh, DAY0, [P("f1", DAY0 - dt.timedelta(days=3))])
    await observe(drifting, DAY0, [P("d1", DAY0 - dt.timedelta(days=12, hours=1), title="最后一篇")])
    await observe(zombie, DAY0, [])
    await observe(blind, DAY0 - dt.timedelta(days=20), [P("b1", DAY0 - dt.timedelta(days=40))])
    await observe(closed, DAY0, [])

    day0 = await run_check(DAY0, SETTINGS)
    assert await open_rules(fresh) == set()
    assert await open_rules(drifting) == {"stale_warning"}
    assert await open_rules(zombie) == {"stale_veto", "dormant_long"}
    assert await open_rules(blind) == {"collection_blind"}  # blind is not silent: no stale finding
    assert await open_rules(closed) == set()
    assert [r.rule for r in day0.sync.reviews_opened] == ["dormant_long"]
    warning = (await findings(account_ids=[drifting]))[0]
    assert warning.evidence["days"] == 12 and warning.evidence["last_post_title"] == "最后一篇"
    assert "距单项否决标准（14天）还剩2天" in warning.summary_zh
    zombie_veto = next(f for f in await findings(account_ids=[zombie]) if f.rule == "stale_veto")
    assert zombie_veto.summary_zh.startswith("至少已连续120天")

    # Day 1: nothing new; findings are refreshed, not duplicated.
    await observe(drifting, DAY0 + dt.timedelta(days=1), [])
    await run_check(DAY0 + dt.timedelta(days=1), SETTINGS)
    assert await Finding.filter(account_id=drifting).count() == 1

    # Day 2: 14 days without a post -> the veto opens and the warning resolves.
    day2 = DAY0 + dt.timedelta(days=2)
    await observe(drifting, day2, [])
    await run_check(day2, SETTINGS)
    assert await open_rules(drifting) == {"stale_veto"}
    resolved = await findings(state="resolved", account_ids=[drifting])
    assert [(f.rule, f.resolved_at) for f in resolved] == [("stale_warning", day2)]

    # The unit claims it fixed it (已整改) but has not posted: the next check rejects the claim.
    veto = (await findings(account_ids=[drifting]))[0]
    veto.claimed_fixed_at, veto.claimed_by = day2, "hutuo_op"
    await veto.save()
    day3 = DAY0 + dt.timedelta(days=3)
    await observe(drifting, day3, [])
    result = await run_check(day3, SETTINGS)
    assert [f.id for f in result.sync.claims_rejected] == [veto.id]

    # Day 4: it posts; the veto resolves (and a pending claim would be confirmed).
    day4 = DAY0 + dt.timedelta(days=4)
    await observe(drifting, day4, [P("d2", day4 - dt.timedelta(hours=2))])
    await run_check(day4, SETTINGS)
    assert await open_rules(drifting) == set()

    # The blind account stays blind: still no stale finding, no resolution of anything.
    assert await open_rules(blind) == {"collection_blind"}


async def test_blind_account_keeps_its_old_stale_finding(db: str) -> None:
    quiet = await add("gh_0000000000aa", "静默号")
    await observe(quiet, DAY0, [P("q1", DAY0 - dt.timedelta(days=20))])
    await run_check(DAY0, SETTINGS)
    assert await open_rules(quiet) == {"stale_veto"}
    # Four days later collection has failed since: the veto is neither refreshed nor resolved.
    later = DAY0 + dt.timedelta(days=4)
    result = await run_check(later, SETTINGS)
    assert await open_rules(quiet) == {"stale_veto", "collection_blind"}
    assert [f.rule for f in result.sync.kept_blind] == ["stale_veto"]
    assert (await Finding.get(rule="stale_veto", account_id=quiet)).last_seen == DAY0


async def test_review_decision_changes_status_and_grace(db: str) -> None:
    zombie = await add("gh_0000000000bb", "僵尸号二")
    await observe(zombie, DAY0, [])
    await run_check(DAY0, SETTINGS)
    review = await Review.get(account_id=zombie)
    await decide(str(review.id), "保留整改", "单位承诺恢复更新", actor="office", today=DAY0.date(),
                 deadline=DAY0.date() + dt.timedelta(days=10))
    account = await store.find_account("wechat:gh_0000000000bb")
    assert account.status == "rectifying"
    # In grace: the stale rules are suppressed (and their findings resolve), no new review opens.
    await observe(zombie, DAY0 + dt.timedelta(days=1), [])
    await run_check(DAY0 + dt.timedelta(days=1), SETTINGS)
    assert await open_rules(zombie) == set()
    # After the deadline it is checked again and a new review opens.
    after = DAY0 + dt.timedelta(days=12)
    await observe(zombie, after, [])
    result = await run_check(after, SETTINGS)
    assert {"stale_veto", "dormant_long"} <= await open_rules(zombie)
    assert len(result.sync.reviews_opened) == 1
    second = await Review.filter(account_id=zombie, state="open").first()
    assert second is not None
    await decide(str(second.id), "关停", "长期无力维护", actor="office", today=after.date())
    assert (await store.find_account("wechat:gh_0000000000bb")).status == "closed"
    await run_check(after + dt.timedelta(days=1), SETTINGS)
    assert await open_rules(zombie) == set()
    history = [e.action for e in (await store.account_history("wechat:gh_0000000000bb"))[1]]
    assert history.count("status") == 2
