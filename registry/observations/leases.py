"""Which accounts of a pass another worker has already taken: one statement per window of accounts.

Several `govmedia run --worker` processes walk the same due accounts. The lease itself stays the atomic
conditional UPDATE of `store.acquire_lease`; this read only spares a worker that UPDATE (and its row lock)
for the accounts it can already see are collected this cycle or leased by another live worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tortoise.expressions import Q

from registry.db.models import AccountState


async def taken_by_others(account_ids: Sequence[int], owner: str, now: dt.datetime) -> set[int]:
    """The accounts among ``account_ids`` that are no longer due at ``now`` or whose live lease another owner holds."""
    if not account_ids:
        return set()
    collected = Q(next_due_at__isnull=False) & Q(next_due_at__gt=now)
    leased = Q(lease_until__isnull=False) & Q(lease_until__gte=now) & ~Q(lease_owner=owner)
    rows = await AccountState.filter(Q(account_id__in=list(account_ids)) & (collected | leased)).values("account_id")
    return {int(r["account_id"]) for r in rows}
