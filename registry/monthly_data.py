"""Stored facts of one month for the monthly review: a fixed number of set-based queries.

Status at a past moment is replayed from the audit trail (create, status and retire events), so a
review of any past month is reproducible from stored data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.functions import Max

from registry.models import Account, AuditEvent, DailyMetric, Finding, Post, Review

POST_FIELDS = ("account_id", "post_id", "published_at", "reads", "likes", "shares", "comments", "zaikan", "pinned")


@dataclass
class MonthData:
    """Everything stored about one month."""

    start: dt.datetime
    end: dt.datetime
    accounts: list[Account]
    status_at_end: dict[int, str | None]
    posts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    last_post_at: dict[int, dt.datetime] = field(default_factory=dict)
    followers_start: dict[int, int] = field(default_factory=dict)
    followers_end: dict[int, int] = field(default_factory=dict)
    veto_findings: list[Finding] = field(default_factory=list)
    month_findings: list[Finding] = field(default_factory=list)
    reviews_opened: list[Review] = field(default_factory=list)
    reviews_decided: list[Review] = field(default_factory=list)


async def statuses_at(accounts: list[Account], moment: dt.datetime) -> dict[int, str | None]:
    """Each account's status at a moment (None: not opened yet), replayed from the audit trail."""
    events = await AuditEvent.filter(entity="account", action__in=["create", "status", "retire"]).order_by(
        "at", "id").values("entity_id", "changes", "at")
    history: dict[int, list[tuple[dt.datetime, str]]] = {}
    for e in events:
        change = e["changes"].get("status")
        if change and change[1]:
            history.setdefault(e["entity_id"], []).append((e["at"], str(change[1])))
    out: dict[int, str | None] = {}
    for a in accounts:
        if a.opened_on and a.opened_on > moment.date():
            out[a.id] = None
            continue
        steps = history.get(a.id, [])
        before = [status for at, status in steps if at <= moment]
        # Before the registry knew the account, the status it was imported with is the best knowledge.
        out[a.id] = before[-1] if before else (steps[0][1] if steps else a.status)
    return out


async def month_data(start: dt.datetime, end: dt.datetime) -> MonthData:
    """Load the month [start, end]."""
    accounts = await Account.all().prefetch_related("unit").order_by("id")
    data = MonthData(start=start, end=end, accounts=accounts, status_at_end=await statuses_at(accounts, end))
    for row in await Post.filter(published_at__gte=start, published_at__lte=end).values(*POST_FIELDS):
        data.posts.setdefault(row["account_id"], []).append(row)
    for row in await Post.filter(published_at__lte=end, pinned=False).group_by("account_id").annotate(
            last=Max("published_at")).values("account_id", "last"):
        if row["last"] is not None:
            data.last_post_at[row["account_id"]] = row["last"]
    metrics = await DailyMetric.filter(followers__isnull=False, day__gte=(start - dt.timedelta(days=7)).date(),
                                       day__lte=end.date()).order_by("day").values("account_id", "day", "followers")
    for m in metrics:
        aid = m["account_id"]
        if m["day"] <= start.date() or aid not in data.followers_start:
            data.followers_start[aid] = m["followers"]
        data.followers_end[aid] = m["followers"]
    overlapping = Finding.filter(first_seen__lte=end).exclude(resolved_at__lt=start)
    data.month_findings = list(await overlapping)
    data.veto_findings = [f for f in data.month_findings if f.severity == "veto"]
    data.reviews_opened = list(await Review.filter(opened_at__gte=start, opened_at__lte=end).prefetch_related("account"))
    data.reviews_decided = list(await Review.filter(decided_at__gte=start, decided_at__lte=end).prefetch_related(
        "account", "merge_into"))
    return data
