"""`report activity` (per-account activity over a period) and `report matrix` (the matrix at a glance)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from registry.config.i18n import tr
from registry.db.models import Account, Review
from registry.findings.checks import findings
from registry.ledger.completeness import shown_unit
from registry.ledger.vocab import ACTIVE_STATUSES, STATUS_LABELS, UNIT_KIND_LABELS
from registry.views.monthly_data import PostTotals, month_data
from reports.indices import SUMMING
from reports.monthly_judged import ProblemLabels, platform_zh
from reports.monthly_model import RuleFacts
from reports.monthly_sections import account_index, follower_change
from reports.output import Field

ACTIVE = {s.value for s in ACTIVE_STATUSES}



def activity_fields() -> list[Field]:
    """Columns of `report activity`."""
    return [Field("name", tr("账号", "Account")), Field("platform", tr("平台", "Platform")),
            Field("unit", tr("单位", "Unit")), Field("posts", tr("发文", "Posts"), True),
            Field("days_since_last_post", tr("未更新天数", "Days silent"), True),
            Field("followers", tr("粉丝", "Followers"), True), Field("followers_change", tr("粉丝变化", "Change"), True),
            Field("reads", tr("阅读", "Reads"), True), Field("interactions", tr("互动", "Interactions"), True),
            Field("likes", tr("点赞", "Likes"), True), Field("zaikan", tr("在看", "Zaikan"), True),
            Field("comments", tr("评论", "Comments"), True), Field("shares", tr("转发", "Shares"), True),
            Field("answered_comments", tr("已回复评论", "Answered"), True),
            Field("answer_rate", tr("回复率", "Answer rate"), True),
            Field("median_answer_hours", tr("回复时长中位数（小时）", "Median answer (h)"), True),
            Field("index", tr("传播指数", "Index"), True), Field("open_findings", tr("待处理问题", "Open findings"))]


async def activity(start: dt.datetime, end: dt.datetime, *, rules: Sequence[RuleFacts], unit: str | None = None,
                   platform: str | None = None) -> list[dict[str, Any]]:
    """Per active account: posts, silence, followers, reach, index and open findings over [start, end]
    (``rules``: the rule catalogue, for the findings' labels)."""
    labels = ProblemLabels(rules)
    data = await month_data(start, end, SUMMING)
    open_by_account: dict[int, list[str]] = defaultdict(list)
    for f in await findings(state="open"):
        if f.account_id is not None:  # type: ignore[attr-defined]
            open_by_account[f.account_id].append(labels.label(f.rule, f.evidence))  # type: ignore[attr-defined]
    days = max(1, (end.date() - start.date()).days + 1)
    rows = []
    for a in sorted(data.accounts, key=lambda a: (a.unit.name, a.platform, a.name)):
        if a.status not in ACTIVE or (unit and unit not in a.unit.name) or (platform and a.platform != platform):
            continue
        t = data.totals.get(a.id)
        last = data.last_post_at.get(a.id)
        s, e = data.followers_start.get(a.id), data.followers_end.get(a.id)
        approx = a.id in data.followers_approx
        rows.append({
            "ref": a.ref, "name": a.name, "platform": platform_zh(a.platform), "unit": a.unit.name, "posts": t.posts if t else 0,
            "days_since_last_post": (end.date() - last.date()).days if last else None, "followers": e,
            "followers_approx": approx, "followers_change": follower_change(s, e, approx),
            **_figures(t), "index": account_index(a, t, days), "open_findings": "、".join(open_by_account.get(a.id, [])),
        })
    return rows


def _figures(t: PostTotals | None) -> dict[str, Any]:
    """The period's reach and answer figures of one account; None (JSON null) for every unknown one.

    No post in the period means nothing is known about them either: every figure is None, never 0.
    Answers count only posts whose comments were read (the registry's sums already filter on it).
    """
    if t is None:
        return dict.fromkeys(("reads", "interactions", "likes", "zaikan", "comments", "shares", "answered_comments",
                              "answer_rate", "median_answer_hours"))
    rate = (t.comments_answered / t.comments_seen
            if t.comments_seen and t.comments_answered is not None else None)
    hours = None if t.median_answer_delay_s is None else round(t.median_answer_delay_s / 3600, 1)
    return {"reads": t.reads, "interactions": t.interactions, "likes": t.likes, "zaikan": t.zaikan,
            "comments": t.comments, "shares": t.shares, "answered_comments": t.comments_answered,
            "answer_rate": None if rate is None else round(rate, 3), "median_answer_hours": hours}


async def matrix(rules: Sequence[RuleFacts]) -> dict[str, list[dict[str, Any]]]:
    """The matrix at a glance: counts by platform × unit kind and status, flagships, duplicates, reviews
    (``rules``: the rule catalogue, for the findings' labels)."""
    labels = ProblemLabels(rules)
    accounts = await Account.all().prefetch_related("unit").order_by("id")
    grid: Counter[tuple[str, str]] = Counter()
    statuses: Counter[str] = Counter()
    dup: dict[tuple[int, str], list[Account]] = defaultdict(list)
    for a in accounts:
        statuses[a.status] += 1
        if a.status in ACTIVE:
            grid[(a.platform, a.unit.kind)] += 1
            if shown_unit(a.unit.name) is not None:  # pending accounts share a placeholder, not a unit
                dup[(a.unit.id, a.platform)].append(a)
    kinds = [k for k in UNIT_KIND_LABELS if any(key[1] == k.value for key in grid)]
    grid_rows = []
    for p in sorted({key[0] for key in grid}):
        row: dict[str, Any] = {"platform": platform_zh(p)}
        for k in kinds:
            row[k.value] = grid[(p, k.value)]
        row["total"] = sum(grid[(p, k.value)] for k in kinds)
        grid_rows.append(row)
    open_f = await findings(state="open")
    by_account: dict[int, list[str]] = defaultdict(list)
    for f in open_f:
        if f.account_id is not None:  # type: ignore[attr-defined]
            by_account[f.account_id].append(labels.label(f.rule, f.evidence))  # type: ignore[attr-defined]
    flagships = [{"name": a.name, "platform": platform_zh(a.platform),
                  "health": "、".join(by_account.get(a.id, [])) or tr("正常", "healthy")}
                 for a in accounts if a.matrix_role == "flagship" and a.status in ACTIVE]
    duplicates = [{"unit": group[0].unit.name, "platform": platform_zh(p), "accounts": "、".join(a.name for a in group)}
                  for (_, p), group in dup.items() if len(group) > 1]
    reviews = [{"id": r.id, "account": r.account.name, "platform": platform_zh(r.account.platform), "rule": labels.label(r.rule),
                "opened_at": r.opened_at.strftime("%Y-%m-%d")}
               for r in await Review.filter(state="open").prefetch_related("account").order_by("opened_at")]
    return {
        "grid": grid_rows,
        "statuses": [{"status": next((v for k, v in STATUS_LABELS.items() if k.value == s), s), "accounts": n}
                     for s, n in sorted(statuses.items())],
        "flagships": flagships, "duplicates": duplicates, "reviews": reviews,
        "_kinds": [{"key": k.value, "label": v} for k, v in UNIT_KIND_LABELS.items() if k in kinds],
    }
