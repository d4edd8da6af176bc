"""Chinese working-day calendar: weekends off, statutory holidays off, 调休 make-up days on.

Built-in tables come from the State Council General Office's yearly notices
(国务院办公厅关于XXXX年部分节假日安排的通知):

* 2024 — 国办发明电〔2023〕7号 (2023-10-25), gov.cn/zhengce/content/202310/content_6911527.htm
* 2025 — 国办发明电〔2024〕12号 (2024-11-12), gov.cn/zhengce/content/202411/content_6986382.htm;
  the first year under the revised 《全国年节及纪念日放假办法》 (除夕 and 5月2日 became holidays)
* 2026 — 国办发明电〔2025〕7号 (2025-11-04; the number is from memory, unconfirmed),
  gov.cn/zhengce/content/202511/content_7047090.htm

Confidence: high for every date below. They were written from memory of the notices and checked
against a republished full text of the 2026 notice and the notice texts quoted in the widely used
open-source `chinese-calendar` tables; the gov.cn originals were not consulted here.

Years outside the tables fall back to plain weekends: add each new year's notice (published
around November) to the tables, or meanwhile through `[rules.calendar] extra_holidays` and
`extra_workdays`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

# China has had no daylight saving since 1991, so a fixed +08:00 offset is exact and avoids
# depending on the host's tz database (Windows and slim containers often lack it).
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


_last_local: tuple[datetime, date] | None = None


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    global _last_local
    last = _last_local
    if last is not None and last[0] is moment:  # an evaluation asks for its `now` thousands of times
        return last[1]
    if moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass an aware datetime")
    day = moment.astimezone(SHANGHAI).date()
    _last_local = (moment, day)
    return day


def _span(year: int, start: tuple[int, int], end: tuple[int, int]) -> list[date]:
    first, last = date(year, *start), date(year, *end)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _days(year: int, *days: tuple[int, int]) -> list[date]:
    return [date(year, m, d) for m, d in days]


# Days off that would otherwise be working days or weekends (whole holiday spans, as announced).
BUILTIN_HOLIDAYS: frozenset[date] = frozenset(
    # 2024: 元旦 1/1; 春节 2/10-17; 清明 4/4-6; 劳动节 5/1-5; 端午 6/10; 中秋 9/15-17; 国庆 10/1-7
    _days(2024, (1, 1), (6, 10))
    + _span(2024, (2, 10), (2, 17))
    + _span(2024, (4, 4), (4, 6))
    + _span(2024, (5, 1), (5, 5))
    + _span(2024, (9, 15), (9, 17))
    + _span(2024, (10, 1), (10, 7))
    # 2025: 元旦 1/1; 春节 1/28-2/4; 清明 4/4-6; 劳动节 5/1-5; 端午 5/31-6/2; 国庆+中秋 10/1-8
    + _days(2025, (1, 1))
    + _span(2025, (1, 28), (2, 4))
    + _span(2025, (4, 4), (4, 6))
    + _span(2025, (5, 1), (5, 5))
    + _span(2025, (5, 31), (6, 2))
    + _span(2025, (10, 1), (10, 8))
    # 2026: 元旦 1/1-3; 春节 2/15-23 (9 days); 清明 4/4-6; 劳动节 5/1-5; 端午 6/19-21;
    # 中秋 9/25-27; 国庆 10/1-7
    + _span(2026, (1, 1), (1, 3))
    + _span(2026, (2, 15), (2, 23))
    + _span(2026, (4, 4), (4, 6))
    + _span(2026, (5, 1), (5, 5))
    + _span(2026, (6, 19), (6, 21))
    + _span(2026, (9, 25), (9, 27))
    + _span(2026, (10, 1), (10, 7))
)

# 调休 make-up working days that fall on a Saturday or Sunday.
BUILTIN_WORKDAYS: frozenset[date] = frozenset(
    _days(2024, (2, 4), (2, 18), (4, 7), (4, 28), (5, 11), (9, 14), (9, 29), (10, 12))
    + _days(2025, (1, 26), (2, 8), (4, 27), (9, 28), (10, 11))
    + _days(2026, (1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10))
)

#: Years whose holidays the built-in tables know.
BUILTIN_YEARS: frozenset[int] = frozenset({2024, 2025, 2026})


@dataclass(frozen=True)
class WorkCalendar:
    """A working-day calendar; extras from config win over the built-in tables."""

    holidays: frozenset[date] = BUILTIN_HOLIDAYS
    workdays: frozenset[date] = BUILTIN_WORKDAYS

    @classmethod
    def with_extras(cls, extra_holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> WorkCalendar:
        """The built-in calendar plus local extra holidays and make-up working days."""
        hol, work = frozenset(extra_holidays), frozenset(extra_workdays)
        both = sorted(hol & work)
        if both:
            raise ValueError(f"dates listed both as holiday and as working day: {', '.join(map(str, both))}")
        return cls(holidays=(BUILTIN_HOLIDAYS - work) | hol, workdays=(BUILTIN_WORKDAYS - hol) | work)

    def is_working_day(self, d: date) -> bool:
        """True on a working day: a weekday that is not a holiday, or a 调休 make-up day."""
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def working_days_between(self, start_exclusive: date, end_inclusive: date) -> int:
        """Working days d with start < d <= end (negative when end precedes start)."""
        if end_inclusive < start_exclusive:
            return -self.working_days_between(end_inclusive, start_exclusive)
        total = (end_inclusive - start_exclusive).days
        weeks, rest = divmod(total, 7)
        count = weeks * 5
        for i in range(1, rest + 1):
            if (start_exclusive + timedelta(days=weeks * 7 + i)).weekday() < 5:
                count += 1
        # Only the exceptions inside the range need correcting: the tables are tiny.
        count -= sum(1 for h in self.holidays if start_exclusive < h <= end_inclusive and h.weekday() < 5)
        count += sum(1 for w in self.workdays if start_exclusive < w <= end_inclusive and w.weekday() >= 5)
        return count

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (before it when n < 0); start itself when n == 0."""
        step = 1 if n >= 0 else -1
        d, left = start, abs(n)
        while left:
            d += timedelta(days=step)
            if self.is_working_day(d):
                left -= 1
        return d


DEFAULT_CALENDAR = WorkCalendar()


def is_working_day(d: date, cal: WorkCalendar | None = None) -> bool:
    """True when d is a working day in cal (the built-in calendar by default)."""
    return (cal or DEFAULT_CALENDAR).is_working_day(d)


def working_days_between(start_exclusive: date, end_inclusive: date, cal: WorkCalendar | None = None) -> int:
    """Working days d with start_exclusive < d <= end_inclusive."""
    return (cal or DEFAULT_CALENDAR).working_days_between(start_exclusive, end_inclusive)


def add_working_days(start: date, n: int, cal: WorkCalendar | None = None) -> date:
    """The n-th working day after start (before it when n is negative)."""
    return (cal or DEFAULT_CALENDAR).add_working_days(start, n)
