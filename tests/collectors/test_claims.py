"""Several workers walking one pass: each from its own point of the list, skipping (one lookup per window)
the accounts another worker has collected this cycle or holds; the lease itself stays the authority."""

from __future__ import annotations

import datetime as dt

from collectors.claims import WINDOW, TakenFilter, rotated
from registry.db.models import AccountState
from registry.observations import store as obs
from tests.registry.test_observations_upsert import NOW, account


def test_rotation_is_a_permutation_with_a_start_of_each_workers_own() -> None:
    items = list(range(1000))
    a, b = rotated(items, "host:101"), rotated(items, "host:102")
    assert sorted(a) == sorted(b) == items
    assert a == rotated(items, "host:101") and a != b  # stable for one worker, another point for another
    assert a == items[a[0]:] + items[:a[0]]  # the same order, from another point
    assert rotated([], "w") == []


async def test_the_filter_skips_what_others_took_and_keeps_what_is_free(db: str) -> None:
    ids = [await account(f"gh_{i:012d}") for i in range(WINDOW + 10)]
    ttl = dt.timedelta(minutes=15)
    collected, held, mine = ids[3], ids[WINDOW + 5], ids[7]
    assert await obs.acquire_lease(held, "other", NOW, ttl)  # another live worker holds it
    assert await obs.acquire_lease(mine, "me", NOW, ttl)  # an earlier lease of this worker does not count
    await obs.ensure_states(ids)
    await AccountState.filter(account_id=collected).update(next_due_at=NOW + dt.timedelta(hours=1))
    await AccountState.filter(account_id=ids[9]).update(lease_owner="dead", lease_until=NOW - dt.timedelta(minutes=1))

    taken = TakenFilter(ids, "me", lambda: NOW)
    answers = {aid: await taken.is_taken(aid) for aid in ids}
    assert {aid for aid, t in answers.items() if t} == {collected, held}
    assert taken.known_upto == len(ids)  # looked up in windows, as the walk reached them
    assert not await taken.is_taken(10**9)  # not of this pass: the lease decides
