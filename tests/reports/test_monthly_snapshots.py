"""Month-end snapshots: the trend month recorded when it closed equals the one judged again."""

from __future__ import annotations

import dataclasses
import datetime as dt

from registry.db.models import Account, MonthSnapshot
from registry.findings.snapshots import (
    MonthFigures,
    MonthVerdicts,
    record_month,
    stored_months,
    stored_verdicts,
)
from reports.monthly_build import build_monthly, month_figures, record_closed_month
from rules.evaluate import evaluate_at
from tests.reports.test_monthly_build import RULES, SETTINGS, TZ, P, add, day, observe

DECEMBER = dt.datetime(2026, 12, 3, 9, 0, tzinfo=TZ)


async def evaluate(moment: dt.datetime):  # type: ignore[no-untyped-def]
    return await evaluate_at(moment, SETTINGS)


async def evaluate_trend(moment: dt.datetime):  # type: ignore[no-untyped-def]
    from rules.config import rules_where

    return await evaluate_at(moment, SETTINGS, only=rules_where("trend"))


async def scenario() -> None:
    """Four accounts with October posts: one fine, one stale, one without interaction, one never seen."""
    good = await add("gh_00000000000a", "好号")
    await observe(good, [P(f"{i}_1", day(i), reads=100 * i, shares=i, likes=0) for i in range(1, 32, 3)])
    silent = await add("gh_00000000000b", "停更号")
    await observe(silent, [P("s_1", day(5), reads=50, shares=0)])
    mute = await add("gh_00000000000c", "无互动号", interaction="无")
    await observe(mute, [P(f"m{i}_1", day(i), reads=None) for i in range(1, 32, 7)])
    await add("gh_00000000000d", "失联号")


async def test_stored_trend_month_equals_the_reevaluated_one(db: str) -> None:
    await scenario()
    # The first check of November records October, once; later checks find it recorded.
    november = dt.datetime(2026, 11, 1, 0, 30, tzinfo=TZ)
    assert await record_closed_month(tz=TZ, now=november, evaluate=evaluate_trend, **RULES) == "2026-10"
    assert await record_closed_month(tz=TZ, now=november + dt.timedelta(hours=1), evaluate=evaluate_trend,
                                     **RULES) is None
    stored = (await stored_months(["2026-10", "2026-09"]))
    assert list(stored) == ["2026-10"]
    october = stored["2026-10"]
    assert (october.accounts, october.checked, october.failed, october.posts) == (4, 3, 2, 11 + 1 + 5)
    assert october.reads == sum(100 * i for i in range(1, 32, 3)) + 50
    # Judged again now, October has the same figures (the full catalogue, too).
    again = await month_figures("2026-10", tz=TZ, now=DECEMBER, evaluate=evaluate, **RULES)
    assert again == october
    # December's review reads October from the snapshot; without it, October is judged again: same trend.
    kwargs = {"county": "测试县", "tz": TZ, "now": DECEMBER, "evaluate": evaluate, "evaluate_trend": evaluate_trend,
              "trend_months": 4, **RULES}
    from_snapshot = await build_monthly("2026-12", **kwargs)  # type: ignore[arg-type]
    await MonthSnapshot.all().delete()
    judged = await build_monthly("2026-12", **kwargs)  # type: ignore[arg-type]
    assert [t.month for t in judged.trends] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert from_snapshot.trends == judged.trends
    assert judged.trends[1].pass_rate == 1 / 3 and judged.trends[1].posts == 17


async def test_the_review_reads_what_was_recorded(db: str) -> None:
    # A recorded month is what the trend shows (proof that it is read, not judged again)...
    await scenario()
    await record_month(MonthFigures("2026-09", accounts=7, checked=5, failed=1, posts=123, reads=None), DECEMBER)
    rep = await build_monthly("2026-12", county="测试县", tz=TZ, now=DECEMBER, evaluate=evaluate, trend_months=4,
                              **RULES)  # type: ignore[arg-type]
    september = rep.trends[0]
    assert (september.month, september.accounts, september.pass_rate, september.posts, september.reads) == (
        "2026-09", 7, 0.8, 123, None)
    # ...and the first record stands: a second one for the same month is refused.
    assert not await record_month(dataclasses.replace(
        MonthFigures("2026-09", 1, 1, 0, 0, None)), DECEMBER)
    assert (await stored_months(["2026-09"]))["2026-09"].accounts == 7


async def test_stored_month_before_equals_the_reevaluated_one(db: str) -> None:
    # November's review compares with October: its 上月 columns, 复核 list and trend point come from the
    # verdicts recorded when October closed, and equal October judged again.
    await scenario()
    november = dt.datetime(2026, 11, 1, 0, 30, tzinfo=TZ)
    assert await record_closed_month(tz=TZ, now=november, evaluate=evaluate, **RULES) == "2026-10"
    verdicts = await stored_verdicts("2026-10")
    assert verdicts is not None and len(verdicts.operating) == 4 and len(verdicts.unchecked) == 1
    assert sorted(verdicts.failed.values(), key=str) == [
        {"no_interaction": ("未提供有效互动功能", "No effective interaction channel")},
        {"stale_veto": ("内容不更新", "No updates"),  # with its warnings: the verdicts need the whole catalogue
         "frequency_below_target": ("更新频率不达标", "Below the required update frequency")}]
    kwargs = {"county": "测试县", "tz": TZ, "now": DECEMBER, "evaluate": counted, "evaluate_trend": evaluate_trend,
              "trend_months": 3, **RULES}
    moments.clear()
    recorded = await build_monthly("2026-11", **kwargs)  # type: ignore[arg-type]
    assert [m.month for m in moments] == [11]  # only November judged: October was read back
    await MonthSnapshot.all().delete()
    moments.clear()
    judged = await build_monthly("2026-11", **kwargs)  # type: ignore[arg-type]
    assert sorted(m.month for m in moments) == [10, 11]
    assert recorded.overview == judged.overview
    assert recorded.recheck == judged.recheck
    assert recorded.trends == judged.trends
    assert [(r.account, r.last_month_problem) for r in judged.recheck] == [
        ("停更号", "内容不更新、更新频率不达标"), ("无互动号", "未提供有效互动功能")]
    assert judged.overview.total.prev_checked == 3 and judged.overview.total.prev_failed == 2


async def test_the_review_reads_the_recorded_verdicts(db: str) -> None:
    # What was recorded is what the review shows (the month is not judged again)...
    await scenario()
    ids = sorted(a.id for a in await Account.all())
    verdicts = MonthVerdicts(frozenset(ids[:3]), frozenset(), {ids[0]: {"stale_veto": ("旧标签", "Old label")}})
    await record_month(MonthFigures("2026-10", accounts=3, checked=3, failed=1, posts=5, reads=None), DECEMBER,
                       verdicts)
    rep = await build_monthly("2026-11", county="测试县", tz=TZ, now=DECEMBER, evaluate=evaluate, trend_months=2,
                              **RULES)  # type: ignore[arg-type]
    total = rep.overview.total
    assert (total.prev_accounts, total.prev_checked, total.prev_failed) == (3, 3, 1)
    assert [(r.account, r.last_month_problem) for r in rep.recheck] == [("好号", "旧标签")]
    assert (rep.trends[0].month, rep.trends[0].accounts, rep.trends[0].posts) == ("2026-10", 3, 5)
    # ...and a snapshot recorded before the verdicts (none stored) has the month judged again.
    await MonthSnapshot.all().update(verdicts=None)
    assert await stored_verdicts("2026-10") is None
    again = await build_monthly("2026-11", county="测试县", tz=TZ, now=DECEMBER, evaluate=evaluate, trend_months=2,
                                **RULES)  # type: ignore[arg-type]
    assert again.overview.total.prev_accounts == 4 and again.trends[0].posts == 17


moments: list[dt.datetime] = []


async def counted(moment: dt.datetime):  # type: ignore[no-untyped-def]
    moments.append(moment)
    return await evaluate(moment)
