"""Lane slots kept in the database, so pacing holds across ``run --worker`` processes on PostgreSQL.

A claim is one atomic statement: the row of the lane key is locked by the upsert, its next free moment
moves on by the call's interval, and the caller learns how long to wait for the slot it reserved. The
database's clock decides, so workers on several machines agree. SQLite runs one process and keeps
pacing in memory (`collectors.lanes.LocalSlots`).
"""

from __future__ import annotations

from collections.abc import Mapping

from registry.db.models import LaneSlot
from registry.db.rawsql import connection_of

_CLAIM = """
INSERT INTO lane_slot (key, next_at) VALUES ($1, clock_timestamp() + make_interval(secs => $2))
ON CONFLICT (key) DO UPDATE SET next_at = GREATEST(lane_slot.next_at, clock_timestamp()) + make_interval(secs => $2)
RETURNING EXTRACT(EPOCH FROM (next_at - make_interval(secs => $2) - clock_timestamp()))::float8 AS wait
"""


#: Rows of the same lane claimed under another pace (an old config): dropped when a pace first claims.
_RELEASE = "DELETE FROM lane_slot WHERE split_part(key, '@', 1) = $1 AND key <> $2"


class DbSlots:
    """Lane slots in the ``lane_slot`` table (PostgreSQL).

    Each row's key carries the pace it was claimed under (``weibo_public@3+2``: min_interval and jitter),
    given per lane name in ``paces``. A changed config therefore claims fresh rows and releases the old
    ones: one run with ``min_interval = 86400`` used to push the shared row a day ahead per call, and the
    lane stayed blocked for days after the config was fixed.
    """

    def __init__(self, paces: Mapping[str, str] | None = None) -> None:
        self.paces = dict(paces or {})
        self._released: set[str] = set()

    def row_key(self, key: str) -> str:
        """The stored key: the lane key and the pace of its lane."""
        pace = self.paces.get(key.split("/", 1)[0], "")
        return f"{key}@{pace}" if pace else key

    async def claim(self, key: str, interval: float) -> float:
        """Reserve the next slot of ``key``; return the seconds to wait for it (never negative)."""
        conn, pg = connection_of(LaneSlot)
        if not pg:
            raise RuntimeError("lane slots in the database need PostgreSQL; SQLite paces in memory")
        row = self.row_key(key)
        if row not in self._released:
            await conn.execute_query(_RELEASE, [key, row])
            self._released.add(row)
        rows = await conn.execute_query_dict(_CLAIM, [row, float(interval)])
        return max(0.0, float(rows[0]["wait"]))


def uses_database() -> bool:
    """Whether lane slots should live in the database (PostgreSQL) rather than in memory."""
    return connection_of(LaneSlot)[1]
