"""content_error on an account whose own or unit's name is outdated (the registry, not the posts)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from rules.config import DEFAULT_SETTINGS
from rules.content import build_scanner
from rules.facts import AccountFacts
from rules.rule_account_name import account_name_drafts

BASE = AccountFacts(account_id=1, platform="wechat", uid="gh_1", name="梁园发布", unit_id=9,
                    unit_name="商丘市梁园区人民政府", unit_kind="government", status="operating")


def test_an_outdated_account_or_unit_name_is_a_finding_on_the_account() -> None:
    facts = [dataclasses.replace(BASE, name="商丘市梁园区食品药品监督管理局"),
             dataclasses.replace(BASE, account_id=2, unit_name="衡阳市安监局"),
             dataclasses.replace(BASE, account_id=3)]
    drafts = account_name_drafts(facts, datetime(2021, 1, 10, 2, tzinfo=UTC), DEFAULT_SETTINGS, build_scanner())
    assert [(d.subject, d.rule, d.severity) for d in drafts] == [("account:1", "content_error", "warning"),
                                                                 ("account:2", "content_error", "warning")]
    assert "市场监督管理" in drafts[0].summary_zh and drafts[1].evidence["problems"][0]["where"] == "主办单位"


def test_before_the_reform_date_or_for_inactive_accounts_nothing() -> None:
    f = dataclasses.replace(BASE, name="县食品药品监督管理局")
    scanner = build_scanner()
    assert account_name_drafts([f], datetime(2018, 1, 1, tzinfo=UTC), DEFAULT_SETTINGS, scanner) == []
    closed = dataclasses.replace(f, status="closed")
    assert account_name_drafts([closed], datetime(2021, 1, 1, tzinfo=UTC), DEFAULT_SETTINGS, scanner) == []
