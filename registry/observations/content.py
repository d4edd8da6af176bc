"""Storing content scans: each scanned post's marker (the checker's fingerprint) and its masked problems."""

from __future__ import annotations

import json
from collections.abc import Sequence

from registry.db.models import CONTENT_FLAGGED as FLAGGED
from registry.db.models import Post
from registry.db.rawsql import connection_of, numbered


async def store_scans(fingerprint: str, results: Sequence[tuple[int, list[dict[str, str]] | None]]) -> None:
    """Mark the posts scanned by ``fingerprint`` (with "+" when they have problems) and keep their problems
    (None: none). Hits must be masked."""
    if not results:
        return
    conn, pg = connection_of(Post)
    cast = "::jsonb" if pg else ""
    sql = numbered(f'UPDATE "post" SET "content_scanned" = ?, "content_hits" = ?{cast} WHERE "id" = ?', pg)
    # In id order: two checks marking the same posts at once then wait for each other instead of deadlocking.
    rows = [[fingerprint + FLAGGED if hits else fingerprint, json.dumps(hits, ensure_ascii=False) if hits else None, pid]
            for pid, hits in sorted(results, key=lambda r: r[0])]
    await conn.execute_many(sql, rows)
