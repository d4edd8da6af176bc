"""The observation store: posts, daily metrics, collection attempts, coverage and leases.

Contract (blind is not silent): `AccountState.known_until` and `last_success_at` move only in
`record_success`; `record_failure` stores the error and leaves coverage untouched. Rules read
coverage to tell an account that posted nothing from one we could not see.

Posts and metrics are written by `registry.observations.ingest` (re-exported here): re-collecting never
duplicates, and a missing number never erases a known one.
"""



from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from registry.db.models import Account, AccountState, CollectionAttempt, Post
from registry.db.rawsql import as_aware, connection_of, numbered
from registry.ledger import vocab

# Re-exported: callers write observations through this module.
from registry.observations.ingest import METRIC_NUMBERS as METRIC_NUMBERS
from registry.observations.ingest import POST_NUMBERS as POST_NUMBERS
from registry.observations.ingest import MetricLike as MetricLike
from registry.observations.ingest import PostLike as PostLike
from registry.observations.ingest import upsert_metrics as upsert_metrics
from registry.observations.ingest import upsert_post_batches as upsert_post_batches
from registry.observations.ingest import upsert_posts as upsert_posts
from registry.observations.responses import ResponseLike, record_responses


@dataclass(frozen=True)
class Target:
    """An account to collect, with its collection settings and state."""

    account_id: int
    platform: str
    uid: str
    name: str
    method: str
    credential: str
    feed_url: str
    known_until: dt.datetime | None
    last_success_at: dt.datetime | None
    backfilled_from: dt.date | None
    cursor: str
    cooldown_until: dt.datetime | None


async def ensure_states(account_ids: Iterable[int]) -> None:
    """Create missing state rows."""
    ids = list(account_ids)
    if not ids:
        return
    rows = await AccountState.filter(account_id__in=ids).values("account_id")
    existing = {int(r["account_id"]) for r in rows}
    missing = [AccountState(account_id=i) for i in ids if i not in existing]
    if missing:
        await AccountState.bulk_create(missing, ignore_conflicts=True)


async def targets(*, account_ids: Sequence[int] | None = None, platform: str | None = None,
                  methods: Iterable[str] | None = None, due_at: dt.datetime | None = None) -> list[Target]:
    """Active accounts that are collected automatically (not manual, not pending), with their state.

    With ``due_at``, only accounts due by then (never collected, or ``next_due_at`` reached): the
    scheduler and its workers use it so that each account is collected once per cycle.
    """
    # A pending account (待补全: no platform id or owner unit yet) is never collected.
    query = Account.filter(status__in=[s.value for s in vocab.ACTIVE_STATUSES], pending=False,
                           uid__isnull=False).exclude(collect_method=vocab.CollectMethod.MANUAL.value)
    if account_ids is not None:
        query = query.filter(id__in=list(account_ids))
    if platform:
        query = query.filter(platform=platform)
    if methods is not None:
        query = query.filter(collect_method__in=list(methods))
    accounts = await query.order_by("id")
    await ensure_states(a.id for a in accounts)
    states = {s.account_id: s for s in await AccountState.filter(account_id__in=[a.id for a in accounts])}  # type: ignore[attr-defined]
    out = []
    for a in accounts:
        s = states[a.id]
        if due_at is not None and s.next_due_at is not None and s.next_due_at > due_at:
            continue
        out.append(Target(a.id, a.platform, a.uid or "", a.name, a.collect_method, a.credential, a.feed_url,
                          s.known_until, s.last_success_at, s.backfilled_from, s.cursor, s.cooldown_until))
    return out


async def acquire_lease(account_id: int, owner: str, now: dt.datetime, ttl: dt.timedelta,
                        *, only_if_due: bool = False, attempt: bool = False) -> bool:
    """Take the account's lease unless another live worker holds it (atomic conditional update).

    With ``only_if_due`` the account must also still be due, so an account another worker has just
    collected in this cycle is not collected again. With ``attempt``, the same statement stamps
    ``last_attempt_at`` for the attempt about to start (then `start_attempt(..., stamp=False)`).
    """
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner)
    condition = Q(account_id=account_id) & free
    if only_if_due:
        condition &= Q(next_due_at__isnull=True) | Q(next_due_at__lte=now)
    values: dict[str, Any] = {"lease_owner": owner, "lease_until": now + ttl}
    if attempt:
        values["last_attempt_at"] = now
    n = await AccountState.filter(condition).update(**values)
    if n == 0 and not await AccountState.exists(account_id=account_id):
        # `targets()` creates the state rows of a pass up front; only a caller that skipped it pays
        # for creating the row here.
        await ensure_states([account_id])
        n = await AccountState.filter(condition).update(**values)
    return n == 1


#: Only a fallback: the near-veto polling threshold is the county's ``[rules.stale_warning] days``,
#: which the caller passes in as ``urgent_after_days`` (the registry holds no rule policy).
FALLBACK_URGENT_AFTER_DAYS = 10


async def set_next_due(account_id: int, owner: str, now: dt.datetime, regular: dt.timedelta,
                       urgent: dt.timedelta | None = None,
                       urgent_after_days: int = FALLBACK_URGENT_AFTER_DAYS) -> dt.datetime:
    """When the account is due again (set by the worker that just collected it, before releasing).

    An account whose last post is ``urgent_after_days`` old or more (approaching the 14-day veto; pass
    the county's configured stale_warning days) is polled every ``urgent`` instead, so the day it
    posts again is seen quickly.
    """
    interval = await _due_interval(account_id, now, regular, urgent, urgent_after_days)
    await AccountState.filter(account_id=account_id, lease_owner=owner).update(next_due_at=now + interval)
    return now + interval


async def _due_interval(account_id: int, now: dt.datetime, regular: dt.timedelta, urgent: dt.timedelta | None,
                        urgent_after_days: int) -> dt.timedelta:
    if urgent is not None and urgent < regular:
        last = await Post.filter(account_id=account_id, pinned=False).order_by("-published_at").first()
        if last is None or now - last.published_at >= dt.timedelta(days=urgent_after_days):
            return urgent
    return regular


async def release_lease(account_id: int, owner: str) -> None:
    """Give the lease back (only if still ours)."""
    await AccountState.filter(account_id=account_id, lease_owner=owner).update(lease_owner=None, lease_until=None)


async def start_attempt(account_id: int, method: str, worker: str, now: dt.datetime, *, stamp: bool = True) -> int:
    """Record that an attempt started; return its id.

    ``stamp=False`` leaves ``last_attempt_at`` alone, for a caller whose `acquire_lease(..., attempt=True)`
    already set it.
    """
    attempt = await CollectionAttempt.create(account_id=account_id, method=method, worker=worker, started_at=now)
    if stamp and not await AccountState.filter(account_id=account_id).update(last_attempt_at=now):
        await ensure_states([account_id])  # e.g. a manual import of an account never collected before
        await AccountState.filter(account_id=account_id).update(last_attempt_at=now)
    return attempt.id


@dataclass(frozen=True)
class Success:
    """What a successful collection observed."""

    posts: Sequence[PostLike]
    metrics: Sequence[MetricLike]
    known_until: dt.datetime
    cursor: str = ""
    backfilled_from: dt.date | None = None
    calls: int = 0
    #: (start, end, prefix): provisional posts whose id starts with prefix, published in
    #: [start, end) and whose title reappears in this batch under a final id, are replaced by it.
    supersede: tuple[dt.datetime, dt.datetime, str] | None = None
    #: Responsiveness facts of the posts whose comments were read in this collection.
    responses: Sequence[ResponseLike] = ()


@dataclass(frozen=True)
class Release:
    """Give the lease back in the statement that records the outcome (only if still ``owner``'s).

    With ``regular``, the account is also due again ``regular`` (or ``urgent``, see `set_next_due`)
    after ``started``.
    """

    owner: str
    started: dt.datetime
    regular: dt.timedelta | None = None
    urgent: dt.timedelta | None = None
    urgent_after_days: int = FALLBACK_URGENT_AFTER_DAYS  # the county's stale_warning days, passed in


class _StateUpdate:
    """One raw UPDATE of an account's state, built clause by clause (``?`` placeholders)."""

    def __init__(self, pg: bool) -> None:
        self.pg = pg
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        """One ``"column" = expression`` clause and its parameters."""
        self.clauses.append(clause)
        self.params.extend(params)

    def later(self, column: str, value: dt.datetime) -> None:
        """Set a timestamp column to ``value`` unless it already holds a later one."""
        # SQLite compares the county-time text every timestamp is stored as (registry/db/sqlite_backend.py),
        # which orders like the instants, to the microsecond.
        v, cast = as_aware(value), "::timestamptz" if self.pg else ""
        self.add(f'"{column}" = CASE WHEN "{column}" IS NULL OR "{column}" < ?{cast} THEN ?{cast} ELSE "{column}" END',
                 v, v)

    async def release(self, account_id: int, release: Release) -> None:
        """Clear the lease and set the next due time, both only if ``release.owner`` still holds it."""
        if release.regular is not None:
            due = release.started + await _due_interval(account_id, release.started, release.regular, release.urgent,
                                                        release.urgent_after_days)
            cast = "::timestamptz" if self.pg else ""
            self.add(f'"next_due_at" = CASE WHEN "lease_owner" = ? THEN ?{cast} ELSE "next_due_at" END',
                     release.owner, as_aware(due))
        # Right-hand sides read the row as it was before the UPDATE, so the clauses' order is irrelevant.
        self.add('"lease_until" = CASE WHEN "lease_owner" = ? THEN NULL ELSE "lease_until" END', release.owner)
        self.add('"lease_owner" = CASE WHEN "lease_owner" = ? THEN NULL ELSE "lease_owner" END', release.owner)

    async def run(self, account_id: int) -> None:
        """Execute it on the current connection (the transaction's, inside one)."""
        conn, _ = connection_of(AccountState)
        sql = f'UPDATE "account_state" SET {", ".join(self.clauses)} WHERE "account_id" = ?'
        await conn.execute_query(numbered(sql, self.pg), [*self.params, account_id])


async def record_success(attempt_id: int, account_id: int, source: str, result: Success, now: dt.datetime,
                         *, release: Release | None = None,
                         posts_written: tuple[int, int] | None = None) -> tuple[int, int]:
    """Store observations and advance coverage, in one transaction; return (new, updated) posts.

    With ``release``, the lease is given back in the same transaction. ``posts_written``: the result's
    posts were already stored by a batch (`upsert_post_batches`, in the caller's transaction), with
    these (new, updated) counts.
    """
    async with in_transaction():
        if result.supersede:
            await _supersede(account_id, result)
        if posts_written is None:
            new, updated = await upsert_posts(account_id, result.posts, source)
        else:
            new, updated = posts_written
        await upsert_metrics(account_id, result.metrics)
        await record_responses(account_id, result.responses)
        await CollectionAttempt.filter(id=attempt_id).update(
            finished_at=now, outcome="ok", new_posts=new, updated_posts=updated, calls=result.calls)
        _, pg = connection_of(AccountState)
        up = _StateUpdate(pg)
        # Coverage only moves forward, and only here (one statement: no read-then-write race).
        up.add('"last_success_at" = ?', as_aware(now))
        up.later("known_until", result.known_until)
        up.add('"last_error_kind" = NULL, "last_error" = \'\', "consecutive_failures" = 0, "gone" = ?, '
               '"cooldown_until" = NULL', False)
        if result.cursor:
            up.add('"cursor" = ?', result.cursor[:256])
        if result.backfilled_from:
            day: Any = result.backfilled_from if pg else result.backfilled_from.isoformat()
            cast = "::date" if pg else ""
            up.add(f'"backfilled_from" = CASE WHEN "backfilled_from" IS NULL OR "backfilled_from" > ?{cast} '
                   f'THEN ?{cast} ELSE "backfilled_from" END', day, day)
        if release is not None:
            await up.release(account_id, release)
        await up.run(account_id)
    return new, updated


async def _supersede(account_id: int, result: Success) -> None:
    assert result.supersede is not None
    start, end, prefix = result.supersede
    titles = {p.title for p in result.posts if not p.post_id.startswith(prefix) and start <= p.published_at < end}
    if titles:
        gone = Post.filter(account_id=account_id, post_id__startswith=prefix, published_at__gte=start,
                           published_at__lt=end, title__in=list(titles))
        # The provisional copy may carry text the final one (datacube: titles only) lacks: hand it on.
        for old in await gone.filter(text__isnull=False).values("title", "text", "text_coverage"):
            await Post.filter(account_id=account_id, title=old["title"], text__isnull=True, published_at__gte=start,
                              published_at__lt=end).exclude(post_id__startswith=prefix).update(
                text=old["text"], text_coverage=old["text_coverage"])
        await gone.delete()


async def record_failure(attempt_id: int, account_id: int, *, kind: str, code: str | None, message: str,
                         now: dt.datetime, calls: int = 0, cooldown_until: dt.datetime | None = None,
                         release: Release | None = None) -> None:
    """Store a failed attempt; coverage and last success stay as they were.

    With ``release``, the lease is given back in the same transaction.
    """
    async with in_transaction():
        await CollectionAttempt.filter(id=attempt_id).update(
            finished_at=now, outcome="failed", error_kind=kind, error_code=code, message=message[:2000], calls=calls)
        _, pg = connection_of(AccountState)
        up = _StateUpdate(pg)
        up.add('"last_error_kind" = ?, "last_error" = ?, "consecutive_failures" = "consecutive_failures" + 1, '
               '"gone" = ?', kind, message[:2000], kind == "gone")
        up.add('"cooldown_until" = ?', None if cooldown_until is None else as_aware(cooldown_until))
        if release is not None:
            await up.release(account_id, release)
        await up.run(account_id)


@dataclass(frozen=True)
class StatusRow:
    """Collection status of one account for `collect status`."""

    account_id: int
    ref: str
    name: str
    method: str
    last_success_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    last_error_kind: str | None
    last_error: str
    known_until: dt.datetime | None
    posts: int
    first_post_at: dt.datetime | None
    last_post_at: dt.datetime | None


async def collection_status(account_ids: Sequence[int] | None = None) -> list[StatusRow]:
    """Per account: last success, last attempt and its error, posts known, coverage."""
    from tortoise.functions import Count, Max, Min

    query = Account.filter(status__in=[s.value for s in vocab.ACTIVE_STATUSES])
    if account_ids is not None:
        query = query.filter(id__in=list(account_ids))
    accounts = await query.order_by("id")
    ids = [a.id for a in accounts]
    states = {s.account_id: s for s in await AccountState.filter(account_id__in=ids)}  # type: ignore[attr-defined]
    stats = {r["account_id"]: r for r in await Post.filter(account_id__in=ids).group_by("account_id").annotate(
        n=Count("id"), first=Min("published_at"), last=Max("published_at")).values("account_id", "n", "first", "last")}
    rows = []
    for a in accounts:
        s = states.get(a.id)
        st = stats.get(a.id, {})
        rows.append(StatusRow(a.id, a.ref, a.name, a.collect_method,
                              s.last_success_at if s else None, s.last_attempt_at if s else None,
                              s.last_error_kind if s else None, s.last_error if s else "",
                              s.known_until if s else None, int(st.get("n", 0) or 0), st.get("first"), st.get("last")))
    return rows
