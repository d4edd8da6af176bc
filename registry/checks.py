"""Set-based loading of what the rules need, and the findings/reviews lifecycle they drive.

Loading issues a fixed number of queries whatever the number of accounts (no query per account per
rule). The lifecycle: a finding's identity is (rule, subject); it opens once, refreshes
``last_seen`` and evidence while the condition holds, and resolves itself when it clears. A blind
account's activity findings are neither refreshed nor resolved: we cannot see, so we do not say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tortoise.functions import Max
from tortoise.transactions import in_transaction

from registry.models import Account, AccountState, DailyMetric, Finding, Post, Review

#: Rules whose findings depend on collected activity (kept as they are while an account is blind).
ACTIVITY_RULES = frozenset({"stale_veto", "stale_warning", "dormant_long", "low_use", "frequency_below_target"})
#: Rules that open a shutdown review (关停整合).
REVIEW_RULES = frozenset({"dormant_long", "low_use", "duplicate_account"})
POST_FIELDS = ("account_id", "published_at", "title", "pinned", "reads", "likes", "shares", "comments", "zaikan", "url")


@dataclass
class CheckData:
    """Everything loaded for one evaluation."""

    accounts: list[Account]
    posts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    last_posts: dict[int, dict[str, Any]] = field(default_factory=dict)
    followers: dict[int, int] = field(default_factory=dict)
    followers_at_start: dict[int, int] = field(default_factory=dict)
    states: dict[int, AccountState] = field(default_factory=dict)
    review_deadlines: dict[int, dt.date] = field(default_factory=dict)


async def load_check_data(now: dt.datetime, lookback_days: int) -> CheckData:
    """Accounts with contacts, posts in the window, last posts, followers, states, grace deadlines."""
    accounts = await Account.all().prefetch_related("unit", "head", "operator").order_by("id")
    data = CheckData(accounts=accounts)
    start = now - dt.timedelta(days=lookback_days)
    for row in await Post.filter(published_at__gte=start, published_at__lte=now).values(*POST_FIELDS):
        data.posts.setdefault(row["account_id"], []).append(row)
    older = [a.id for a in accounts if a.id not in data.posts]
    if older:
        newest = await (Post.filter(account_id__in=older, published_at__lte=now, pinned=False)
                        .group_by("account_id").annotate(last=Max("published_at")).values("account_id", "last"))
        pairs = {(r["account_id"], r["last"]) for r in newest if r["last"] is not None}
        if pairs:
            rows = await Post.filter(account_id__in=[a for a, _ in pairs],
                                     published_at__in=[t for _, t in pairs]).values(*POST_FIELDS)
            for row in rows:
                if (row["account_id"], row["published_at"]) in pairs:
                    data.last_posts[row["account_id"]] = row
    metrics = await DailyMetric.filter(followers__isnull=False, day__lte=now.date()).filter(
        day__gte=(start - dt.timedelta(days=7)).date()).order_by("day").values("account_id", "day", "followers")
    for row in metrics:
        aid = row["account_id"]
        data.followers[aid] = row["followers"]  # days ascend: the latest wins
        if row["day"] <= start.date() or aid not in data.followers_at_start:
            data.followers_at_start[aid] = row["followers"]  # the last day <= start, else the first after
    data.states = {s.account_id: s for s in await AccountState.all()}  # type: ignore[attr-defined]
    for r in await Review.filter(decision="保留整改", deadline__isnull=False).order_by("decided_at").values(
            "account_id", "deadline"):
        data.review_deadlines[r["account_id"]] = r["deadline"]
    return data


class DraftLike(Protocol):
    """What the lifecycle needs of a rule's finding draft."""

    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def summary_zh(self) -> str: ...
    @property
    def summary_en(self) -> str: ...
    @property
    def evidence(self) -> dict[str, object]: ...


@dataclass
class SyncResult:
    """What one check changed."""

    opened: list[Finding] = field(default_factory=list)
    refreshed: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)
    kept_blind: list[Finding] = field(default_factory=list)
    claims_confirmed: list[Finding] = field(default_factory=list)
    claims_rejected: list[Finding] = field(default_factory=list)
    reviews_opened: list[Review] = field(default_factory=list)


async def sync_findings(drafts: Sequence[DraftLike], blind_accounts: Iterable[int], now: dt.datetime,
                        grace_accounts: Iterable[int] = ()) -> SyncResult:
    """Open, refresh and resolve findings to match the drafts; open review cases; one transaction.

    Set-based writes (bulk insert, bulk update, one UPDATE per 500 resolved ids) keep a province-size
    check from issuing one statement per finding.
    """
    blind, grace = set(blind_accounts), set(grace_accounts)
    result = SyncResult()
    async with in_transaction():
        current = {(f.rule, f.subject): f for f in await Finding.filter(state="open")}
        seen: set[tuple[str, str]] = set()
        new: list[Finding] = []
        for d in drafts:
            key = (d.rule, d.subject)
            if key in seen:
                continue
            seen.add(key)
            f = current.get(key)
            if f is None:
                new.append(Finding(rule=d.rule, subject=d.subject, severity=d.severity, state="open",
                                   account_id=d.account_id, unit_id=d.unit_id, first_seen=now, last_seen=now,
                                   summary_zh=d.summary_zh, summary_en=d.summary_en, evidence=d.evidence))
                continue
            if f.claimed_fixed_at is not None:
                # 已整改 was claimed but the condition still holds: reopen the claim.
                f.evidence = {**d.evidence, "claim_rejected_at": now.isoformat(), "claimed_by": f.claimed_by}
                f.claimed_fixed_at = None
                result.claims_rejected.append(f)
            else:
                f.evidence = d.evidence
            f.last_seen, f.severity, f.summary_zh, f.summary_en = now, d.severity, d.summary_zh, d.summary_en
            result.refreshed.append(f)
        if new:
            await Finding.bulk_create(new, batch_size=500)
            created = {(f.rule, f.subject): f for f in await Finding.filter(state="open", first_seen=now)}
            result.opened = [created[(f.rule, f.subject)] for f in new]
        if result.refreshed:
            await Finding.bulk_update(result.refreshed, fields=["last_seen", "severity", "summary_zh", "summary_en",
                                                                "evidence", "claimed_fixed_at"], batch_size=500)
        for key, f in current.items():
            if key in seen:
                continue
            if f.rule in ACTIVITY_RULES and f.account_id in blind:  # type: ignore[attr-defined]
                result.kept_blind.append(f)
                continue
            f.state, f.resolved_at = "resolved", now
            result.resolved.append(f)
            if f.claimed_fixed_at is not None:
                result.claims_confirmed.append(f)
        ids = [f.id for f in result.resolved]
        for i in range(0, len(ids), 500):
            await Finding.filter(id__in=ids[i:i + 500]).update(state="resolved", resolved_at=now)
        result.reviews_opened = await _open_reviews([*result.opened, *result.refreshed], grace, now)
    return result


async def _open_reviews(found: list[Finding], grace: set[int], now: dt.datetime) -> list[Review]:
    """One open review case per account whose finding calls for 关停整合 (never one per run)."""
    have = {r["account_id"] for r in await Review.filter(state="open").values("account_id")}
    todo: dict[int, Finding] = {}
    for f in found:
        aid = f.account_id  # type: ignore[attr-defined]
        if f.rule in REVIEW_RULES and aid is not None and aid not in grace and aid not in have:
            todo.setdefault(aid, f)
    if not todo:
        return []
    await Review.bulk_create([Review(account_id=aid, finding_id=f.id, rule=f.rule, state="open", opened_at=now)
                              for aid, f in todo.items()], batch_size=500)
    return list(await Review.filter(state="open", opened_at=now, account_id__in=list(todo)))


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
