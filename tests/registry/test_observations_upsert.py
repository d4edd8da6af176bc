"""The observation store's raw SQL writes on both backends: upserts keep known numbers, ids and first
sightings; state updates keep coverage monotonic and give leases back only to their owner."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from collectors.model import MetricObs, PostObs
from registry.db.models import AccountState, CollectionAttempt, DailyMetric, Post
from registry.ledger import accounts as store
from registry.observations import store as obs

BEIJING = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)


async def account(uid: str = "gh_000000000001") -> int:
    record = {"platform": "wechat", "uid": uid, "name": f"号{uid[-4:]}", "unit": "测试单位", "unit_kind": "乡镇",
              "interaction": "留言", "opened_on": "2020-01-01", "credential": "c"}
    return (await store.add_account(record, actor="t", today=NOW.date())).id


def post(pid: str = "p1", **numbers: int | None) -> PostObs:
    return PostObs(post_id=pid, published_at=NOW - dt.timedelta(hours=5), title="标题", url="https://x.example/1",
                   **numbers)  # type: ignore[arg-type]


async def test_second_upsert_keeps_known_numbers_id_and_first_seen(db: str) -> None:
    aid = await account()
    assert await obs.upsert_posts(aid, [post(reads=100, likes=3, shares=1)], "wechat_api") == (1, 0)
    first = await Post.get(account_id=aid, post_id="p1")
    # A source that does not report reads (None) must not erase them; the others are replaced.
    assert await obs.upsert_posts(aid, [post(reads=None, likes=5, shares=None, comments=2)], "feed") == (0, 1)
    again = await Post.get(account_id=aid, post_id="p1")
    assert await Post.filter(account_id=aid).count() == 1
    assert again.id == first.id and again.first_seen_at == first.first_seen_at
    assert (again.reads, again.likes, again.shares, again.comments) == (100, 5, 1, 2)
    assert again.source == "feed" and again.updated_at >= first.updated_at


async def test_upsert_stores_instants_and_flags(db: str) -> None:
    aid = await account()
    utc = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC)  # 01:30 on the 26th, county time
    await obs.upsert_posts(aid, [PostObs(post_id="u", published_at=utc, title="t" * 300, url=None, pinned=True,
                                         original=False, reads=7)], "feed")
    p = await Post.get(account_id=aid, post_id="u")
    assert p.published_at == utc and p.pinned is True and p.original is False
    assert len(p.title) == 256 and p.url == "" and p.first_seen_at is not None and p.updated_at is not None
    # Range filters compare instants whatever zone the post came in.
    assert await Post.filter(published_at__gte=dt.datetime(2026, 11, 26, 1, 0, tzinfo=BEIJING)).count() == 1
    assert await Post.filter(published_at__gte=dt.datetime(2026, 11, 26, 2, 0, tzinfo=BEIJING)).count() == 0


async def test_duplicate_ids_in_one_batch_and_many_rows(db: str) -> None:
    aid = await account()
    batch = [post(f"p{k}", reads=k) for k in range(700)] + [post("p3", reads=33)]
    assert await obs.upsert_posts(aid, batch, "wechat_api") == (700, 0)
    assert await Post.filter(account_id=aid).count() == 700
    assert (await Post.get(account_id=aid, post_id="p3")).reads == 33


async def test_batch_upsert_of_many_accounts_matches_the_per_account_one(db: str) -> None:
    # A batch import (COPY + one merge on PostgreSQL) stores what per-account upserts store, with the
    # same counts and the same rule that a missing number never erases a known one.
    a, b, c = await account("gh_000000000001"), await account("gh_000000000002"), await account("gh_000000000003")
    await obs.upsert_posts(a, [post("old", reads=100, likes=3)], "wechat_api")
    written = await obs.upsert_post_batches({
        a: [post("old", reads=None, likes=5), post("new", reads=1), post("new", reads=2)],
        b: [post(f"p{k}", reads=k, shares=None) for k in range(300)],
        c: []}, "manual")
    assert written == {a: (1, 1), b: (300, 0)}
    old, new = await Post.get(account_id=a, post_id="old"), await Post.get(account_id=a, post_id="new")
    assert (old.reads, old.likes, old.source) == (100, 5, "manual") and new.reads == 2
    assert await Post.filter(account_id=b).count() == 300 and (await Post.get(account_id=b, post_id="p7")).reads == 7
    stored = await Post.get(account_id=b, post_id="p1")
    assert stored.published_at == NOW - dt.timedelta(hours=5) and stored.url == "https://x.example/1"
    assert stored.first_seen_at is not None and stored.content_scanned is None
    # Again: every row is an update now, and the rows are the same.
    assert await obs.upsert_post_batches({a: [post("new", reads=3)], b: [post("p1", reads=None)]}, "manual") == {
        a: (0, 1), b: (0, 1)}
    assert (await Post.get(account_id=a, post_id="new")).reads == 3
    assert (await Post.get(account_id=b, post_id="p1")).reads == 1
    assert await Post.all().count() == 302


async def test_batch_upsert_rolls_back_with_its_transaction(db: str) -> None:
    a, b = await account("gh_000000000001"), await account("gh_000000000002")
    try:
        async with in_transaction():
            await obs.upsert_post_batches({a: [post("x")], b: [post("y")]}, "manual")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert await Post.all().count() == 0


async def test_upsert_rolls_back_with_its_transaction(db: str) -> None:
    aid = await account()
    try:
        async with in_transaction():
            await obs.upsert_posts(aid, [post()], "feed")
            await obs.upsert_metrics(aid, [MetricObs(day=NOW.date(), followers=1)])
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    assert await Post.all().count() == 0 and await DailyMetric.all().count() == 0


async def test_metrics_keep_known_numbers(db: str) -> None:
    aid = await account()
    day = NOW.date()
    # Two sources for one day in one batch merge; the second pass lacks followers.
    assert await obs.upsert_metrics(aid, [MetricObs(day=day, followers=1000), MetricObs(day=day, new_followers=4)]) == 1
    first = await DailyMetric.get(account_id=aid, day=day)
    assert await obs.upsert_metrics(aid, [MetricObs(day=day, new_followers=5, reads=9)]) == 1
    m = await DailyMetric.get(account_id=aid, day=day)
    assert m.id == first.id and (m.followers, m.new_followers, m.reads) == (1000, 5, 9)
    assert await DailyMetric.filter(account_id=aid).count() == 1


async def test_success_and_failure_keep_coverage_monotonic(db: str) -> None:
    aid = await account()
    later, earlier = NOW, NOW - dt.timedelta(days=2)
    a1 = await obs.start_attempt(aid, "wechat_api", "w", NOW)  # creates the missing state row
    await obs.record_success(a1, aid, "wechat_api", obs.Success(posts=[post()], metrics=[], known_until=later,
                                                                cursor="day=1", backfilled_from=dt.date(2026, 8, 1)),
                             NOW)
    a2 = await obs.start_attempt(aid, "wechat_api", "w", NOW)
    await obs.record_failure(a2, aid, kind="quota", code="45009", message="limit", now=NOW,
                             cooldown_until=NOW + dt.timedelta(hours=1))
    await obs.record_failure(a2, aid, kind="gone", code=None, message="deleted", now=NOW)
    s = await AccountState.get(account_id=aid)
    assert s.known_until == later and s.consecutive_failures == 2 and s.gone and s.last_error_kind == "gone"
    assert s.cooldown_until is None and s.last_attempt_at == NOW
    # An older result (a backfill from a late worker) neither moves coverage back nor forgets the
    # oldest day fetched; it clears the error.
    a3 = await obs.start_attempt(aid, "wechat_api", "w", NOW)
    await obs.record_success(a3, aid, "wechat_api", obs.Success(posts=[], metrics=[], known_until=earlier,
                                                                backfilled_from=dt.date(2026, 9, 1)), NOW)
    s = await AccountState.get(account_id=aid)
    assert s.known_until == later and s.backfilled_from == dt.date(2026, 8, 1) and s.cursor == "day=1"
    assert s.consecutive_failures == 0 and not s.gone and s.last_error_kind is None and s.last_error == ""
    await obs.record_success(a3, aid, "wechat_api", obs.Success(posts=[], metrics=[], known_until=later + dt.timedelta(
        microseconds=5), backfilled_from=dt.date(2026, 7, 1)), NOW)
    s = await AccountState.get(account_id=aid)
    assert s.known_until == later + dt.timedelta(microseconds=5) and s.backfilled_from == dt.date(2026, 7, 1)
    assert await CollectionAttempt.filter(account_id=aid, outcome="ok").count() == 2


async def test_recording_releases_only_its_own_lease(db: str) -> None:
    aid = await account()
    ttl = dt.timedelta(minutes=15)
    assert await obs.acquire_lease(aid, "w1", NOW, ttl, attempt=True)  # no state row yet: created on the way
    assert not await obs.acquire_lease(aid, "w2", NOW, ttl, attempt=True)
    attempt = await obs.start_attempt(aid, "wechat_api", "w1", NOW, stamp=False)
    assert (await AccountState.get(account_id=aid)).last_attempt_at == NOW
    # w2 records (it should not, but must not free w1's lease or set w1's due time).
    await obs.record_failure(attempt, aid, kind="network", code=None, message="x", now=NOW,
                             release=obs.Release("w2", NOW, dt.timedelta(hours=1)))
    s = await AccountState.get(account_id=aid)
    assert s.lease_owner == "w1" and s.next_due_at is None
    await obs.record_success(attempt, aid, "wechat_api", obs.Success(posts=[], metrics=[], known_until=NOW), NOW,
                             release=obs.Release("w1", NOW, dt.timedelta(hours=1), dt.timedelta(minutes=15)))
    s = await AccountState.get(account_id=aid)
    # No post at all: the account is near the veto, so it is polled at the urgent interval.
    assert s.lease_owner is None and s.lease_until is None and s.next_due_at == NOW + dt.timedelta(minutes=15)
    assert not await obs.acquire_lease(aid, "w2", NOW + dt.timedelta(minutes=5), ttl, only_if_due=True)
    assert await obs.acquire_lease(aid, "w2", NOW + dt.timedelta(minutes=15), ttl, only_if_due=True)
