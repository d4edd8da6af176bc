"""One leader among several `govmedia run --worker` processes on PostgreSQL (an advisory lock).

Collection is shared by every worker through row leases; the singleton jobs (check, notify, the
monthly review) run only in the process holding ``pg_try_advisory_lock``. The lock lives on a
dedicated connection: when the leader dies its connection closes, the lock is released and the
next worker to try becomes leader.
"""

from __future__ import annotations

from typing import Any

from registry.db.lifecycle import is_sqlite, normalise_url

LOCK_KEY = 0x60F3ED1A  # "govmedia" singleton jobs


class Leadership:
    """Holds (or tries to take) the leader lock for this process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None

    @property
    def held(self) -> bool:
        """Whether this process is the leader now."""
        return is_sqlite(self.url) or (self._conn is not None and not self._conn.is_closed())

    async def try_acquire(self) -> bool:
        """Take the lock if free; SQLite (one process by construction) always leads."""
        if self.held:
            return True
        import asyncpg

        conn = await asyncpg.connect(normalise_url(self.url).replace("postgres://", "postgresql://", 1))
        if await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY):
            self._conn = conn
            return True
        await conn.close()
        return False

    async def release(self) -> None:
        """Give the lock back (closing the connection releases it)."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
