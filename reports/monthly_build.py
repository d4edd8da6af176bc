"""Build the monthly matrix health review from stored data (`now` = the month's end, or today).

Definitions printed in the report: an account *in operation* is opened and in an active status at
the month's end; *checked* are those we could see (not blind); *不合格* is any 单项否决 (veto) finding
open at some time in the month, or one the rules find at the month's end; 合格率 = (checked −
不合格 among them) ÷ checked. The rules themselves are injected (`Evaluate`), so this module stays
independent of the rules package.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from zoneinfo import ZoneInfo

from registry.db.batch import paused_gc
from registry.findings.checks import DraftLike
from registry.findings.snapshots import (
    MonthFigures,
    MonthVerdicts,
    has_snapshot,
    record_month,
    stored_months,
    stored_verdicts,
)
from registry.views.monthly_data import ReportBase, month_data
from registry.views.reads import together
from reports import indices
from reports.content_safety import build_content_safety
from reports.monthly_judged import ACTIVE, JudgedMonth, ProblemLabels, RecordedMonth, platform_zh
from reports.monthly_model import MonthlyReport, RuleFacts, TrendPoint
from reports.monthly_response import month_responses, with_columns
from reports.monthly_sections import (
    closures,
    details_and_rankings,
    follower_change,
    overview,
    problem_groups,
    recheck,
)

# Kept importable from here: the review's labels and figures used by other reports.
__all__ = ["DEFINITIONS", "DEFINITIONS_EN", "Evaluate", "ProblemLabels", "build_monthly", "follower_change",
           "month_bounds", "month_figures", "platform_zh", "previous_month", "record_closed_month"]

DEFINITIONS = [
    "在运营账号：月末已开设且状态为运营中、整改中或审核中的账号。",
    "已检查：在运营账号中数据采集正常、能够判断更新情况的账号；采集中断的账号单列为“数据采集中断”，不计入检查数。",
    "不合格：当月任一时点存在单项否决情形（监测时间点前2周内无更新、未提供有效互动功能），或月末检查存在单项否决情形。",
    "合格率 =（已检查账号数 − 其中不合格数）÷ 已检查账号数。",
    "更新天数按北京时间自然日计算：最后一篇发布日期距检查日满14天即为“两周内无更新”。",
]
#: DEFINITIONS in English, line for line (``--lang en``).
DEFINITIONS_EN = [
    "Accounts in operation: accounts opened by the month's end whose status is operating, rectifying or under "
    "review.",
    "Checked: accounts in operation whose data collection works, so that their updates can be judged; accounts "
    "whose collection is interrupted are listed as \"data collection interrupted\" and not counted as checked.",
    "Fail: at some time in the month the account had a single-item veto finding (no update within the 2 weeks "
    "before a check point, or no effective interaction channel), or the month-end check finds one.",
    "Pass rate = (checked accounts − failing accounts among them) ÷ checked accounts.",
    "Days since an update are Beijing-time calendar days: 14 full days between the last post's date and the "
    "check date mean \"no update within two weeks\".",
]


Evaluate = Callable[[dt.datetime], Awaitable[Sequence[DraftLike]]]


def month_bounds(month: str, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, last instant] of a YYYY-MM month in the county's zone."""
    year, mon = (int(x) for x in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return (dt.datetime(year, mon, 1, tzinfo=tz), dt.datetime(year, mon, last, 23, 59, 59, tzinfo=tz))


def previous_month(month: str) -> str:
    """The month before YYYY-MM."""
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


async def _judge(month: str, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, base: ReportBase, *,
                 detail: bool, blind_rule: str, unseeable: frozenset[str] = frozenset()) -> tuple[JudgedMonth, dt.datetime]:
    start, end = month_bounds(month, tz)
    as_of = min(end, now)
    data, drafts = await together(month_data(start, as_of, indices.SUMMING, base=base, detail=detail),
                                   evaluate(as_of))
    return JudgedMonth(data, drafts, blind_rule, unseeable), as_of


def _figures(month: str, judged: JudgedMonth) -> MonthFigures:
    t = judged.tally("all", "合计", lambda a: True)
    counts = [judged.data.counts[aid] for aid in judged.operating if aid in judged.data.counts]
    reads = [r for _, r in counts if r is not None]
    return MonthFigures(month, t.accounts, t.checked, t.failed, sum(n for n, _ in counts),
                        sum(reads) if reads else None)


def _point(f: MonthFigures) -> TrendPoint:
    """A trend point from a month's figures (the pass rate as `JudgedMonth.tally` computes it)."""
    rate = (f.checked - f.failed) / f.checked if f.checked else None
    return TrendPoint(f.month, f.accounts, rate, f.posts, f.reads)


def _trend_point(month: str, judged: JudgedMonth) -> TrendPoint:
    return _point(_figures(month, judged))


async def _previous(month: str, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, base: ReportBase,
                    verdicts: MonthVerdicts | None, *, blind_rule: str, unseeable: frozenset[str]) -> JudgedMonth:
    """The month before the reported one: as recorded when it closed, else judged again."""
    if verdicts is not None:
        return RecordedMonth(base, *month_bounds(month, tz), verdicts)
    return (await _judge(month, tz, now, evaluate, base, detail=False, blind_rule=blind_rule,
                         unseeable=unseeable))[0]


async def _judge_closed(month: str, *, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, rules: Sequence[RuleFacts],
                        blind_rule: str) -> JudgedMonth:
    unseeable = frozenset(r.id for r in rules if r.unseeable)
    return (await _judge(month, tz, now, evaluate, await ReportBase.load(), detail=False, blind_rule=blind_rule,
                         unseeable=unseeable))[0]


async def month_figures(month: str, *, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, rules: Sequence[RuleFacts],
                        blind_rule: str) -> MonthFigures:
    """A month's trend figures judged from stored data (``evaluate``: at least the vetoes and ``blind_rule``)."""
    return _figures(month, await _judge_closed(month, tz=tz, now=now, evaluate=evaluate, rules=rules,
                                               blind_rule=blind_rule))


async def record_closed_month(*, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, rules: Sequence[RuleFacts],
                              blind_rule: str) -> str | None:
    """Snapshot the month before ``now``'s once it has closed (the first call in a month judges it, later
    ones find it recorded); the month recorded, or None.

    ``evaluate`` should run the whole catalogue: the trend figures need only the vetoes and ``blind_rule``,
    but the verdicts keep every problem of a failing account for the next review's 复核 list.
    """
    month = (now.astimezone(tz).date().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    if await has_snapshot(month):
        return None
    judged = await _judge_closed(month, tz=tz, now=now, evaluate=evaluate, rules=rules, blind_rule=blind_rule)
    return month if await record_month(_figures(month, judged), now, judged.verdicts(ProblemLabels(rules))) else None


async def build_monthly(month: str, *, county: str, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate,
                        rules: Sequence[RuleFacts], blind_rule: str, evaluate_trend: Evaluate | None = None,
                        trend_months: int = 12) -> MonthlyReport:
    """The whole review of a month (the current month is reported to date).

    ``rules``: the rule catalogue (problem categories and their labels); ``blind_rule``: the rule
    whose finding means an account could not be checked. ``evaluate_trend`` judges the older trend
    months; it only has to produce the vetoes and ``blind_rule`` (the catalogue's trend rules;
    default: ``evaluate``).
    """
    start, end = month_bounds(month, tz)
    if start > now:
        raise ValueError(f"{month} has not started yet")
    # Tens of thousands of rows, facts and findings stay alive at once: the cyclic collector's passes over
    # them cost seconds at province scale and find nothing (see registry.db.batch.paused_gc).
    with paused_gc():
        return await _build(month, start, end, county=county, tz=tz, now=now, evaluate=evaluate, rules=rules,
                            blind_rule=blind_rule, evaluate_trend=evaluate_trend, trend_months=trend_months)


async def _build(month: str, start: dt.datetime, end: dt.datetime, *, county: str, tz: ZoneInfo, now: dt.datetime,
                 evaluate: Evaluate, rules: Sequence[RuleFacts], blind_rule: str, evaluate_trend: Evaluate | None,
                 trend_months: int) -> MonthlyReport:
    labels = ProblemLabels(rules)
    base = await ReportBase.load()
    unseeable = frozenset(r.id for r in rules if r.unseeable)
    as_of = min(end, now)
    # 回应情况: the accounts of the 明细 rows (in operation at as_of) in their order (see monthly_sections.details_and_rankings).
    status = base.history.at(base.accounts, as_of)
    listed = sorted((a for a in base.accounts if status.get(a.id) in ACTIVE),
                    key=lambda a: (a.unit.name, a.platform, a.name))
    months = []
    m = month
    for _ in range(trend_months):
        months.append(m)
        m = previous_month(m)
    # Closed months recorded when they closed are read back (the month before with each account's
    # verdict); the others (a database older than the snapshots, a month no check ran after) are judged
    # again from stored data.
    last = previous_month(month)
    verdicts = await stored_verdicts(last)
    # The month's stored data and its judgement are two parts of their own (not one `_judge`): on SQLite each
    # part runs on a reader of its own, and parts inside a part run one after the other on its reader.
    cur_data, cur_drafts, prev, responses, content, stored = await together(
        month_data(start, as_of, indices.SUMMING, base=base, detail=True),
        evaluate(as_of),
        _previous(last, tz, now, evaluate, base, verdicts, blind_rule=blind_rule, unseeable=unseeable),
        month_responses([(a, platform_zh(a.platform)) for a in listed], start, as_of),
        build_content_safety(start, min(end, now)),
        stored_months(mm for mm in months[1:] if month_bounds(mm, tz)[1] < now))
    cur = JudgedMonth(cur_data, cur_drafts, blind_rule, unseeable)
    days = calendar.monthrange(start.year, start.month)[1]
    details, rankings = details_and_rankings(cur, as_of, days, labels)
    details = with_columns(details, responses)
    trends: list[TrendPoint] = []
    for mm in reversed(months):
        if mm == month or (mm == last and not isinstance(prev, RecordedMonth)):
            judged = cur if mm == month else prev
        elif mm in stored:
            trends.append(_point(stored[mm]))
            continue
        else:
            judged = (await _judge(mm, tz, now, evaluate_trend or evaluate, base, detail=False, blind_rule=blind_rule,
                                   unseeable=unseeable))[0]
        trends.append(_trend_point(mm, judged))
    return MonthlyReport(
        county=county, month=month, period_start=start.date(), period_end=end.date(), as_of=as_of,
        partial=as_of < end, generated_at=now, overview=overview(cur, prev), problems=problem_groups(cur, labels),
        recheck=recheck(cur, prev, labels), closures=closures(cur.data), rankings=rankings, details=details,
        trends=trends, definitions=list(DEFINITIONS), formulas=list(indices.FORMULAS_ZH),
        definitions_en=list(DEFINITIONS_EN), formulas_en=list(indices.FORMULAS_EN), responses=responses,
        content=content)
