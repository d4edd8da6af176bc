"""Routing: operator first, the head after N days, the office after M; ops/info to the office; fallbacks."""

from __future__ import annotations

import pytest
from botkit import HEAD, NOW, OFFICE, OPERATOR, alert, contact, person

from bot.model import Contact, Recipient
from bot.route import RouteSettings, route, unrouted

CONTACTS = {1: [OPERATOR, HEAD, contact(3, "leader", "leader_xihe")]}
OP, HD, OF = person(OPERATOR), person(HEAD), person(OFFICE, "office")


def who(age: float, rule: str = "stale_veto", contacts: dict[int, list[Contact]] | None = None,
        settings: RouteSettings | None = None) -> list[Recipient]:
    routed = route([alert(1, rule, age_days=age)], CONTACTS if contacts is None else contacts, [OFFICE], NOW,
                   settings or RouteSettings())
    return list(routed)


def test_new_finding_goes_to_the_operator_only() -> None:
    assert who(0) == [OP]
    assert who(2.99) == [OP]


def test_escalation_to_head_after_three_days_and_office_after_seven() -> None:
    assert who(3) == [OP, HD]
    assert who(6.9) == [OP, HD]
    assert who(7) == [OP, HD, OF]


def test_escalation_days_come_from_settings() -> None:
    settings = RouteSettings.from_dict({"escalate_head_days": 1, "escalate_office_days": 2, "channel": "wecom_app"})
    assert who(1, settings=settings) == [OP, HD]
    assert who(2, settings=settings) == [OP, HD, OF]


@pytest.mark.parametrize("rule", ["collection_blind", "registry_incomplete"])
def test_ops_and_info_findings_go_to_the_office_only(rule: str) -> None:
    assert who(0, rule) == [OF]
    assert who(30, rule) == [OF]


def test_no_operator_wecom_falls_back_to_head_then_office() -> None:
    no_op = {1: [contact(1, "operator", ""), HEAD]}
    assert who(0, contacts=no_op) == [HD]
    assert who(0, contacts={1: [contact(1, "operator", ""), contact(2, "head", " ")]}) == [OF]
    assert who(0, contacts={}) == [OF]


def test_an_empty_escalation_level_falls_through_to_the_office() -> None:
    assert who(3, contacts={1: [OPERATOR]}) == [OP, OF]


def test_one_recipient_gets_all_their_alerts_once() -> None:
    alerts = [alert(1, age_days=8), alert(2, "stale_warning", account_id=2, account_name="西河发布"), alert(1, age_days=8)]
    routed = route(alerts, {1: [OPERATOR, HEAD], 2: [OPERATOR]}, [OFFICE], NOW, RouteSettings())
    assert [a.finding_id for a in routed[OP]] == [1, 2]
    assert [a.finding_id for a in routed[HD]] == [1]
    assert [a.finding_id for a in routed[OF]] == [1]


def test_unit_and_office_robots() -> None:
    settings = RouteSettings.from_dict({"office_robot": "robot_office", "unit_robots": {"西河乡人民政府": "robot_xihe"}})
    recipients = who(0, settings=settings)
    assert [r.kind for r in recipients] == ["person", "robot"]
    assert recipients[1].robot_key_name == "robot_xihe"
    office = who(0, "collection_blind", settings=settings)
    assert [(r.kind, r.robot_key_name) for r in office] == [("office", ""), ("robot", "robot_office")]


def test_alerts_nobody_can_receive_are_reported() -> None:
    lost = alert(5, "collection_blind")
    routed = route([lost, alert(6)], {1: [OPERATOR]}, [], NOW)
    assert unrouted([lost, alert(6)], routed) == [lost]


def test_account_less_finding_goes_to_the_office() -> None:
    assert list(route([alert(1, "duplicate_account", account_id=None)], CONTACTS, [OFFICE], NOW)) == [OF]


@pytest.mark.parametrize("bad", [
    {"escalate_head_days": "3"}, {"escalate_head_days": 8}, {"escalate_office_days": True},
    {"office_severities": "ops"}, {"unit_robots": ["x"]}, {"office_robot": 1},
])
def test_bad_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RouteSettings.from_dict(bad)


def test_default_settings() -> None:
    s = RouteSettings.from_dict({})
    assert (s.escalate_head_days, s.escalate_office_days, s.office_severities) == (3, 7, ("ops", "info"))
