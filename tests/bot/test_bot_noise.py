"""Noise control: inhibition by collection_blind, silences, grouping worst first and the set fingerprint."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from botkit import NOW, OPERATOR, alert, person

from bot.group import fingerprint, group, worst_first
from bot.inhibit import InhibitRule, inhibit
from bot.silence import Silence, apply_silences, silencing
from rules.config import CATALOGUE, INHIBIT_RULES, rules_where

INHIBIT = [InhibitRule(*r) for r in INHIBIT_RULES]
KINDS = {rid: m.kinds for rid, m in CATALOGUE.items()}

# --- inhibition -------------------------------------------------------------------------------


def test_blind_account_loses_its_staleness_alerts_only() -> None:
    assert rules_where("activity") == {"stale_veto", "stale_warning", "dormant_long", "low_use",
                                       "frequency_below_target", "slow_response"}
    muted = [alert(i, rule) for i, rule in enumerate(sorted(rules_where("activity")), 1)]
    kept = [alert(10, "collection_blind"), alert(11, "no_interaction"), alert(12, "registry_incomplete")]
    other = alert(20, "stale_veto", account_id=2)
    result = inhibit([*muted, *kept, other], INHIBIT, KINDS)
    assert [a.finding_id for a in result] == [10, 11, 12, 20]


def test_no_blind_no_inhibition() -> None:
    alerts = [alert(1), alert(2, "stale_warning"), alert(3, "collection_blind", account_id=2)]
    assert inhibit(alerts, INHIBIT, KINDS) == alerts


def test_inhibition_is_data_equal_on_the_named_label() -> None:
    # A unit-wide rule: a source alert of unit 7 mutes target-kind alerts of any account of unit 7.
    rules = [InhibitRule("outage", "noisy", equal="unit")]
    kinds = {"chatter": {"noisy"}, "quiet": set()}
    alerts = [alert(1, "outage", account_id=None), alert(2, "chatter", account_id=5), alert(3, "quiet", account_id=5),
              alert(4, "chatter", account_id=6)]
    alerts = [replace(a, unit_id=7 if a.finding_id != 4 else 8) for a in alerts]
    assert [a.finding_id for a in inhibit(alerts, rules, kinds)] == [1, 3, 4]
    assert inhibit(alerts) == alerts  # no inhibition rule: nothing is muted


def test_inhibit_rule_refuses_an_unknown_label() -> None:
    import pytest

    with pytest.raises(ValueError, match="equal"):
        InhibitRule("a", "b", equal="platform")


# --- silences ---------------------------------------------------------------------------------


def silence(state: str = "active", *, account_id: int | None = 1, unit_id: int | None = None,
            rule: str | None = None, start: float = -1, end: float = 1) -> Silence:
    return Silence(1, account_id, unit_id, rule, NOW + timedelta(days=start), NOW + timedelta(days=end),
                   state, "王科长", "账号迁移中")  # type: ignore[arg-type]


def test_active_silence_in_its_window_applies() -> None:
    kept, silenced = apply_silences([alert(1), alert(2, account_id=2)], [silence()], NOW)
    assert [a.finding_id for a in kept] == [2] and [a.finding_id for a in silenced] == [1]


def test_pending_and_expired_silences_do_not_apply() -> None:
    for state in ("pending", "expired"):
        kept, silenced = apply_silences([alert(1)], [silence(state)], NOW)
        assert len(kept) == 1 and silenced == []


def test_window_is_half_open() -> None:
    assert silencing(alert(1), [silence(start=0, end=1)], NOW) is not None
    assert silencing(alert(1), [silence(start=-1, end=0)], NOW) is None
    assert silencing(alert(1), [silence(start=0.5, end=1)], NOW) is None


def test_matchers_unit_and_rule() -> None:
    by_unit_rule = silence(account_id=None, unit_id=10, rule="stale_warning")
    kept, silenced = apply_silences([alert(1), alert(2, "stale_warning"), alert(3, "stale_warning", unit_id=11)],
                                    [by_unit_rule], NOW)
    assert [a.finding_id for a in silenced] == [2] and [a.finding_id for a in kept] == [1, 3]


def test_a_silence_without_account_or_unit_matches_nothing() -> None:
    assert silencing(alert(1), [silence(account_id=None, rule="stale_veto")], NOW) is None


# --- grouping and fingerprint ------------------------------------------------------------------


def test_worst_first_by_severity_then_days() -> None:
    alerts = [
        alert(1, "registry_incomplete"),
        alert(2, "stale_warning", evidence={"days": 11}),
        alert(3, "stale_veto", evidence={"days": 15}),
        alert(4, "dormant_long", evidence={"days": 95}),
        alert(5, "stale_veto", evidence={"days": 40}),
        alert(6, "collection_blind"),
    ]
    assert [a.finding_id for a in worst_first(alerts)] == [5, 3, 2, 4, 6, 1]


def test_group_makes_one_group_per_recipient() -> None:
    op = person(OPERATOR)
    groups = group({op: [alert(2, "stale_warning"), alert(1), alert(1)]})
    assert len(groups) == 1 and groups[0].recipient == op
    assert [a.finding_id for a in groups[0].alerts] == [1, 2]
    assert groups[0].fingerprint == fingerprint([alert(1), alert(2, "stale_warning")])
    assert group({op: []}) == []


def test_fingerprint_changes_only_when_the_set_changes() -> None:
    base = fingerprint([alert(1), alert(2, "stale_warning")])
    # Order, duplicates, day counts, summaries and last_seen do not matter.
    later = [replace(alert(2, "stale_warning", evidence={"days": 12}), last_seen=NOW + timedelta(days=1)),
             alert(1, summary="已连续17天未更新"), alert(1)]
    assert fingerprint(later) == base
    assert fingerprint([alert(1)]) != base  # one resolved
    assert fingerprint([alert(1), alert(2, "stale_warning"), alert(3)]) != base  # one new
    assert fingerprint([alert(1, claimed=True), alert(2, "stale_warning")]) != base  # claimed fixed
    assert fingerprint([alert(1), alert(2, "stale_veto")]) != base  # escalated rule
    assert len(base) == 24 and base == fingerprint([alert(2, "stale_warning"), alert(1)])
