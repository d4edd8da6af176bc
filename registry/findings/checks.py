"""Set-based loading of what the rules need, and the findings they produced.

Loading issues a fixed number of queries whatever the number of accounts (no query per account per
rule); the posts themselves are aggregated in SQL by `registry.views.post_digest`, and the findings
lifecycle lives in `registry.findings.sync` (re-exported here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.db.models import Account, AccountState, Finding, Person, Review, Unit
from registry.findings.sync import (
    DraftLike,
    FindingRef,
    SyncResult,
    sync_findings,
)
from registry.views.post_digest import COUNTY_TZ, follower_figures
from registry.views.reads import together

__all__ = ["CheckData", "DraftLike", "FindingRef", "SyncResult", "findings",
           "load_check_data", "sync_findings"]
ACCOUNT_FIELDS = ("id", "platform", "uid", "name", "unit_id", "head_id", "operator_id", "status", "matrix_role",
                  "opened_on", "filed", "filed_on", "interaction", "update_frequency", "collect_method",
                  "verified_subject", "pending")
STATE_FIELDS = ("account_id", "last_success_at", "known_until", "last_error_kind", "gone", "backfilled_from")


@dataclass
class CheckData:
    """Everything loaded for one evaluation except the posts (see `registry.views.post_digest`).

    Rows are plain dicts from ``values()`` queries: a province has tens of thousands of accounts,
    and tortoise's foreign-key prefetch grows quadratically with them.
    """

    accounts: list[dict[str, Any]]
    units: dict[int, dict[str, Any]] = field(default_factory=dict)
    people: dict[int, dict[str, Any]] = field(default_factory=dict)
    followers: dict[int, tuple[int, int]] = field(default_factory=dict)  # (at window start, latest)
    states: dict[int, dict[str, Any]] = field(default_factory=dict)
    review_deadlines: dict[int, dt.date] = field(default_factory=dict)


async def load_check_data(now: dt.datetime, lookback_days: int) -> CheckData:
    """Accounts, units, contacts, follower figures, collection states and grace deadlines.

    On PostgreSQL the six independent reads run at once, each on a connection of the pool (the server
    answers one while this process decodes another); SQLite has one connection and runs them in turn.
    """
    start = now - dt.timedelta(days=lookback_days)
    followers_read = follower_figures(start.astimezone(COUNTY_TZ).date(), now.astimezone(COUNTY_TZ).date())
    rows = (
        Account.all().order_by("id").values(*ACCOUNT_FIELDS),
        Unit.all().values("id", "name", "kind"),
        Person.all().values("id", "name", "phone", "wecom_userid", "confirmed_at"),
        AccountState.all().values(*STATE_FIELDS),
        Review.filter(decision="保留整改", deadline__isnull=False).order_by("decided_at").values("account_id", "deadline"),
    )
    followers, accounts, units, people, states, reviews = await together(followers_read, *rows)
    data = CheckData(accounts=list(accounts))
    data.units = {u["id"]: u for u in units}
    data.people = {p["id"]: p for p in people}
    data.followers = followers
    data.states = {s["account_id"]: s for s in states}
    for r in reviews:
        data.review_deadlines[r["account_id"]] = r["deadline"]
    return data


async def findings(*, state: str | None = "open", rule: str | None = None, unit: str | None = None,
                   account_ids: Sequence[int] | None = None) -> list[Finding]:
    """Findings with their account and unit, newest first."""
    query = Finding.all().prefetch_related("account__unit", "unit")
    if state and state != "all":
        query = query.filter(state=state)
    if rule:
        query = query.filter(rule=rule)
    if unit:
        query = query.filter(account__unit__name__icontains=unit)
    if account_ids is not None:
        query = query.filter(account_id__in=list(account_ids))
    return await query.order_by("-last_seen", "id")
