"""The review's independent reads run side by side on PostgreSQL; inside a transaction they share its one
connection (tortoise queues them): the same review either way."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from reports.monthly_build import build_monthly
from tests.reports.test_monthly_build import RULES
from tests.reports.test_monthly_snapshots import DECEMBER, TZ, evaluate, scenario


async def test_the_review_inside_a_transaction_equals_the_one_outside(db: str) -> None:
    await scenario()
    kwargs = {"county": "测试县", "tz": TZ, "now": DECEMBER, "evaluate": evaluate, "trend_months": 3, **RULES}
    outside = await build_monthly("2026-11", **kwargs)  # type: ignore[arg-type]
    async with in_transaction():
        inside = await build_monthly("2026-11", **kwargs)  # type: ignore[arg-type]
    assert inside == outside
    assert sorted(r.name for r in inside.details) == sorted(["好号", "停更号", "无互动号", "失联号"])
