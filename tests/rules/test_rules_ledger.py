"""Ledger rules: no_interaction, registry_incomplete, account_gone, duplicate_account."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from rulekit import NOW, account, drafts, one, rules

from rules.config import RuleSettings
from rules.facts import AccountFacts


@pytest.mark.parametrize(
    ("text", "fires"),
    # An empty cell is missing ledger data (registry_incomplete), never the veto.
    [("", False), ("无", True), (" 无 ", True), ("未开通", True), ("已关闭", True), ("仅自动回复", True),
     ("N/A", True), ("留言", False), ("评论、私信", False), ("留言、菜单“我要咨询”", False)],
)
def test_no_interaction(text: str, fires: bool) -> None:
    assert ("no_interaction" in rules(account(interaction=text))) is fires


def test_no_interaction_wording_and_config() -> None:
    d = one(account(interaction="无"), "no_interaction")
    assert (d.summary_zh, d.severity, d.evidence) == ("未提供有效互动功能", "veto", {"interaction": "无"})
    s = RuleSettings.from_dict({"no_interaction": {"none_values": ["", "无", "仅菜单"]}})
    assert "no_interaction" in rules(account(interaction="仅菜单"), NOW, s)
    assert "no_interaction" not in rules(account(interaction="未开通"), NOW, s)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, None),
        ({"head_name": "", "head_phone": "无"}, "台账不完整：缺少负责人、负责人电话"),
        ({"operator_phone": "-", "opened_on": None}, "台账不完整：缺少运维人员电话、开设日期"),
        ({"filed": False}, "台账不完整：未在全国政务新媒体信息报送系统备案"),
        ({"contacts_confirmed_at": NOW - timedelta(days=181)}, "台账不完整：联系人超过180天未确认"),
        ({"contacts_confirmed_at": NOW - timedelta(days=180)}, None),
        ({"contacts_confirmed_at": None}, "台账不完整：联系人从未确认"),
        ({"update_frequency": "看情况"}, "台账不完整：更新频率要求“看情况”无法识别"),
        ({"update_frequency": ""}, "台账不完整：缺少更新频率要求"),
        ({"verified_subject": "", "filed": False, "contacts_confirmed_at": None},
         "台账不完整：缺少认证主体；未在全国政务新媒体信息报送系统备案；联系人从未确认"),
    ],
)
def test_registry_incomplete(changes: dict[str, Any], expected: str | None) -> None:
    f = account(**changes)
    found = [d for d in drafts(f) if d.rule == "registry_incomplete"]
    assert [d.summary_zh for d in found] == ([expected] if expected else [])


def test_registry_incomplete_evidence_and_settings() -> None:
    f = account(head_name="", filed=False, contacts_confirmed_at=NOW - timedelta(days=200))
    ev = one(f, "registry_incomplete").evidence
    assert ev["missing_fields"] == ["head_name"] and ev["missing_labels"] == ["负责人"]
    assert (ev["filed"], ev["contacts_age_days"], ev["contacts_max_age_days"]) == (False, 200, 180)
    assert one(f, "registry_incomplete").severity == "info"
    s = RuleSettings.from_dict({"registry_incomplete": {
        "require_filed": False, "required_fields": ["operator_wecom"], "township": {"contacts_max_age_days": 365},
    }})
    assert "registry_incomplete" not in rules(account(head_name="", unit_kind="township", contacts_confirmed_at=NOW - timedelta(days=200)), NOW, s)
    assert one(account(operator_wecom="", filed=False), "registry_incomplete", NOW, s).summary_zh == "台账不完整：缺少运维人员企业微信账号"


def test_account_gone() -> None:
    d = one(account(gone=True, last_error_kind="gone"), "account_gone")
    assert (d.severity, d.evidence["gone"]) == ("warning", True)
    assert d.summary_zh.startswith("平台显示账号已被删除、封禁或更名")
    assert "account_gone" in rules(account(last_error_kind="gone"))
    assert "account_gone" not in rules(account(last_error_kind="network"))
    assert rules(account(gone=True, status="deregistered")) == set()


def sibling(i: int, unit: int = 7, **kw: Any) -> AccountFacts:
    return account(i, unit_id=unit, unit_name="县教育局", **kw)


def test_duplicate_account_flags_every_extra_but_the_flagship() -> None:
    accounts = [
        sibling(1, opened_on=date(2015, 1, 1)),
        sibling(2, matrix_role="flagship", opened_on=date(2019, 1, 1)),
        sibling(3, opened_on=date(2021, 1, 1), followers=None),
        sibling(4, platform="weibo"),  # another platform
        sibling(5, status="closed"),  # not active
        account(6, unit_id=8),  # another unit
    ]
    found = [d for d in drafts(accounts) if d.rule == "duplicate_account"]
    assert [d.account_id for d in found] == [1, 3]
    d = found[0]
    assert (d.severity, d.subject, d.unit_id) == ("review", "account:1", 7)
    assert d.summary_zh == "同一单位在同一平台开设多个账号（县教育局在微信公众号共有3个账号），建议与“账号2”整合"
    assert d.evidence["keeper_account_id"] == 2 and d.evidence["group_size"] == 3
    listing = d.evidence["accounts"]
    assert isinstance(listing, list) and [a["account_id"] for a in listing] == [2, 1, 3]


def test_duplicate_keeper_without_flagship_is_the_oldest_and_stable() -> None:
    a = [sibling(1, opened_on=date(2021, 1, 1)), sibling(2, opened_on=date(2016, 1, 1)), sibling(3, opened_on=None)]
    assert [d.account_id for d in drafts(a) if d.rule == "duplicate_account"] == [1, 3]
    assert [d.account_id for d in drafts(a[::-1]) if d.rule == "duplicate_account"] == [1, 3]


def test_duplicate_ignores_other_platform_and_applies_to_blind_accounts() -> None:
    others = [sibling(1, platform="other"), sibling(2, platform="other")]
    assert not any(d.rule == "duplicate_account" for d in drafts(others))
    blind = [sibling(1), sibling(2, last_success_at=None)]
    assert [d.account_id for d in drafts(blind) if d.rule == "duplicate_account"] == [2]
