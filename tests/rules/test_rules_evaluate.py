"""evaluate_all: active statuses only, blind is not silent, manual accounts, ordering, JSON evidence."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from rulekit import ACTIVITY_RULES, NOW, account, days_ago, drafts, one, rules

from rules.catalogue import evaluate_all, stale_veto
from rules.config import DEFAULT_SETTINGS, RuleSettings
from rules.facts import PostFact

EVERYTHING_WRONG: dict[str, Any] = {
    "posts": [days_ago(200)],
    "interaction": "无",
    "filed": False,
    "head_name": "",
    "gone": True,
    "update_frequency": "每工作日",
    "last_success_at": None,
}


@pytest.mark.parametrize("status", ["closed", "deregistered", "notice"])
def test_inactive_accounts_get_nothing(status: str) -> None:
    assert rules([account(1, status=status, **EVERYTHING_WRONG), account(2, unit_id=1, status=status)]) == set()


@pytest.mark.parametrize("status", ["operating", "rectifying", "reviewing"])
def test_active_statuses_are_checked(status: str) -> None:
    assert "stale_veto" in rules(account(status=status, posts=[days_ago(20)]))


@pytest.mark.parametrize(
    ("last_success", "kind"),
    [(NOW - timedelta(days=4), "old"), (None, "never"), (NOW - timedelta(hours=72, minutes=1), "just over")],
)
def test_blind_is_not_silent(last_success: datetime | None, kind: str) -> None:
    f = account(posts=[days_ago(200)], update_frequency="每工作日", followers=1, last_success_at=last_success,
                known_until=last_success, last_error_kind="auth", interaction="无")
    found = rules(f)
    assert not found & ACTIVITY_RULES, kind
    assert found == {"collection_blind", "no_interaction"}  # ledger rules still apply
    assert stale_veto(f, NOW, DEFAULT_SETTINGS) is None  # also when a rule is called alone


def test_blind_summaries_and_evidence() -> None:
    never = one(account(last_success_at=None, last_error_kind="auth"), "collection_blind")
    assert never.summary_zh == "尚未成功采集到该账号数据，最近错误：auth，更新情况未知"
    assert (never.severity, never.evidence["last_success_at"], never.evidence["threshold_hours"]) == ("ops", None, 72)
    old = one(account(last_success_at=NOW - timedelta(hours=100), last_error_kind="network"), "collection_blind")
    assert old.summary_zh == "已100小时未能成功采集数据（阈值72小时，最近错误：network），更新情况未知"
    assert old.evidence["hours_since_success"] == 100.0


def test_exactly_the_window_is_not_blind() -> None:
    f = account(posts=[days_ago(20)], last_success_at=NOW - timedelta(hours=72))
    assert rules(f) == {"stale_veto"}
    s = RuleSettings.from_dict({"collection_blind": {"hours": 24}})
    assert rules(f, NOW, s) == {"collection_blind"}


def test_manual_accounts_are_blind_without_a_recent_submission() -> None:
    f = account(collect_method="manual", posts=[days_ago(40)], last_success_at=NOW - timedelta(days=5),
                known_until=NOW - timedelta(days=16))
    d = one(f, "collection_blind")
    assert d.summary_zh.startswith("已120小时未收到人工报送数据")
    assert rules(f) == {"collection_blind"}
    # a county collecting monthly submissions widens the window for manual accounts only
    s = RuleSettings.from_dict({"collection_blind": {"manual_hours": 840}})
    assert rules(f, NOW, s) == {"stale_veto"}
    assert one(f, "stale_veto", NOW, s).evidence["days"] == 24  # counted to the submission's coverage
    assert rules(account(posts=[days_ago(40)], last_success_at=NOW - timedelta(days=5)), NOW, s) == {"collection_blind"}


def test_gone_account_is_reported_and_its_blindness_too() -> None:
    f = account(gone=True, last_error_kind="gone", posts=[days_ago(30)], last_success_at=NOW - timedelta(days=10))
    assert rules(f) == {"account_gone", "collection_blind"}


def test_random_accounts_never_break_the_cross_cutting_rules() -> None:
    rng = random.Random(20260316)
    facts = []
    for i in range(300):
        blind = rng.random() < 0.4
        facts.append(account(
            i, unit_id=rng.randint(1, 40), unit_kind=rng.choice(["county_gov", "department", "township", "other"]),
            platform=rng.choice(["wechat", "weibo"]), status=rng.choice(["operating", "rectifying", "closed", "notice"]),
            posts=[days_ago(rng.uniform(0, 200), reads=rng.randint(0, 3000), pinned=rng.random() < 0.1)
                   for _ in range(rng.randint(0, 6))],
            followers=rng.randint(0, 50_000), update_frequency=rng.choice(["每周", "每工作日", "不定期", "每周3次"]),
            last_success_at=NOW - timedelta(hours=rng.uniform(100, 2000)) if blind else NOW - timedelta(hours=1),
            opened_on=(NOW - timedelta(days=rng.randint(1, 3000))).date(),
        ))
    found = evaluate_all(facts, NOW, DEFAULT_SETTINGS)
    by_account: dict[int, set[str]] = {}
    for d in found:
        by_account.setdefault(d.account_id or 0, set()).add(d.rule)
        json.dumps(d.evidence, ensure_ascii=False)  # evidence is JSON-serialisable
    for f in facts:
        got = by_account.get(f.account_id, set())
        if f.status in ("closed", "notice"):
            assert got == set()
        elif f.last_success_at < NOW - timedelta(hours=72):  # type: ignore[operator]
            assert "collection_blind" in got and not got & ACTIVITY_RULES
        assert not {"stale_veto", "stale_warning"} <= got
        assert "dormant_long" not in got or "stale_veto" in got
    assert found == evaluate_all(list(reversed(facts)), NOW, DEFAULT_SETTINGS)  # order-independent


def test_output_is_sorted_by_account_then_catalogue_order() -> None:
    found = drafts([account(2, posts=[days_ago(100)], interaction="无"), account(1, filed=False)])
    assert [(d.account_id, d.rule) for d in found] == [
        (1, "registry_incomplete"), (2, "stale_veto"), (2, "dormant_long"), (2, "no_interaction"),
    ]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        evaluate_all([account()], datetime(2026, 3, 16, 10, 0), DEFAULT_SETTINGS)
    with pytest.raises(ValueError, match="aware"):
        PostFact(published_at=datetime(2026, 3, 1), title="x")
    with pytest.raises(ValueError, match="aware"):
        account(last_success_at=datetime(2026, 3, 1))


def test_a_small_county_on_one_day() -> None:
    county = [
        account(1, name="县发布", matrix_role="flagship", unit_kind="county_gov", update_frequency="每工作日",
                posts=[days_ago(n) for n in range(1, 29)]),
        account(2, name="教育局", posts=[days_ago(11)]),
        account(3, name="教育家校", unit_id=2, posts=[days_ago(3)], opened_on=NOW.date() - timedelta(days=400)),
        account(4, name="水利局", posts=[days_ago(150)]),
        account(5, name="财政局", posts=[days_ago(40)], last_success_at=NOW - timedelta(days=6)),
        account(6, name="新开乡", unit_kind="township", posts=[], opened_on=NOW.date() - timedelta(days=5)),
        account(7, name="司法局", interaction="未开通", contacts_confirmed_at=None),
        account(8, name="已关停", status="closed", posts=[days_ago(300)]),
    ]
    got = {(d.account_id, d.rule) for d in drafts(county)}
    assert got == {
        (2, "stale_warning"),
        (3, "duplicate_account"),
        (4, "stale_veto"), (4, "dormant_long"),
        (5, "collection_blind"),
        (7, "no_interaction"), (7, "registry_incomplete"),
    }
