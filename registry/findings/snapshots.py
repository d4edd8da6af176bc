"""Month-end snapshots: a closed month's health figures, recorded once when the month closes.

The monthly review's trend shows twelve months; re-running the rules at eleven past month ends costs
far more than the review itself at province scale. The figures of a closed month are therefore
recorded once (`record_month`, by the first check after the month closed) and read back by the
review (`stored_months`); a month without a snapshot (a database older than snapshots, a month when
no check ran) is re-evaluated by the review as before. A snapshot also keeps each account's verdict
(`MonthVerdicts`): the next month's review reads its 上月 columns and 复核 list from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class MonthVerdicts:
    """Each account's verdict at a closed month's end, as the review judged it."""

    operating: frozenset[int]  # in operation at the month's end
    unchecked: frozenset[int]  # of those, the ones we could not see
    #: The failing accounts' problems: rule → (Chinese label, English label), labels formatted when recorded.
    failed: dict[int, dict[str, tuple[str, str]]]

    def to_json(self) -> dict[str, object]:
        """The JSON stored in ``month_snapshot.verdicts``."""
        return {"operating": sorted(self.operating), "unchecked": sorted(self.unchecked),
                "failed": {str(aid): [[rule, zh, en] for rule, (zh, en) in problems.items()]
                           for aid, problems in sorted(self.failed.items())}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> MonthVerdicts:
        """Read back what `to_json` stored."""
        failed: Any = data["failed"]
        return cls(frozenset(_ints(data["operating"])), frozenset(_ints(data["unchecked"])),
                   {int(aid): {rule: (zh, en) for rule, zh, en in problems} for aid, problems in failed.items()})


def _ints(values: object) -> list[int]:
    return [int(v) for v in values] if isinstance(values, list) else []


async def stored_months(months: Iterable[str]) -> dict[str, MonthFigures]:
    """The recorded snapshots among ``months``, by month."""
    rows = await MonthSnapshot.filter(month__in=list(months)).values(
        "month", "accounts", "checked", "failed", "posts", "reads")
    return {r["month"]: MonthFigures(**r) for r in rows}


async def stored_verdicts(month: str) -> MonthVerdicts | None:
    """The verdicts recorded with ``month``'s snapshot; None without a snapshot or one recorded before them."""
    rows = await MonthSnapshot.filter(month=month, verdicts__not_isnull=True).values_list("verdicts", flat=True)
    return MonthVerdicts.from_json(rows[0]) if rows and rows[0] else None  # type: ignore[arg-type]


async def has_snapshot(month: str) -> bool:
    """Whether ``month`` was recorded."""
    return await MonthSnapshot.filter(month=month).exists()


async def record_month(figures: MonthFigures, taken_at: dt.datetime, verdicts: MonthVerdicts | None = None) -> bool:
    """Record a closed month once; False when it was already recorded (the first record stands)."""
    if await has_snapshot(figures.month):
        return False
    try:
        await MonthSnapshot.create(month=figures.month, accounts=figures.accounts, checked=figures.checked,
                                   failed=figures.failed, posts=figures.posts, reads=figures.reads,
                                   taken_at=taken_at, verdicts=verdicts.to_json() if verdicts else None)
    except IntegrityError:  # another worker recorded it between the look and the write
        return False
    return True
