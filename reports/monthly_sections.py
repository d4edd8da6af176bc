"""The monthly review's sections from a judged month: overview, problems, 复核, closures, 明细 and rankings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from registry.ledger.vocab import STATUS_LABELS, UNIT_KIND_LABELS
from registry.views.monthly_data import AccountInfo, MonthData, PostTotals
from reports import indices
from reports.monthly_judged import JudgedMonth, ProblemLabels, account_label, platform_zh
from reports.monthly_model import (
    AccountRow,
    Closures,
    Overview,
    ProblemGroup,
    Rankings,
    RankRow,
    RecheckRow,
    ReviewDecision,
    Tally,
)

CLOSED = {"closed", "deregistered", "notice"}
UNIT_KIND_LABELS_BY_CODE = {k.value: v for k, v in UNIT_KIND_LABELS.items()}
STATUS_BY_CODE = {k.value: v for k, v in STATUS_LABELS.items()}


def _with_prev(now: Tally, prev: Tally) -> Tally:
    return Tally(now.key, now.label, now.accounts, now.checked, now.failed, now.pass_rate,
                 prev.accounts, prev.checked, prev.failed, prev.pass_rate)


def overview(cur: JudgedMonth, prev: JudgedMonth) -> Overview:
    def both(key: str, label: str, keep: Callable[[AccountInfo], bool]) -> Tally:
        return _with_prev(cur.tally(key, label, keep), prev.tally(key, label, keep))

    platforms = sorted({a.platform for a in cur.operating.values()})
    kinds = [k for k in UNIT_KIND_LABELS if any(a.unit.kind == k.value for a in cur.operating.values())]
    return Overview(
        total=both("all", "合计", lambda a: True),
        by_platform=[both(p, platform_zh(p), lambda a, p=p: a.platform == p) for p in platforms],  # type: ignore[misc]
        by_unit_kind=[both(k.value, label, lambda a, k=k: a.unit.kind == k.value)  # type: ignore[misc]
                      for k, label in UNIT_KIND_LABELS.items() if k in kinds])


def problem_groups(cur: JudgedMonth, labels: ProblemLabels) -> list[ProblemGroup]:
    with_problems = [aid for aid, rules in cur.problems.items() if rules]
    groups = []
    for rule in labels.order:
        ids = [aid for aid in with_problems if rule in cur.problems[aid]]
        if ids:
            name = labels.group(rule, (cur.problems[aid][rule] for aid in ids))
            groups.append(ProblemGroup(rule, name, rule in labels.vetoes, len(ids),
                                       len(ids) / len(with_problems), [account_label(cur.operating[a]) for a in ids]))
    return groups


def recheck(cur: JudgedMonth, prev: JudgedMonth, labels: ProblemLabels) -> list[RecheckRow]:
    rows = []
    for aid in sorted(prev.failed):
        a = prev.operating[aid]
        status = cur.data.status_at_end.get(aid)
        state = "已关停" if status in CLOSED else ("仍未整改" if aid in cur.failed else "已整改")
        rows.append(RecheckRow(a.name, platform_zh(a.platform), a.unit.name, prev.problem_text(aid, labels), state))
    return rows


def closures(data: MonthData) -> Closures:
    decided = data.reviews_decided
    closed = [account_label(r.account) for r in decided if r.decision in ("关停", "注销")]
    merged = [f"{account_label(r.account)} → {r.merge_into.name if r.merge_into else ''}" for r in decided if r.decision == "整合"]
    decisions = [ReviewDecision(r.account.name, r.decision or "", r.decided_by, r.decided_at.date())
                 for r in decided if r.decided_at]
    return Closures(len(data.reviews_opened), len(decided), closed, merged, decisions)


def account_index(a: AccountInfo, t: PostTotals | None, days: int) -> float | None:
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


def details_and_rankings(cur: JudgedMonth, as_of: dt.datetime, days: int,
                          labels: ProblemLabels) -> tuple[list[AccountRow], Rankings]:
    rows: list[AccountRow] = []
    wechat: list[tuple[RankRow, int]] = []
    weibo: list[tuple[RankRow, int]] = []
    insufficient: list[str] = []
    for aid, a in sorted(cur.operating.items(), key=lambda kv: (kv[1].unit.name, kv[1].platform, kv[1].name)):
        t = cur.data.totals.get(aid)
        last = cur.data.last_post_at.get(aid)
        idx = account_index(a, t, days)
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
            insufficient.append(account_label(a))
    wechat.sort(key=lambda r: -r[0].index)
    weibo.sort(key=lambda r: -r[0].index)
    praised = [f"{r.account}（{label}）" for ranked, label in ((wechat, "微信公众号"), (weibo, "新浪微博"))
               for r, aid in ranked[:3] if not cur.problems[aid]]
    return rows, Rankings([r for r, _ in wechat], [r for r, _ in weibo], praised, insufficient)


def follower_change(start: int | None, end: int | None, approx: bool) -> int | None:
    """Month-on-month follower growth; None when a figure is unknown or approximate (a rounding step)."""
    return end - start if end is not None and start is not None and not approx else None
