"""A pending account (待补全: no platform id or owner unit yet) is never judged on activity, reach or review."""

from __future__ import annotations

from rulekit import ACTIVITY_RULES, NOW, account, days_ago, one, rules

from rules.config import CATALOGUE, rules_where


def test_pending_account_never_gets_an_activity_finding() -> None:
    # Silent for 200 days, never collected, a duplicate of another account of its unit: all unknown.
    silent = account(1, uid=None, pending=True, posts=[days_ago(200)], last_success_at=None, known_until=None)
    twin = account(2, uid=None, pending=True, posts=[days_ago(200)], last_success_at=None, known_until=None)
    found = rules([silent, twin])
    assert not found & ACTIVITY_RULES
    assert not found & rules_where("opens_review")
    assert "collection_blind" not in found and "account_gone" not in found
    assert found <= {r for r, m in CATALOGUE.items() if m.pending_ok}
    assert "identity_pending" in found


def test_the_same_account_once_identified_is_judged() -> None:
    known = account(1, posts=[days_ago(200)])
    assert "stale_veto" in rules(known) and "identity_pending" not in rules(known)


def test_identity_pending_is_one_info_finding_naming_what_is_missing() -> None:
    d = one(account(uid=None, pending=True, unit_name="待核实"), "identity_pending", NOW)
    assert d.severity == "info" and d.evidence["missing"] == ["uid", "unit"]
    assert "缺少账号ID、主办单位" in d.summary_zh and "govmedia accounts resolve" in d.summary_zh


def test_empty_interaction_is_missing_data_not_a_veto() -> None:
    found = rules(account(interaction=""))
    assert "no_interaction" not in found and "registry_incomplete" in found
    assert "互动渠道" in one(account(interaction=""), "registry_incomplete").summary_zh
    assert "no_interaction" in rules(account(interaction="无"))
    assert "互动渠道" not in one(account(interaction="无", filed=False), "registry_incomplete").summary_zh


def test_no_shutdown_review_from_a_silence_never_observed() -> None:
    from datetime import date

    unseen = account(posts=[], opened_on=date(2020, 1, 1), history_from=None)
    assert "dormant_long" not in rules(unseen)
    observed = account(posts=[], opened_on=date(2020, 1, 1), history_from=date(2025, 6, 1))
    assert "dormant_long" in rules(observed)
