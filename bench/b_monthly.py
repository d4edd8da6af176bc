"""Monthly report: `reports.monthly_build.build_monthly` (rules injected through `evaluate_at`,
12 trend months) plus rendering HTML, xlsx and docx. The baseline is one SQL query aggregating the
month's posts and reads per account.

The closed trend months are read from month-end snapshots, as on a database where checks ran when those
months closed (the month before MONTH with each account's verdict: the 上月 columns and 复核 list): before
timing, each missing snapshot is recorded as the first check of the following month records it
(`reports.monthly_build.record_closed_month`, untimed, reported as ``snapshots_s``). ``snapshots=False``
measures a database without snapshots (the month before judged again in full, older trend months by the
veto and blind rules, as before issue 24).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    MONTH,
    NOW,
    TZ,
    Result,
    backend,
    max_rss_mb,
    timed,
    timed_fetch,
)
from registry.db.lifecycle import database
from registry.db.models import MonthSnapshot
from reports.monthly_build import build_monthly, month_bounds, previous_month, record_closed_month
from reports.monthly_files import write_monthly
from rules.config import BLIND_RULE, CATALOGUE, RuleSettings, rules_where
from rules.evaluate import evaluate_at
from rules.facts import FindingDraft

MONTH_SQL = ("SELECT account_id, COUNT(*), SUM(reads), SUM(likes) FROM post "
             "WHERE published_at >= ? AND published_at <= ? GROUP BY account_id")


async def month_query(url: str) -> tuple[float, int]:
    """The baseline aggregate with the raw driver; (seconds, rows)."""
    start, end = month_bounds(MONTH, TZ)
    return await timed_fetch(url, MONTH_SQL, start, end)


async def record_snapshots(settings: RuleSettings, trend_months: int) -> int:
    """Record the closed trend months before MONTH as the first check after each closed would (the whole
    catalogue, as `govmedia check` records them); how many were recorded."""
    months, m = [], previous_month(MONTH)
    for _ in range(trend_months - 1):
        months.append(m)
        m = previous_month(m)

    async def evaluate(at: dt.datetime) -> Sequence[FindingDraft]:
        return await evaluate_at(at, settings)

    recorded = 0
    for month in months:
        first_check = month_bounds(month, TZ)[1] + dt.timedelta(minutes=30)
        recorded += await record_closed_month(tz=TZ, now=first_check, evaluate=evaluate,
                                              rules=list(CATALOGUE.values()), blind_rule=BLIND_RULE) is not None
    return recorded


async def run(url: str, accounts: int, *, trend_months: int = 12, snapshots: bool = True) -> Result:
    """Time building and rendering the review of MONTH."""
    res = Result("monthly", backend(url), accounts)
    settings = RuleSettings.from_dict({})
    evaluations: list[float] = []

    async def evaluate(at: dt.datetime) -> Sequence[FindingDraft]:
        with timed() as t:
            drafts = await evaluate_at(at, settings)
        evaluations.append(t.wall)
        return drafts

    async def evaluate_trend(at: dt.datetime) -> Sequence[FindingDraft]:
        # As `govmedia report monthly` does: older trend months need only the veto and blind rules.
        with timed() as t:
            drafts = await evaluate_at(at, settings, only=rules_where("trend"))
        evaluations.append(t.wall)
        return drafts

    await month_query(url)
    t_base, n_rows = await month_query(url)
    # Upgrading applies the snapshots' migration to a dataset generated before it (a no-op otherwise).
    async with database(url):
        with timed() as t_snap:
            if snapshots:
                recorded = await record_snapshots(settings, trend_months)
            else:
                recorded = 0
                await MonthSnapshot.all().delete()
        stored = await MonthSnapshot.all().count()
        with timed() as t_build:
            report = await build_monthly(MONTH, county="基准省", tz=TZ, now=NOW, evaluate=evaluate,
                                         rules=list(CATALOGUE.values()), blind_rule=BLIND_RULE,
                                         evaluate_trend=evaluate_trend, trend_months=trend_months)
    rss_built = max_rss_mb()
    with tempfile.TemporaryDirectory() as out, timed() as t_render:
        paths = write_monthly(report, Path(out))
        sizes = {p.suffix.lstrip("."): p.stat().st_size for p in paths}
    total = t_build.wall + t_render.wall
    res.values.update({
        "baseline_s": round(t_base, 3), "accounts_in_month": n_rows,
        "build_s": round(t_build.wall, 3), "evaluate_s": round(sum(evaluations), 3), "evaluations": len(evaluations),
        "render_s": round(t_render.wall, 3), "total_s": round(total, 3), "total_cpu_s": round(t_build.cpu + t_render.cpu, 3),
        "ratio_total_to_baseline": round(total / t_base, 1), "detail_rows": len(report.details),
        "snapshots": stored, "snapshots_recorded": recorded, "snapshots_s": round(t_snap.wall, 3),
        "files_kb": "/".join(str(sizes.get(k, 0) // 1024) for k in ("html", "xlsx", "docx")),
        "max_rss_after_build_mb": round(rss_built, 1), "max_rss_mb": round(max_rss_mb(), 1),
    })
    return res
