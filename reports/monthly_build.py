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
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

from registry.db.batch import paused_gc
from registry.db.models import Account
from registry.findings.checks import DraftLike
from registry.findings.snapshots import (
    MonthFigures,
    MonthVerdicts,
    has_snapshot,
    record_month,
    stored_months,
    stored_verdicts,
)
from registry.ledger.vocab import ACTIVE_STATUSES, PLATFORM_LABELS, STATUS_LABELS, UNIT_KIND_LABELS, label
from registry.views.monthly_data import (
    AccountInfo,
    MonthData,
    PostTotals,
    ReportBase,
    month_data,
)
from registry.views.reads import together
from reports import indices
from reports.content_safety import build_content_safety
from reports.monthly_model import (
    UNSEEN,
    AccountRow,
    Closures,
    MonthlyReport,
    Overview,
    ProblemGroup,
    Rankings,
    RankRow,
    RecheckRow,
    ReviewDecision,
    RuleFacts,
    Tally,
    TrendPoint,
    remember_term,
)
from reports.monthly_response import month_responses, with_columns

ACTIVE = {s.value for s in ACTIVE_STATUSES}
CLOSED = {"closed", "deregistered", "notice"}
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


def platform_zh(code: str) -> str:
    """A platform code as its Chinese label."""
    return label(PLATFORM_LABELS, code)


Evaluate = Callable[[dt.datetime], Awaitable[Sequence[DraftLike]]]

Evidence = Mapping[str, object]


class ProblemLabels:
    """The review's problem categories: the catalogue's rules, vetoes first, then in catalogue order.

    Labels are the rules' templates formatted with a finding's evidence (thresholds come from the
    evidence); each Chinese label is taught its English for the renderers (``monthly_model.term``).
    """

    def __init__(self, rules: Iterable[RuleFacts]) -> None:
        listed = list(rules)
        self.rules = {r.id: r for r in listed}
        self.vetoes = frozenset(r.id for r in listed if r.severity == "veto")
        self.order = [r.id for r in listed if r.id in self.vetoes] + [r.id for r in listed if r.id not in self.vetoes]

    def label(self, rule: str, evidence: Evidence | None = None) -> str:
        """One finding's label in Chinese (the rule id for a rule the catalogue no longer has)."""
        r = self.rules.get(rule)
        return rule if r is None else remember_term(r.label("zh", evidence), r.label("en", evidence))

    def group(self, rule: str, evidences: Iterable[Evidence]) -> str:
        """The label of a category: the findings' common label, else the rule's plain name."""
        labels = {self.label(rule, e) for e in evidences}
        return labels.pop() if len(labels) == 1 else self.label(rule, {})

    def joined(self, problems: Mapping[str, Evidence]) -> str:
        """An account's problems, labelled and joined with "、" in review order."""
        return "、".join(self.label(r, problems[r]) for r in self.order if r in problems)

    def pairs(self, problems: Mapping[str, Evidence]) -> dict[str, tuple[str, str]]:
        """An account's problems as (Chinese, English) labels, as a snapshot records them."""
        return {r: (self.label(r, e), r_.label("en", e) if (r_ := self.rules.get(r)) else r)
                for r, e in problems.items()}

    def recorded(self, problems: Mapping[str, tuple[str, str]]) -> str:
        """`joined` for labels recorded by `pairs` (each taught to ``term``)."""
        return "、".join(remember_term(*problems[r]) for r in self.order if r in problems)


def month_bounds(month: str, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[first instant, last instant] of a YYYY-MM month in the county's zone."""
    year, mon = (int(x) for x in month.split("-"))
    last = calendar.monthrange(year, mon)[1]
    return (dt.datetime(year, mon, 1, tzinfo=tz), dt.datetime(year, mon, last, 23, 59, 59, tzinfo=tz))


def previous_month(month: str) -> str:
    """The month before YYYY-MM."""
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def _label(a: Account | AccountInfo) -> str:
    return f"{a.name}（{platform_zh(a.platform)}）"



class _Month:
    """One month's judgement: who is in operation, checked, failing, with which problems."""

    def __init__(self, data: MonthData, drafts: Sequence[DraftLike], blind_rule: str,
                 unseeable: frozenset[str] = frozenset()) -> None:
        self.data = data
        self.operating = {a.id: a for a in data.accounts if data.status_at_end.get(a.id) in ACTIVE}
        # Each account's problems, with the evidence their labels are formatted with (the check's first).
        self.problems: dict[int, dict[str, Evidence]] = defaultdict(dict)
        for d in drafts:
            if d.account_id in self.operating:
                self.problems[d.account_id].setdefault(d.rule, d.evidence)
        for f in data.month_findings:
            if f.account_id in self.operating and f.rule != blind_rule:
                self.problems[f.account_id].setdefault(f.rule, f.evidence)
        # Accounts we cannot see at the month's end (blind, gone): not checked, their verdict 无法判断.
        unseen_rules = unseeable | {blind_rule}
        self.unseen = {d.account_id for d in drafts if d.rule in unseen_rules}
        self.checked = {aid for aid in self.operating if aid not in self.unseen}
        veto_rules = {d.rule for d in drafts if d.severity == "veto"} | {f.rule for f in data.veto_findings}
        self.failed = {aid for aid in self.checked if self.problems[aid].keys() & veto_rules}

    def problem_text(self, aid: int, labels: ProblemLabels) -> str:
        """An account's problems, labelled and joined in review order."""
        return labels.joined(self.problems[aid])

    def verdicts(self, labels: ProblemLabels) -> MonthVerdicts:
        """Each account's verdict as a snapshot records it."""
        return MonthVerdicts(frozenset(self.operating), frozenset(a for a in self.operating if a in self.unseen),
                             {aid: labels.pairs(self.problems[aid]) for aid in self.failed})

    def verdict(self, aid: int) -> str:
        """The 明细 conclusion, matching the headline: 不合格, 无法判断 (not checked) or 合格."""
        return "不合格" if aid in self.failed else UNSEEN if aid not in self.checked else "合格"

    def tally(self, key: str, label: str, keep: Callable[[AccountInfo], bool]) -> Tally:
        ids = [aid for aid, a in self.operating.items() if keep(a)]
        checked = [aid for aid in ids if aid in self.checked]
        failed = [aid for aid in checked if aid in self.failed]
        rate = (len(checked) - len(failed)) / len(checked) if checked else None
        return Tally(key, label, len(ids), len(checked), len(failed), rate)


class _Recorded(_Month):
    """A closed month read back from its snapshot's verdicts: no stored data loaded, no rule run."""

    def __init__(self, base: ReportBase, start: dt.datetime, end: dt.datetime, verdicts: MonthVerdicts) -> None:
        self.data = MonthData(start=start, end=end, accounts=base.accounts, status_at_end={})
        self.operating = {a.id: a for a in base.accounts if a.id in verdicts.operating}
        self.problems = defaultdict(dict)  # only the failing accounts' labels are recorded
        self.unseen = set(verdicts.unchecked)
        self.checked = {aid for aid in self.operating if aid not in self.unseen}
        self.failed = {aid for aid in verdicts.failed if aid in self.checked}
        self._labels = verdicts.failed

    def problem_text(self, aid: int, labels: ProblemLabels) -> str:
        """The recorded labels of a failing account's problems, in review order."""
        return labels.recorded(self._labels.get(aid, {}))


def _with_prev(now: Tally, prev: Tally) -> Tally:
    return Tally(now.key, now.label, now.accounts, now.checked, now.failed, now.pass_rate,
                 prev.accounts, prev.checked, prev.failed, prev.pass_rate)


def _overview(cur: _Month, prev: _Month) -> Overview:
    def both(key: str, label: str, keep: Callable[[AccountInfo], bool]) -> Tally:
        return _with_prev(cur.tally(key, label, keep), prev.tally(key, label, keep))

    platforms = sorted({a.platform for a in cur.operating.values()})
    kinds = [k for k in UNIT_KIND_LABELS if any(a.unit.kind == k.value for a in cur.operating.values())]
    return Overview(
        total=both("all", "合计", lambda a: True),
        by_platform=[both(p, platform_zh(p), lambda a, p=p: a.platform == p) for p in platforms],  # type: ignore[misc]
        by_unit_kind=[both(k.value, label, lambda a, k=k: a.unit.kind == k.value)  # type: ignore[misc]
                      for k, label in UNIT_KIND_LABELS.items() if k in kinds])


def _problem_groups(cur: _Month, labels: ProblemLabels) -> list[ProblemGroup]:
    with_problems = [aid for aid, rules in cur.problems.items() if rules]
    groups = []
    for rule in labels.order:
        ids = [aid for aid in with_problems if rule in cur.problems[aid]]
        if ids:
            name = labels.group(rule, (cur.problems[aid][rule] for aid in ids))
            groups.append(ProblemGroup(rule, name, rule in labels.vetoes, len(ids),
                                       len(ids) / len(with_problems), [_label(cur.operating[a]) for a in ids]))
    return groups


def _recheck(cur: _Month, prev: _Month, labels: ProblemLabels) -> list[RecheckRow]:
    rows = []
    for aid in sorted(prev.failed):
        a = prev.operating[aid]
        status = cur.data.status_at_end.get(aid)
        state = "已关停" if status in CLOSED else ("仍未整改" if aid in cur.failed else "已整改")
        rows.append(RecheckRow(a.name, platform_zh(a.platform), a.unit.name, prev.problem_text(aid, labels), state))
    return rows


def _closures(data: MonthData) -> Closures:
    decided = data.reviews_decided
    closed = [_label(r.account) for r in decided if r.decision in ("关停", "注销")]
    merged = [f"{_label(r.account)} → {r.merge_into.name if r.merge_into else ''}" for r in decided if r.decision == "整合"]
    decisions = [ReviewDecision(r.account.name, r.decision or "", r.decided_by, r.decided_at.date())
                 for r in decided if r.decided_at]
    return Closures(len(data.reviews_opened), len(decided), closed, merged, decisions)


def _index(a: AccountInfo, t: PostTotals | None, days: int) -> float | None:
    """WCI (WeChat) or BCI (Weibo) over a period of ``days`` from the account's post totals.

    None when nothing was posted, the platform has no index, or an input is unknown (`index_known`).
    """
    if t is None or not t.posts or not index_known(a.platform, t):
        return None
    if a.platform == "wechat":
        # Same inputs as indices.wci_from_articles with reads capped at 10万+, summed in SQL; a lead or
        # maximum with no known value (no lead article) is an empty sum: 0.
        return round(indices.wci(
            d=days, n=t.posts, reads=_n(t.capped_reads), zaikan=_n(t.zaikan), likes=_n(t.likes), shares=_n(t.shares),
            lead_reads=_n(t.lead_reads), lead_zaikan=_n(t.lead_zaikan), lead_likes=_n(t.lead_likes),
            lead_shares=_n(t.lead_shares), max_reads=_n(t.max_reads), max_zaikan=_n(t.max_zaikan),
            max_likes=_n(t.max_likes), max_shares=_n(t.max_shares)), 2)
    return round(indices.bci(t.posts, _n(t.shares), _n(t.comments), _n(t.likes)), 2)


def index_known(platform: str, t: PostTotals) -> bool:
    """The platform has an index and every one of its inputs is known for some post of the period."""
    inputs = indices.INDEX_INPUTS.get(platform)
    return inputs is not None and all(getattr(t, name) is not None for name in inputs)


def _n(value: int | None) -> int:
    # Only called once index_known holds: a None left here is an empty lead / maximum.
    return value or 0


def _details_and_rankings(cur: _Month, as_of: dt.datetime, days: int,
                          labels: ProblemLabels) -> tuple[list[AccountRow], Rankings]:
    rows: list[AccountRow] = []
    wechat: list[tuple[RankRow, int]] = []
    weibo: list[tuple[RankRow, int]] = []
    insufficient: list[str] = []
    for aid, a in sorted(cur.operating.items(), key=lambda kv: (kv[1].unit.name, kv[1].platform, kv[1].name)):
        t = cur.data.totals.get(aid)
        last = cur.data.last_post_at.get(aid)
        idx = _index(a, t, days)
        start, end = cur.data.followers_start.get(aid), cur.data.followers_end.get(aid)
        approx = aid in cur.data.followers_approx
        problems = labels.joined(cur.problems[aid])
        # An account we cannot see has no known post count; one we see posted nothing: 0.
        posts = t.posts if t else (None if aid in cur.unseen else 0)
        rows.append(AccountRow(a.name, platform_zh(a.platform), a.unit.name, UNIT_KIND_LABELS_BY_CODE.get(a.unit.kind, ""),
                               STATUS_BY_CODE.get(cur.data.status_at_end.get(aid) or "", ""), posts,
                               (as_of.date() - last.date()).days if last else None, end,
                               follower_change(start, end, approx),
                               t.reads if t else None, t.interactions if t else None,
                               idx, problems, cur.verdict(aid), followers_approx=approx))
        if idx is not None and t is not None:
            rank = RankRow(a.name, a.unit.name, idx, t.posts, t.reads, t.likes, t.shares, t.zaikan, t.comments)
            (wechat if a.platform == "wechat" else weibo).append((rank, aid))
        elif t is not None and t.posts and a.platform in indices.INDEX_INPUTS:
            insufficient.append(_label(a))
    wechat.sort(key=lambda r: -r[0].index)
    weibo.sort(key=lambda r: -r[0].index)
    praised = [f"{r.account}（{label}）" for ranked, label in ((wechat, "微信公众号"), (weibo, "新浪微博"))
               for r, aid in ranked[:3] if not cur.problems[aid]]
    return rows, Rankings([r for r, _ in wechat], [r for r, _ in weibo], praised, insufficient)


def follower_change(start: int | None, end: int | None, approx: bool) -> int | None:
    """Month-on-month follower growth; None when a figure is unknown or approximate (a rounding step)."""
    return end - start if end is not None and start is not None and not approx else None


UNIT_KIND_LABELS_BY_CODE = {k.value: v for k, v in UNIT_KIND_LABELS.items()}
STATUS_BY_CODE = {k.value: v for k, v in STATUS_LABELS.items()}


async def _judge(month: str, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, base: ReportBase, *,
                 detail: bool, blind_rule: str, unseeable: frozenset[str] = frozenset()) -> tuple[_Month, dt.datetime]:
    start, end = month_bounds(month, tz)
    as_of = min(end, now)
    data, drafts = await together(month_data(start, as_of, indices.SUMMING, base=base, detail=detail),
                                   evaluate(as_of))
    return _Month(data, drafts, blind_rule, unseeable), as_of


def _figures(month: str, judged: _Month) -> MonthFigures:
    t = judged.tally("all", "合计", lambda a: True)
    counts = [judged.data.counts[aid] for aid in judged.operating if aid in judged.data.counts]
    reads = [r for _, r in counts if r is not None]
    return MonthFigures(month, t.accounts, t.checked, t.failed, sum(n for n, _ in counts),
                        sum(reads) if reads else None)


def _point(f: MonthFigures) -> TrendPoint:
    """A trend point from a month's figures (the pass rate as `_Month.tally` computes it)."""
    rate = (f.checked - f.failed) / f.checked if f.checked else None
    return TrendPoint(f.month, f.accounts, rate, f.posts, f.reads)


def _trend_point(month: str, judged: _Month) -> TrendPoint:
    return _point(_figures(month, judged))


async def _previous(month: str, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, base: ReportBase,
                    verdicts: MonthVerdicts | None, *, blind_rule: str, unseeable: frozenset[str]) -> _Month:
    """The month before the reported one: as recorded when it closed, else judged again."""
    if verdicts is not None:
        return _Recorded(base, *month_bounds(month, tz), verdicts)
    return (await _judge(month, tz, now, evaluate, base, detail=False, blind_rule=blind_rule,
                         unseeable=unseeable))[0]


async def _judge_closed(month: str, *, tz: ZoneInfo, now: dt.datetime, evaluate: Evaluate, rules: Sequence[RuleFacts],
                        blind_rule: str) -> _Month:
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
    # 回应情况: the accounts of the 明细 rows (in operation at as_of) in their order (see _details_and_rankings).
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
    cur = _Month(cur_data, cur_drafts, blind_rule, unseeable)
    days = calendar.monthrange(start.year, start.month)[1]
    details, rankings = _details_and_rankings(cur, as_of, days, labels)
    details = with_columns(details, responses)
    trends: list[TrendPoint] = []
    for mm in reversed(months):
        if mm == month or (mm == last and not isinstance(prev, _Recorded)):
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
        partial=as_of < end, generated_at=now, overview=_overview(cur, prev), problems=_problem_groups(cur, labels),
        recheck=_recheck(cur, prev, labels), closures=_closures(cur.data), rankings=rankings, details=details,
        trends=trends, definitions=list(DEFINITIONS), formulas=list(indices.FORMULAS_ZH),
        definitions_en=list(DEFINITIONS_EN), formulas_en=list(indices.FORMULAS_EN), responses=responses,
        content=content)
