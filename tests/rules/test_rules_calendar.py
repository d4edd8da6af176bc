"""Working-day calendar: the 2024-2026 tables, counting across Spring Festival and 调休, config extras."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rules.calendar import (
    BUILTIN_HOLIDAYS,
    BUILTIN_WORKDAYS,
    WorkCalendar,
    add_working_days,
    is_working_day,
    local_date,
    working_days_between,
)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Spring Festival
        (date(2026, 2, 14), True),  # Saturday, 调休 make-up day
        (date(2026, 2, 15), False),  # 春节 holiday starts (Sunday)
        (date(2026, 2, 17), False),  # 正月初一
        (date(2026, 2, 23), False),  # 正月初七, last holiday (Monday)
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, 调休 make-up day
        (date(2026, 3, 1), False),  # ordinary Sunday
        (date(2026, 3, 7), False),  # ordinary Saturday
        (date(2026, 1, 2), False),  # 元旦 holiday on a Friday
        (date(2026, 1, 4), True),  # Sunday make-up
        (date(2026, 5, 9), True),
        (date(2026, 6, 19), False),
        (date(2026, 9, 20), True),
        (date(2026, 9, 25), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 10), True),
        (date(2025, 1, 26), True),
        (date(2025, 1, 28), False),  # 除夕 became a holiday in 2025
        (date(2025, 2, 4), False),
        (date(2025, 2, 8), True),
        (date(2025, 4, 27), True),
        (date(2025, 5, 2), False),
        (date(2025, 6, 2), False),
        (date(2025, 9, 28), True),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),
        (date(2024, 2, 4), True),
        (date(2024, 2, 16), False),
        (date(2024, 2, 18), True),
        (date(2024, 4, 7), True),
        (date(2024, 5, 11), True),
        (date(2024, 6, 10), False),
        (date(2024, 9, 14), True),
        (date(2024, 10, 12), True),
        (date(2027, 1, 4), True),  # beyond the tables: plain weekdays
        (date(2027, 1, 2), False),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_tables_are_consistent() -> None:
    # Make-up days only ever fall on weekends; holiday counts match the notices' totals.
    assert all(d.weekday() >= 5 for d in BUILTIN_WORKDAYS)
    assert not BUILTIN_HOLIDAYS & BUILTIN_WORKDAYS
    per_year = {y: sum(1 for d in BUILTIN_HOLIDAYS if d.year == y) for y in (2024, 2025, 2026)}
    assert per_year == {2024: 28, 2025: 28, 2026: 33}
    assert sorted(d.isoformat() for d in BUILTIN_WORKDAYS if d.year == 2026) == [
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"
    ]


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 2, 13), date(2026, 3, 2), 7),  # 14th(make-up) + 24-27 + 28th(make-up) + Mar 2
        (date(2026, 2, 6), date(2026, 3, 4), 14),
        (date(2026, 2, 6), date(2026, 3, 3), 13),
        (date(2026, 2, 27), date(2026, 3, 2), 2),  # the make-up Saturday counts
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # an ordinary weekend does not
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 3, 9), date(2026, 3, 6), -1),
        (date(2025, 12, 31), date(2026, 12, 31), 261 - 19 + 6),  # weekdays - weekday holidays + make-ups
    ],
)
def test_working_days_between(start: date, end: date, count: int) -> None:
    assert working_days_between(start, end) == count


def test_working_days_between_matches_day_by_day() -> None:
    cal = WorkCalendar()
    start = date(2023, 12, 20)
    days = [start + timedelta(days=i) for i in range(0, 1120, 13)]
    for a in days[:40]:
        for b in days[::7]:
            if b < a:
                continue
            slow = sum(1 for i in range(1, (b - a).days + 1) if cal.is_working_day(a + timedelta(days=i)))
            assert cal.working_days_between(a, b) == slow, (a, b)


@pytest.mark.parametrize(
    ("start", "n", "result"),
    [
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 24), -1, date(2026, 2, 14)),
        (date(2026, 2, 13), 6, date(2026, 2, 28)),
        (date(2026, 3, 7), 0, date(2026, 3, 7)),
        (date(2026, 3, 6), 1, date(2026, 3, 9)),
    ],
)
def test_add_working_days(start: date, n: int, result: date) -> None:
    assert add_working_days(start, n) == result
    if n:
        assert working_days_between(start, result) == n


def test_extras_extend_and_override_the_tables() -> None:
    cal = WorkCalendar.with_extras(extra_holidays=[date(2027, 2, 8)], extra_workdays=[date(2027, 2, 6), date(2026, 2, 23)])
    assert not cal.is_working_day(date(2027, 2, 8))
    assert cal.is_working_day(date(2027, 2, 6))
    assert cal.is_working_day(date(2026, 2, 23))  # local override of a built-in holiday
    assert is_working_day(date(2027, 2, 8), cal) is False
    with pytest.raises(ValueError, match="both"):
        WorkCalendar.with_extras(extra_holidays=[date(2027, 1, 1)], extra_workdays=[date(2027, 1, 1)])


def test_local_date_uses_beijing_time() -> None:
    assert local_date(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 1))
