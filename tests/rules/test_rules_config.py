"""Rule settings: defaults from DESIGN.md, per-unit-kind overrides, validation errors, describe()."""

from __future__ import annotations

import tomllib
from datetime import date
from typing import Any

import pytest

from rules.config import DEFAULT_SETTINGS, RULE_IDS, RuleSettings, describe


def test_defaults_follow_the_design_table() -> None:
    s = DEFAULT_SETTINGS
    assert RULE_IDS == (
        "stale_veto", "stale_warning", "dormant_long", "low_use", "frequency_below_target",
        "no_interaction", "slow_response", "duplicate_account", "account_gone", "collection_blind",
        "registry_incomplete", "identity_pending", "content_error", "privacy_leak",
    )
    assert s.get_int("stale_veto", "days") == 14
    assert s.get_int("stale_warning", "days") == 10
    assert s.get_int("dormant_long", "days") == 90
    assert s.get_int("low_use", "window_days") == 90
    assert s.get_float("low_use", "percentile") == 10.0
    # Numeric floors are local policy (policy.md §5.4): off unless configured.
    assert [s.get_float("low_use", k) for k in ("min_followers", "min_reads_per_post", "min_interactions_per_post")] == [0, 0, 0]
    assert s.get_int("collection_blind", "hours") == 72
    assert s.get_opt_int("collection_blind", "manual_hours") is None
    assert s.get_int("registry_incomplete", "contacts_max_age_days") == 180
    assert s.get_int("slow_response", "window_days") == 30
    assert s.get_int("slow_response", "min_comments") == 3
    assert s.get_float("slow_response", "min_answer_rate") == 0.5
    assert s.working_days is False
    assert all(s.enabled(r) for r in RULE_IDS)
    assert RuleSettings.from_dict({}) == RuleSettings.from_dict(None)


def test_per_unit_kind_overrides() -> None:
    s = RuleSettings.from_dict({
        "stale_warning": {"days": 9, "township": {"days": 7}},
        "frequency_below_target": {"township": {"enabled": False}},
        "low_use": {"other": {"min_followers": 500}},
    })
    assert s.get_int("stale_warning", "days", "township") == 7
    assert s.get_int("stale_warning", "days", "department") == 9
    assert s.get_int("stale_warning", "days") == 9
    assert not s.enabled("frequency_below_target", "township")
    assert s.enabled("frequency_below_target", "county_gov")
    assert s.get_float("low_use", "min_followers", "other") == 500.0
    assert s.get_float("low_use", "min_followers", "township") == 0.0


def test_toml_shape_with_calendar_and_date_literals() -> None:
    table = tomllib.loads("""
[rules]
working_days = true
[rules.calendar]
extra_holidays = [2027-01-01, "2027-02-08"]
extra_workdays = ["2027-02-06"]
[rules.collection_blind]
hours = 48
manual_hours = 840
[rules.registry_incomplete]
required_fields = ["head_name", "operator_wecom"]
require_filed = false
""")["rules"]
    s = RuleSettings.from_dict(table)
    assert s.working_days is True
    assert not s.calendar.is_working_day(date(2027, 1, 1))
    assert not s.calendar.is_working_day(date(2027, 2, 8))
    assert s.calendar.is_working_day(date(2027, 2, 6))
    assert s.get_opt_int("collection_blind", "manual_hours") == 840
    assert s.get_strs("registry_incomplete", "required_fields") == ["head_name", "operator_wecom"]
    assert s.get_bool("registry_incomplete", "require_filed") is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"stale": {}}, "[rules] unknown key 'stale' (did you mean 'stale_veto'?)"),
        ({"stale_veto": {"dayz": 3}}, "[rules.stale_veto] unknown key 'dayz' (did you mean 'days'?)"),
        ({"stale_veto": {"days": "14"}}, "[rules.stale_veto] days: expected an integer, got '14'"),
        ({"stale_veto": {"days": True}}, "[rules.stale_veto] days: expected an integer"),
        ({"stale_veto": {"days": 14.5}}, "[rules.stale_veto] days: expected an integer"),
        ({"stale_veto": {"days": 0}}, "[rules.stale_veto] days: must be at least 1"),
        ({"stale_veto": {"enabled": "yes"}}, "[rules.stale_veto] enabled: expected true or false"),
        ({"low_use": {"percentile": 150}}, "[rules.low_use] percentile: must be at most 100"),
        ({"low_use": {"min_reads_per_post": "50"}}, "[rules.low_use] min_reads_per_post: expected a number"),
        ({"stale_veto": {"township": {"days": "x"}}}, "[rules.stale_veto.township] days: expected an integer"),
        ({"stale_veto": {"township": {"hours": 3}}}, "[rules.stale_veto.township] unknown key 'hours'"),
        ({"stale_veto": {"village": {"days": 3}}}, "[rules.stale_veto] unknown key 'village'"),
        ({"stale_veto": {"township": 5}}, "[rules.stale_veto] township: expected a table"),
        ({"stale_veto": 3}, "[rules] stale_veto: expected a table"),
        ({"working_days": "yes"}, "[rules] working_days: expected true or false"),
        ({"calendar": {"extra_holidays": ["2026-13-01"]}}, "[rules.calendar] extra_holidays: expected dates"),
        ({"calendar": {"extra_holidays": "2026-10-09"}}, "[rules.calendar] extra_holidays: expected a list"),
        ({"calendar": {"holidays": []}}, "[rules.calendar] unknown key 'holidays'"),
        ({"calendar": {"extra_holidays": ["2027-01-01"], "extra_workdays": ["2027-01-01"]}}, "[rules.calendar] dates listed both"),
        ({"no_interaction": {"none_values": "无"}}, "[rules.no_interaction] none_values: expected a list of strings"),
        ({"registry_incomplete": {"required_fields": ["head_nam"]}}, "[rules.registry_incomplete] required_fields: unknown value(s) ['head_nam']"),
        ({"collection_blind": {"manual_hours": 0}}, "[rules.collection_blind] manual_hours: must be at least 1"),
    ],
)
def test_validation_errors_name_the_key(table: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as err:
        RuleSettings.from_dict(table)
    assert str(err.value).startswith(message), str(err.value)


def test_describe_lists_every_rule_with_effective_settings() -> None:
    infos = describe(RuleSettings.from_dict({"stale_warning": {"days": 8, "township": {"days": 6}}}))
    assert [i.id for i in infos] == list(RULE_IDS)
    by_id = {i.id: i for i in infos}
    assert by_id["stale_veto"].name_zh == "内容不更新（单项否决）"
    assert (by_id["stale_veto"].severity, by_id["stale_veto"].severity_zh) == ("veto", "单项否决")
    assert by_id["no_interaction"].severity == "veto"
    assert by_id["dormant_long"].severity == "review"
    assert by_id["collection_blind"].severity == "ops"
    assert by_id["registry_incomplete"].severity == "info"
    assert by_id["stale_warning"].settings == {"enabled": True, "days": 8}
    assert by_id["stale_warning"].overrides == {"township": {"days": 6}}
    assert by_id["low_use"].settings["min_followers"] == 0
    assert describe()[0].settings == {"enabled": True, "days": 14}


def test_polling_nears_the_veto_from_the_countys_warning_threshold() -> None:
    from rules.config import near_veto_days

    assert near_veto_days(DEFAULT_SETTINGS) == 10
    assert near_veto_days(RuleSettings.from_dict({"stale_warning": {"days": 7}})) == 7
