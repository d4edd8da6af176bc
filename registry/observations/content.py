"""Storing content scans: each scanned post's marker (the checker's fingerprint) and its masked problems."""

from __future__ import annotations

import json
from collections.abc import Sequence

from registry.db.models import CONTENT_FLAGGED as FLAGGED
from registry.db.models import Post
from registry.db.rawsql import connection_of, id_list, in_ids, marks, numbered


async def store_scans(fingerprint: str, results: Sequence[tuple[int, list[dict[str, str]] | None]]) -> None:
    """Mark the posts scanned by ``fingerprint`` (with "+" when they have problems) and keep their problems
    (None: none). Hits must be masked."""
    if not results:
        return
    conn, pg = connection_of(Post)
    # Nearly every post is clean: their markers are one statement per batch, not one UPDATE each (a first
    # check or a rescan after a lexicon change writes every post of the window: 4 million at 20,000 accounts).
    clean = sorted(pid for pid, hits in results if not hits)
    if clean:
        m = marks(conn, 2)
        # Both statements lock their rows in id order (the primary-key scan of a sorted id list; the flagged
        # rows below are sorted too), so two checks marking the same posts wait for each other, never deadlock.
        await conn.execute_query(f'UPDATE "post" SET "content_scanned" = {m[0]}, "content_hits" = NULL '
                                 f'WHERE {in_ids(conn, "id", m[1])}', [fingerprint, id_list(conn, clean)])
    flagged = sorted(((pid, hits) for pid, hits in results if hits), key=lambda r: r[0])
    if flagged:
        cast = "::jsonb" if pg else ""
        sql = numbered(f'UPDATE "post" SET "content_scanned" = ?, "content_hits" = ?{cast} WHERE "id" = ?', pg)
        await conn.execute_many(sql, [[fingerprint + FLAGGED, json.dumps(hits, ensure_ascii=False), pid]
                                      for pid, hits in flagged])
