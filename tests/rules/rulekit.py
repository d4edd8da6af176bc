"""Builders for rule tests: aware Beijing-time datetimes, posts and account facts with sane defaults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

from rules.catalogue import evaluate_all
from rules.config import DEFAULT_SETTINGS, RuleSettings
from rules.facts import AccountFacts, FindingDraft, PostFact

SH = timezone(timedelta(hours=8))
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=SH)  # a Monday, clear of holidays
ACTIVITY_RULES = {"stale_veto", "stale_warning", "dormant_long", "low_use", "frequency_below_target", "slow_response"}


def at(y: int, m: int, d: int, hh: int = 12, mm: int = 0) -> datetime:
    """Beijing wall-clock time."""
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def post(when: datetime, title: str = "工作动态", **kw: Any) -> PostFact:
    """A post published at `when`."""
    return PostFact(published_at=when, title=title, **kw)


def days_ago(n: float, now: datetime = NOW, **kw: Any) -> PostFact:
    """A post published n days before now."""
    return post(now - timedelta(days=n), title=kw.pop("title", f"{n}天前的文章"), **kw)


def account(
    account_id: int = 1, *, now: datetime = NOW, posts: Iterable[PostFact] | None = None, **kw: Any
) -> AccountFacts:
    """Facts of a healthy, fully registered department account that posted yesterday; override the rest."""
    ps = tuple(posts) if posts is not None else (days_ago(1, now),)
    base: dict[str, Any] = {
        "account_id": account_id,
        "platform": "wechat",
        "uid": f"gh_{account_id:04d}",
        "name": f"账号{account_id}",
        "unit_id": account_id,
        "unit_name": f"单位{account_id}",
        "unit_kind": "department",
        "status": "operating",
        "matrix_role": "member",
        "opened_on": date(2020, 1, 1),
        "filed": True,
        "filed_on": date(2020, 2, 1),
        "interaction": "留言",
        "update_frequency": "不定期",  # parsed as "no requirement": keeps frequency out of unrelated tests
        "collect_method": "wechat_api",
        "verified_subject": f"单位{account_id}",
        "head_name": "张三",
        "head_phone": "13800000000",
        "operator_name": "李四",
        "operator_phone": "13900000000",
        "operator_wecom": "lisi",
        "contacts_confirmed_at": now - timedelta(days=30),
        "posts": ps,
        "last_post": max((p for p in ps if not p.pinned), key=lambda p: p.published_at, default=None),
        "followers": 5000,
        "followers_at_window_start": 4800,
        "last_success_at": now - timedelta(hours=1),
        "known_until": now,
    }
    base.update(kw)
    return AccountFacts(**base)


def with_(f: AccountFacts, **kw: Any) -> AccountFacts:
    """A copy of f with some fields changed."""
    return replace(f, **kw)


def drafts(facts: AccountFacts | list[AccountFacts], now: datetime = NOW,
           settings: RuleSettings = DEFAULT_SETTINGS) -> list[FindingDraft]:
    """evaluate_all over one account or a list."""
    return evaluate_all(facts if isinstance(facts, list) else [facts], now, settings)


def rules(facts: AccountFacts | list[AccountFacts], now: datetime = NOW,
          settings: RuleSettings = DEFAULT_SETTINGS) -> set[str]:
    """The rule ids evaluate_all emits."""
    return {d.rule for d in drafts(facts, now, settings)}


def one(facts: AccountFacts | list[AccountFacts], rule: str, now: datetime = NOW,
        settings: RuleSettings = DEFAULT_SETTINGS) -> FindingDraft:
    """The single draft of `rule`."""
    found = [d for d in drafts(facts, now, settings) if d.rule == rule]
    assert len(found) == 1, found
    return found[0]
