"""Read models of the web console: scoped, paginated in SQL, plain dicts (the console never sees an ORM row).

A *scope* is None (every unit: admin and viewer) or the set of unit ids a unit user may see (its unit
and its sub-units). Every query here takes the scope and filters by it, so another unit's account,
finding or review is simply not found (404), whatever a template does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.functions import Count

from registry.db.models import Account, AccountState, DailyMetric, Finding, Post, Review, Silence, Unit
from registry.ledger import audit, vocab

Scope = frozenset[int] | None
ACTIVE_CODES = [s.value for s in vocab.ACTIVE_STATUSES]
PAGE_MAX = 200


async def unit_scope(unit_id: int | None) -> frozenset[int]:
    """A unit and every unit below it (an empty set for no unit: a unit user without a unit sees nothing)."""
    if unit_id is None:
        return frozenset()
    children: dict[int, list[int]] = {}
    for u in await Unit.all().values("id", "parent_id"):
        if u["parent_id"] is not None:
            children.setdefault(u["parent_id"], []).append(u["id"])
    seen, todo = {unit_id}, [unit_id]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return frozenset(seen)


def _accounts(scope: Scope) -> Any:
    query = Account.all()
    return query if scope is None else query.filter(unit_id__in=list(scope))


def _findings(scope: Scope) -> Any:
    query = Finding.all()
    if scope is None:
        return query
    ids = list(scope)
    return query.filter(Q(account__unit_id__in=ids) | Q(account_id__isnull=True, unit_id__in=ids))


@dataclass(frozen=True)
class AccountQuery:
    """Filters and page of the account list."""

    unit_id: int | None = None
    unit_text: str = ""  # part of a unit's name (when there are too many units for a list)
    platform: str | None = None
    level: str | None = None  # unit kind
    status: str | None = None
    verdict: str | None = None  # pass | fail | unknown
    pending: bool | None = None
    search: str = ""
    page: int = 1
    per_page: int = 50


def _open_veto() -> Any:
    return Subquery(Finding.filter(state="open", severity="veto", account_id__isnull=False).values("account_id"))


def _open_rule(rule: str) -> Any:
    return Subquery(Finding.filter(state="open", rule=rule, account_id__isnull=False).values("account_id"))


async def account_page(scope: Scope, q: AccountQuery, blind_rule: str) -> tuple[int, list[dict[str, Any]]]:
    """One page of accounts (total matching, rows) with unit, level and verdict, ordered by unit and name."""
    query = _accounts(scope)
    if q.unit_id is not None:
        query = query.filter(unit_id=q.unit_id)
    if q.unit_text:
        query = query.filter(unit__name__icontains=q.unit_text[:128])
    if q.platform:
        query = query.filter(platform=q.platform)
    if q.level:
        query = query.filter(unit__kind=q.level)
    if q.status:
        query = query.filter(status=q.status)
    if q.pending is not None:
        query = query.filter(pending=q.pending)
    if q.search:
        s = q.search[:128]
        query = query.filter(Q(name__icontains=s) | Q(uid__icontains=s) | Q(alias__icontains=s))
    if q.verdict == "fail":
        query = query.filter(id__in=_open_veto())
    elif q.verdict == "unknown":
        query = query.filter(id__in=_open_rule(blind_rule)).exclude(id__in=_open_veto())
    elif q.verdict == "pass":
        query = query.exclude(id__in=_open_veto()).exclude(id__in=_open_rule(blind_rule))
    total = await query.count()
    per = max(1, min(q.per_page, PAGE_MAX))
    rows = await query.order_by("unit__name", "platform", "name", "id").offset((max(q.page, 1) - 1) * per).limit(per).values(
        "id", "platform", "uid", "name", "status", "pending", "unit_id", unit_name="unit__name", unit_kind="unit__kind")
    ids = [r["id"] for r in rows]
    flags: dict[int, set[str]] = {}
    for f in await Finding.filter(state="open", account_id__in=ids).values("account_id", "severity", "rule"):
        flags.setdefault(f["account_id"], set()).add("veto" if f["severity"] == "veto" else
                                                     "blind" if f["rule"] == blind_rule else "other")
    for r in rows:
        got = flags.get(r["id"], set())
        r["verdict"] = "fail" if "veto" in got else "unknown" if "blind" in got else "pass"
    return total, rows


async def units_in(scope: Scope, limit: int | None = None) -> list[dict[str, Any]]:
    """Units (id, name, kind) the scope covers, by name (at most ``limit``)."""
    query = Unit.all() if scope is None else Unit.filter(id__in=list(scope))
    query = query.order_by("name")
    return list(await (query.limit(limit) if limit else query).values("id", "name", "kind"))


async def account_dossier(account_id: int, scope: Scope, *, posts: int = 30, days: int = 60,
                          now: dt.datetime) -> dict[str, Any] | None:
    """Everything the account page shows, or None when the account is not in the scope."""
    row = await _accounts(scope).filter(id=account_id).first().values(
        "id", "platform", "uid", "alias", "name", "status", "pending", "matrix_role", "account_type", "verified_subject",
        "operator_org", "opened_on", "filed", "filed_on", "interaction", "update_frequency", "collect_method", "notes",
        "unit_id", unit_name="unit__name", unit_kind="unit__kind", parent_name="unit__parent__name",
        head_name="head__name", head_phone="head__phone", head_wecom="head__wecom_userid",
        operator_name="operator__name", operator_phone="operator__phone", operator_wecom="operator__wecom_userid")
    if row is None:
        return None
    recent = await Post.filter(account_id=account_id).order_by("-published_at").limit(posts).values(
        "id", "published_at", "title", "url", "reads", "likes", "shares", "comments", "zaikan", "comments_seen",
        "comments_answered", "median_answer_delay_s", "oldest_unanswered_at", "content_hits", "text_coverage")
    since = now - dt.timedelta(days=days)
    stamps = await Post.filter(account_id=account_id, published_at__gte=since).values_list("published_at", flat=True)
    metric = await DailyMetric.filter(account_id=account_id, followers__isnull=False).order_by("-day").first().values(
        "day", "followers", "followers_approx")
    seen = [p for p in await Post.filter(account_id=account_id, published_at__gte=since, comments_seen__isnull=False)
            .values("comments_seen", "comments_answered")]
    findings = await Finding.filter(account_id=account_id).order_by("-last_seen", "-id").values(
        "id", "rule", "severity", "state", "first_seen", "last_seen", "resolved_at", "summary_zh", "evidence",
        "claimed_fixed_at", "claimed_by")
    state = await AccountState.filter(account_id=account_id).first().values(
        "last_success_at", "last_attempt_at", "known_until", "last_error_kind", "consecutive_failures", "gone")
    events = [{"at": e.at, "actor": e.actor, "action": e.action, "changes": e.changes, "note": e.note}
              for e in await audit.history("account", account_id)]
    return {**row, "posts": list(recent), "post_times": list(stamps), "metric": metric, "findings": list(findings),
            "state": state, "audit": events,
            "comments_seen": sum(p["comments_seen"] for p in seen) if seen else None,
            "comments_answered": sum(p["comments_answered"] or 0 for p in seen) if seen else None}


async def finding_page(scope: Scope, *, state: str = "open", page: int = 1, per_page: int = 50,
                       severity: str | None = None) -> tuple[int, list[dict[str, Any]]]:
    """One page of findings (vetoes first, then the oldest) with account, unit and owner contacts."""
    query = _findings(scope)
    if state != "all":
        query = query.filter(state=state)
    if severity:
        query = query.filter(severity=severity)
    total = await query.count()
    per = max(1, min(per_page, PAGE_MAX))
    rank = RawSQL("CASE \"finding\".\"severity\" WHEN 'veto' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END")
    rows = await query.annotate(rank=rank).order_by("rank", "first_seen", "id").offset(
        (max(page, 1) - 1) * per).limit(per).values(
        "id", "rule", "severity", "state", "first_seen", "last_seen", "summary_zh", "evidence", "claimed_fixed_at",
        "claimed_by", "account_id", account_name="account__name", account_platform="account__platform",
        unit_name="account__unit__name", head_name="account__head__name", operator_name="account__operator__name",
        own_unit="unit__name")
    return total, rows


async def finding_in_scope(finding_id: int, scope: Scope) -> dict[str, Any] | None:
    """One finding in the scope (with its account's and unit's ids), or None."""
    row: dict[str, Any] | None = await _findings(scope).filter(id=finding_id).first().values(
        "id", "rule", "state", "severity", "account_id", "unit_id", account_unit="account__unit_id")
    return row


async def pending_silences(scope: Scope) -> list[dict[str, Any]]:
    """Exemption requests waiting for approval, in the scope."""
    query = Silence.filter(state="pending")
    if scope is not None:
        ids = list(scope)
        query = query.filter(Q(account__unit_id__in=ids) | Q(unit_id__in=ids))
    return list(await query.order_by("-id").values("id", "rule", "ends_at", "author", "reason", "account_id",
                                                   account_name="account__name", unit_name="unit__name"))


async def review_page(scope: Scope, state: str = "open", *, page: int = 1,
                      per_page: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """One page of review cases in the scope (total, rows), newest first."""
    query = Review.all() if scope is None else Review.filter(account__unit_id__in=list(scope))
    if state != "all":
        query = query.filter(state=state)
    per = max(1, min(per_page, PAGE_MAX))
    total = await query.count()
    return total, list(await query.order_by("-opened_at", "-id").offset((max(page, 1) - 1) * per).limit(per).values(
        "id", "rule", "state", "opened_at", "decision", "reason", "decided_by", "decided_at", "deadline",
        "account_id", account_name="account__name", account_platform="account__platform",
        unit_name="account__unit__name"))


async def review_in_scope(review_id: int, scope: Scope) -> dict[str, Any] | None:
    """One review case in the scope, or None."""
    query = Review.all() if scope is None else Review.filter(account__unit_id__in=list(scope))
    row: dict[str, Any] | None = await query.filter(id=review_id).first().values(
        "id", "rule", "state", "opened_at", "decision", "reason", "decided_by", "decided_at", "deadline",
        "account_id", account_name="account__name", unit_name="account__unit__name")
    return row


async def overview(scope: Scope, *, blind_rule: str) -> dict[str, Any]:
    """The matrix now: counts by platform, level and status; findings by severity; reviews; collection health;
    active accounts and those with an open veto (the 合格率 now)."""
    accounts = _accounts(scope)
    by_platform = await accounts.annotate(n=Count("id")).group_by("platform").values("platform", "n")
    by_status = await accounts.annotate(n=Count("id")).group_by("status").values("status", "n")
    by_level = await accounts.annotate(n=Count("id")).group_by("unit__kind").values(level="unit__kind", n="n")
    open_f = _findings(scope).filter(state="open")
    by_sev = await open_f.annotate(n=Count("id")).group_by("severity").values("severity", "n")
    by_rule = await open_f.annotate(n=Count("id")).group_by("rule", "severity").values("rule", "severity", "n")
    rq = Review.filter(state="open") if scope is None else Review.filter(state="open", account__unit_id__in=list(scope))
    active = accounts.filter(status__in=ACTIVE_CODES)
    total_active = await active.count()
    vetoed = await active.filter(id__in=_open_veto()).count()
    blind = await accounts.filter(id__in=_open_rule(blind_rule)).count()
    return {"by_platform": list(by_platform), "by_status": list(by_status), "by_level": list(by_level),
            "by_severity": {r["severity"]: r["n"] for r in by_sev}, "by_rule": list(by_rule),
            "reviews_open": await rq.count(), "active": total_active, "vetoed": vetoed, "blind": blind,
            "pending": await accounts.filter(pending=True).count(), "total": await accounts.count()}


async def rates_at(scope: Scope, ends: list[dt.datetime]) -> list[tuple[int, int]]:
    """(active accounts that existed then, of them with a veto open then) at each moment: two counts each.
    Past month-ends do not change, so callers may keep these."""
    out = []
    for end in ends:
        existed = _accounts(scope).filter(status__in=ACTIVE_CODES, created_at__lte=end)
        was = Finding.filter(severity="veto", account_id__isnull=False, first_seen__lte=end).filter(
            Q(resolved_at__isnull=True) | Q(resolved_at__gt=end))
        out.append((await existed.count(), await existed.filter(id__in=Subquery(was.values("account_id"))).count()))
    return out


async def account_in_scope(account_id: int, scope: Scope) -> dict[str, Any] | None:
    """An account's ref parts if it is in the scope, else None."""
    row: dict[str, Any] | None = await _accounts(scope).filter(id=account_id).first().values(
        "id", "platform", "uid", "name", "unit_id")
    return row


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill."""
    return max(1, -(-total // max(1, per_page)))


def ids_of(rows: Collection[dict[str, Any]]) -> list[int]:
    """The ids of some rows."""
    return [int(r["id"]) for r in rows]
