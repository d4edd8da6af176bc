"""Independent reads of one evaluation run at once where the database allows it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from tortoise.backends.base.client import TransactionalDBClient

from registry.db.models import Post
from registry.db.rawsql import is_pg

A = TypeVar("A")
B = TypeVar("B")


def can_overlap() -> bool:
    """Whether reads may overlap: PostgreSQL outside a transaction, where each takes a connection of the
    pool (SQLite has one connection, and so has a transaction)."""
    db = Post._meta.db  # the app's connection as the running task sees it (a transaction's, inside one)
    return is_pg(db) and not isinstance(db, TransactionalDBClient)


async def concurrently(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Two independent reads: at once when `can_overlap` (the server answers one while this process
    decodes the other), else in turn."""
    if can_overlap():
        a, b = await asyncio.gather(first, second)
        return a, b
    return await first, await second
