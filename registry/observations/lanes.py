"""Lane slots kept in the database, so pacing holds across ``run --worker`` processes on PostgreSQL.

A claim is one atomic statement: the row of the lane key is locked by the upsert, its next free moment
moves on by the call's interval, and the caller learns how long to wait for the slot it reserved. The
database's clock decides, so workers on several machines agree. SQLite runs one process and keeps
pacing in memory (`collectors.lanes.LocalSlots`).
"""

from __future__ import annotations

from registry.db.models import LaneSlot
from registry.db.rawsql import connection_of

_CLAIM = """
INSERT INTO lane_slot (key, next_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(lane_slot.next_at, clock_timestamp()) + make_interval(secs => $2)
RETURNING EXTRACT(EPOCH FROM (next_at - make_interval(secs => $2) - clock_timestamp()))::float8 AS wait
"""


class DbSlots:
    """Lane slots in the ``lane_slot`` table (PostgreSQL)."""

    async def claim(self, key: str, interval: float) -> float:
        """Reserve the next slot of ``key``; return the seconds to wait for it (never negative)."""
        conn, pg = connection_of(LaneSlot)
        if not pg:
            raise RuntimeError("lane slots in the database need PostgreSQL; SQLite paces in memory")
        rows = await conn.execute_query_dict(_CLAIM, [key, float(interval)])
        return max(0.0, float(rows[0]["wait"]))


def uses_database() -> bool:
    """Whether lane slots should live in the database (PostgreSQL) rather than in memory."""
    return connection_of(LaneSlot)[1]
