"""Quiet hours and non-working days: when a message may go out, in the county's local time.

`next_window` answers None when sending is allowed now, else the first moment it is. The default
working-day test is Monday to Friday; pass the rules' holiday calendar (法定节假日 and 调休) from
the composition root for the real thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

COUNTY_TZ = ZoneInfo("Asia/Shanghai")
# More than a year of consecutive non-working days means a broken calendar, not a long holiday.
_MAX_DAYS = 400


def weekday(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """"HH:MM-HH:MM" (may wrap past midnight) -> (start, end); "" -> None."""
    text = text.strip()
    if not text:
        return None
    try:
        start_text, end_text = (part.strip() for part in text.split("-"))
        start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    except ValueError:
        raise ValueError(f"quiet_hours must look like 18:00-08:30, got {text!r}") from None
    if start == end:
        raise ValueError(f"quiet_hours {text!r} is empty; use \"\" for no quiet hours")
    return start, end


def _quiet(moment: time, span: tuple[time, time]) -> bool:
    start, end = span
    return start <= moment < end if start < end else (moment >= start or moment < end)


def next_window(
    now: datetime,
    quiet_hours: str = "18:00-08:30",
    working_days_only: bool = True,
    is_working_day: Callable[[date], bool] = weekday,
    tz: ZoneInfo = COUNTY_TZ,
) -> datetime | None:
    """None when a message may be sent at `now`, else the start of the next sending window (in `tz`)."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    span = parse_quiet_hours(quiet_hours)
    t = now.astimezone(tz)
    for _ in range(_MAX_DAYS * 3):
        if working_days_only and not is_working_day(t.date()):
            t = datetime.combine(t.date() + timedelta(days=1), time(0), tz)
        elif span is not None and _quiet(t.time(), span):
            start, end = span
            day = t.date() + timedelta(days=1) if start > end and t.time() >= start else t.date()
            t = datetime.combine(day, end, tz)
        else:
            return None if t == now else t
    raise ValueError("no working day found within a year: check the working-day calendar")


@dataclass(frozen=True)
class QuietSettings:
    """Quiet-hour options, read from the config's [notify] table."""

    quiet_hours: str = "18:00-08:30"
    working_days_only: bool = True
    # When true, veto-level (单项否决) messages go out even in quiet hours and on holidays.
    veto_bypass_quiet: bool = False

    @classmethod
    def from_dict(cls, section: Mapping[str, Any]) -> QuietSettings:
        """Settings from a [notify] table (validated)."""
        base = cls()
        hours = section.get("quiet_hours", base.quiet_hours)
        working = section.get("working_days_only", base.working_days_only)
        bypass = section.get("veto_bypass_quiet", base.veto_bypass_quiet)
        if not isinstance(hours, str):
            raise ValueError("[notify] quiet_hours must be a string like \"18:00-08:30\"")
        parse_quiet_hours(hours)
        if not isinstance(working, bool) or not isinstance(bypass, bool):
            raise ValueError("[notify] working_days_only and veto_bypass_quiet must be true or false")
        return cls(hours, working, bypass)


def hold_until(
    now: datetime,
    severities: Iterable[str],
    settings: QuietSettings,
    is_working_day: Callable[[date], bool] = weekday,
    tz: ZoneInfo = COUNTY_TZ,
) -> datetime | None:
    """Like next_window, but a message carrying a veto may go at once when the settings allow it."""
    if settings.veto_bypass_quiet and "veto" in set(severities):
        return None
    return next_window(now, settings.quiet_hours, settings.working_days_only, is_working_day, tz)
