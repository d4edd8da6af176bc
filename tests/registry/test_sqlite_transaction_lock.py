"""The SQLite transaction lock (`registry.db.sqlite_backend.ReleasingTransactionContext`): a task cancelled
while it waits for a transaction never releases the lock another task holds."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tortoise.transactions import in_transaction

from registry.db.lifecycle import database
from registry.db.models import Unit


async def test_a_waiter_cancelled_leaves_the_holders_lock_alone(tmp_path: Path) -> None:
    async with database(f"sqlite://{tmp_path / 'g.db'}"):
        holding, go_on = asyncio.Event(), asyncio.Event()

        async def holder() -> None:
            async with in_transaction():
                await Unit.create(name="县政府办", kind="county_gov")
                holding.set()
                await go_on.wait()

        async def waiter() -> None:
            async with in_transaction():
                await Unit.create(name="不该写入", kind="department")

        first = asyncio.create_task(holder())
        await holding.wait()
        second = asyncio.create_task(waiter())
        await asyncio.sleep(0.05)  # the waiter now waits for the lock the holder has
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)
        go_on.set()
        await first  # before the fix: RuntimeError("Lock is not acquired.") at the holder's commit
        async with in_transaction():  # and the lock still works
            await Unit.create(name="县教育局", kind="department")
        assert sorted(await Unit.all().values_list("name", flat=True)) == ["县政府办", "县教育局"]
