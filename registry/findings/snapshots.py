"""Month-end snapshots: a closed month's health figures, recorded once when the month closes.

The monthly review's trend shows twelve months; re-running the rules at eleven past month ends costs
far more than the review itself at province scale. The figures of a closed month are therefore
recorded once (`record_month`, by the first check after the month closed) and read back by the
review (`stored_months`); a month without a snapshot (a database older than snapshots, a month when
no check ran) is re-evaluated by the review as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from registry.db.models import MonthSnapshot


@dataclass(frozen=True)
class MonthFigures:
    """One closed month as the review's trend counts it."""

    month: str  # YYYY-MM
    accounts: int  # in operation at the month's end
    checked: int
    failed: int
    posts: int
    reads: int | None


async def stored_months(months: Iterable[str]) -> dict[str, MonthFigures]:
    """The recorded snapshots among ``months``, by month."""
    rows = await MonthSnapshot.filter(month__in=list(months)).values(
        "month", "accounts", "checked", "failed", "posts", "reads")
    return {r["month"]: MonthFigures(**r) for r in rows}


async def has_snapshot(month: str) -> bool:
    """Whether ``month`` was recorded."""
    return await MonthSnapshot.filter(month=month).exists()


async def record_month(figures: MonthFigures, taken_at: dt.datetime) -> bool:
    """Record a closed month once; False when it was already recorded (the first record stands)."""
    if await has_snapshot(figures.month):
        return False
    try:
        await MonthSnapshot.create(month=figures.month, accounts=figures.accounts, checked=figures.checked,
                                   failed=figures.failed, posts=figures.posts, reads=figures.reads,
                                   taken_at=taken_at)
    except IntegrityError:  # another worker recorded it between the look and the write
        return False
    return True
