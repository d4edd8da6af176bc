"""The observation store: posts, daily metrics, collection attempts, coverage and leases.

Contract (blind is not silent): `AccountState.known_until` and `last_success_at` move only in
`record_success`; `record_failure` stores the error and leaves coverage untouched. Rules read
coverage to tell an account that posted nothing from one we could not see.

Posts upsert by (account, post_id) and metrics by (account, day): re-collecting never duplicates,
later numbers replace earlier ones, and a missing number (None) never erases a known one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from registry import vocab
from registry.models import Account, AccountState, CollectionAttempt, DailyMetric, Post

POST_NUMBERS = ("reads", "likes", "shares", "comments", "zaikan", "favorites")
METRIC_NUMBERS = ("followers", "new_followers", "lost_followers", "reads", "shares")


class PostLike(Protocol):
    """What the store needs of a collected post."""

    @property
    def post_id(self) -> str: ...
    @property
    def published_at(self) -> dt.datetime: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def pinned(self) -> bool: ...
    @property
    def original(self) -> bool | None: ...
    @property
    def reads(self) -> int | None: ...
    @property
    def likes(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...
    @property
    def comments(self) -> int | None: ...
    @property
    def zaikan(self) -> int | None: ...
    @property
    def favorites(self) -> int | None: ...


class MetricLike(Protocol):
    """What the store needs of a daily metric."""

    @property
    def day(self) -> dt.date: ...
    @property
    def followers(self) -> int | None: ...
    @property
    def new_followers(self) -> int | None: ...
    @property
    def lost_followers(self) -> int | None: ...
    @property
    def reads(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...


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
    """Active accounts that are collected automatically (not manual), with their state.

    With ``due_at``, only accounts due by then (never collected, or ``next_due_at`` reached): the
    scheduler and its workers use it so that each account is collected once per cycle.
    """
    query = Account.filter(status__in=[s.value for s in vocab.ACTIVE_STATUSES]).exclude(
        collect_method=vocab.CollectMethod.MANUAL.value)
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
        out.append(Target(a.id, a.platform, a.uid, a.name, a.collect_method, a.credential, a.feed_url,
                          s.known_until, s.last_success_at, s.backfilled_from, s.cursor, s.cooldown_until))
    return out


async def acquire_lease(account_id: int, owner: str, now: dt.datetime, ttl: dt.timedelta,
                        *, only_if_due: bool = False) -> bool:
    """Take the account's lease unless another live worker holds it (atomic conditional update).

    With ``only_if_due`` the account must also still be due, so an account another worker has just
    collected in this cycle is not collected again.
    """
    await ensure_states([account_id])
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner)
    condition = Q(account_id=account_id) & free
    if only_if_due:
        condition &= Q(next_due_at__isnull=True) | Q(next_due_at__lte=now)
    n = await AccountState.filter(condition).update(lease_owner=owner, lease_until=now + ttl)
    return n == 1


async def set_next_due(account_id: int, owner: str, now: dt.datetime, regular: dt.timedelta,
                       urgent: dt.timedelta | None = None, urgent_after_days: int = 10) -> dt.datetime:
    """When the account is due again (set by the worker that just collected it, before releasing).

    An account whose last post is ``urgent_after_days`` old or more (approaching the 14-day veto) is
    polled every ``urgent`` instead, so the day it posts again is seen quickly.
    """
    interval = regular
    if urgent is not None and urgent < regular:
        last = await Post.filter(account_id=account_id, pinned=False).order_by("-published_at").first()
        if last is None or now - last.published_at >= dt.timedelta(days=urgent_after_days):
            interval = urgent
    await AccountState.filter(account_id=account_id, lease_owner=owner).update(next_due_at=now + interval)
    return now + interval


async def release_lease(account_id: int, owner: str) -> None:
    """Give the lease back (only if still ours)."""
    await AccountState.filter(account_id=account_id, lease_owner=owner).update(lease_owner=None, lease_until=None)


async def start_attempt(account_id: int, method: str, worker: str, now: dt.datetime) -> int:
    """Record that an attempt started; return its id."""
    await ensure_states([account_id])
    attempt = await CollectionAttempt.create(account_id=account_id, method=method, worker=worker, started_at=now)
    await AccountState.filter(account_id=account_id).update(last_attempt_at=now)
    return attempt.id


def _merge(old: dict[str, Any] | None, new: dict[str, Any], numbers: Sequence[str]) -> dict[str, Any]:
    if old is None:
        return new
    merged = dict(new)
    for key in numbers:
        if merged.get(key) is None:
            merged[key] = old.get(key)
    return merged


async def upsert_posts(account_id: int, posts: Sequence[PostLike], source: str) -> tuple[int, int]:
    """Insert or update posts; return (new, updated)."""
    if not posts:
        return 0, 0
    by_id: dict[str, PostLike] = {p.post_id: p for p in posts}
    existing = {row["post_id"]: row for row in await Post.filter(account_id=account_id, post_id__in=list(by_id)).values(
        "post_id", *POST_NUMBERS)}
    rows = []
    for pid, p in by_id.items():
        values = {"post_id": pid, "published_at": p.published_at, "title": (p.title or "")[:256],
                  "url": (p.url or "")[:1024], "pinned": p.pinned, "original": p.original, "source": source,
                  **{k: getattr(p, k) for k in POST_NUMBERS}}
        rows.append(Post(account_id=account_id, **_merge(existing.get(pid), values, POST_NUMBERS)))
    await Post.bulk_create(rows, batch_size=500, on_conflict=["account_id", "post_id"],
                           update_fields=["published_at", "title", "url", "pinned", "original", "source",
                                          *POST_NUMBERS, "updated_at"])
    new = len(by_id) - len(existing)
    return new, len(existing)


async def upsert_metrics(account_id: int, metrics: Sequence[MetricLike]) -> int:
    """Insert or update daily metrics; return how many days were written."""
    if not metrics:
        return 0
    by_day: dict[dt.date, dict[str, Any]] = {}
    for m in metrics:
        values = {k: getattr(m, k) for k in METRIC_NUMBERS}
        by_day[m.day] = _merge(by_day.get(m.day), values, METRIC_NUMBERS)
    existing = {row["day"]: row for row in await DailyMetric.filter(account_id=account_id, day__in=list(by_day)).values(
        "day", *METRIC_NUMBERS)}
    rows = [DailyMetric(account_id=account_id, day=d, **_merge(existing.get(d), v, METRIC_NUMBERS)) for d, v in by_day.items()]
    await DailyMetric.bulk_create(rows, batch_size=500, on_conflict=["account_id", "day"],
                                  update_fields=[*METRIC_NUMBERS, "updated_at"])
    return len(rows)


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


async def record_success(attempt_id: int, account_id: int, source: str, result: Success, now: dt.datetime) -> tuple[int, int]:
    """Store observations and advance coverage, in one transaction; return (new, updated) posts."""
    async with in_transaction():
        if result.supersede:
            await _supersede(account_id, result)
        new, updated = await upsert_posts(account_id, result.posts, source)
        await upsert_metrics(account_id, result.metrics)
        await CollectionAttempt.filter(id=attempt_id).update(
            finished_at=now, outcome="ok", new_posts=new, updated_posts=updated, calls=result.calls)
        state = await AccountState.get(account_id=account_id)
        known = result.known_until if state.known_until is None else max(state.known_until, result.known_until)
        values: dict[str, Any] = {"last_success_at": now, "known_until": known, "last_error_kind": None,
                                  "last_error": "", "consecutive_failures": 0, "gone": False, "cooldown_until": None}
        if result.cursor:
            values["cursor"] = result.cursor[:256]
        if result.backfilled_from and (state.backfilled_from is None or result.backfilled_from < state.backfilled_from):
            values["backfilled_from"] = result.backfilled_from
        await AccountState.filter(account_id=account_id).update(**values)
    return new, updated


async def _supersede(account_id: int, result: Success) -> None:
    assert result.supersede is not None
    start, end, prefix = result.supersede
    titles = {p.title for p in result.posts if not p.post_id.startswith(prefix) and start <= p.published_at < end}
    if titles:
        await Post.filter(account_id=account_id, post_id__startswith=prefix, published_at__gte=start,
                          published_at__lt=end, title__in=list(titles)).delete()


async def record_failure(attempt_id: int, account_id: int, *, kind: str, code: str | None, message: str,
                         now: dt.datetime, calls: int = 0, cooldown_until: dt.datetime | None = None) -> None:
    """Store a failed attempt; coverage and last success stay as they were."""
    async with in_transaction():
        await CollectionAttempt.filter(id=attempt_id).update(
            finished_at=now, outcome="failed", error_kind=kind, error_code=code, message=message[:2000], calls=calls)
        state = await AccountState.get(account_id=account_id)
        await AccountState.filter(account_id=account_id).update(
            last_error_kind=kind, last_error=message[:2000], consecutive_failures=state.consecutive_failures + 1,
            gone=kind == "gone", cooldown_until=cooldown_until)


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
