"""Quiet hours and working days: when held messages may go."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.quiet import QuietSettings, hold_until, next_window
from sandbox.county import TZ


def at(day: int, hour: int, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


def test_working_hours_on_a_weekday_send_now() -> None:
    assert next_window(at(18, 10, 30)) is None  # Wednesday
    assert next_window(at(18, 8, 30)) is None
    assert next_window(at(18, 17, 59)) is None


def test_evening_and_early_morning_wait_for_0830() -> None:
    assert next_window(at(18, 18, 0)) == at(19, 8, 30)
    assert next_window(at(18, 23, 59)) == at(19, 8, 30)
    assert next_window(at(19, 3, 0)) == at(19, 8, 30)


def test_friday_evening_and_weekend_wait_for_monday() -> None:
    assert next_window(at(20, 19, 0)) == at(23, 8, 30)  # Friday 19:00 -> Monday
    assert next_window(at(21, 11, 0)) == at(23, 8, 30)  # Saturday noon
    assert next_window(at(21, 11, 0), working_days_only=False) is None


def test_holiday_calendar_is_honoured() -> None:
    holidays = {date(2025, 10, d) for d in range(1, 9)}

    def working(day: date) -> bool:
        return day == date(2025, 9, 28) or (day.weekday() < 5 and day not in holidays)  # 28 Sept: 调休 Sunday

    assert next_window(at(30, 18, 0, month=9), is_working_day=working) == at(9, 8, 30, month=10)
    assert next_window(at(28, 10, 0, month=9), is_working_day=working) is None


def test_no_quiet_hours() -> None:
    assert next_window(at(18, 23, 0), quiet_hours="") is None
    assert next_window(at(18, 12, 30), quiet_hours="12:00-13:00") == at(18, 13, 0)


def test_other_zones_are_converted() -> None:
    utc = at(18, 18, 30).astimezone(UTC)
    assert utc.hour == 10
    assert next_window(utc) == at(19, 8, 30)
    with pytest.raises(ValueError):
        next_window(datetime(2025, 6, 18, 10))


def test_veto_bypass_when_configured() -> None:
    night = at(18, 22)
    plain, bypass = QuietSettings(), QuietSettings.from_dict({"veto_bypass_quiet": True})
    assert hold_until(night, ["veto"], plain) == at(19, 8, 30)
    assert hold_until(night, ["veto", "warning"], bypass) is None
    assert hold_until(night, ["warning"], bypass) == at(19, 8, 30)


@pytest.mark.parametrize("bad", [{"quiet_hours": "18-8"}, {"quiet_hours": "08:00-08:00"},
                                 {"working_days_only": "yes"}, {"quiet_hours": 18}])
def test_bad_quiet_settings(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        QuietSettings.from_dict(bad)


def test_broken_calendar_is_an_error() -> None:
    with pytest.raises(ValueError):
        next_window(at(18, 10), is_working_day=lambda d: False)
