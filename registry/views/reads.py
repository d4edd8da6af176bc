"""Independent reads of one evaluation or report run at once where the database gains from it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any

from registry.db.models import Post
from registry.db.rawsql import connection_of
from registry.db.sqlite_readers import pool_of


async def together(*parts: Awaitable[Any]) -> list[Any]:
    """Independent reads: at once on PostgreSQL, each on a connection of the pool (the server answers one
    while this process works on another; inside a transaction tortoise queues them on its one connection),
    on SQLite each on a side reader of its own where `pool_of` allows (SQLite steps one
    statement on another core while this process works on another part), else one after the other."""
    conn, pg = connection_of(Post)
    if pg:
        return list(await asyncio.gather(*parts))
    pool = pool_of(conn) if len(parts) > 1 else None
    if pool is not None:
        alias = Post._meta.default_connection
        assert alias is not None
        return await pool.together(alias, parts)
    done: list[Any] = []
    try:
        for part in parts:
            done.append(await part)
    finally:
        for part in parts[len(done) + 1:]:  # after a failure: the parts never started
            if isinstance(part, Coroutine):
                part.close()
    return done

