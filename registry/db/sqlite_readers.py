"""Side connections that read a SQLite file at once, so independent reads use a laptop's other cores.

tortoise gives a SQLite database one connection, whose aiosqlite thread runs every statement in turn.
SQLite lets several connections read one WAL file at the same time, and Python's sqlite3 releases the
GIL while a statement steps: a second connection aggregates a month of posts on the other core while
this process judges the rules. `registry.views.reads.together` runs each independent part on a reader
of the main client's small pool (`pool_of`), in a task whose tortoise context names that reader as the
database, so ORM and raw queries alike go to it.

A reader sees what is committed, so parts run on readers only outside a transaction (inside one they
run in turn on the transaction's connection, which sees its own writes). A part already on a reader
runs its own parts in turn on that reader: a holder of a reader never waits for the pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from tortoise.connection import connections

T = TypeVar("T")
#: Readers per database: the cores a laptop has, at least two, at most four.
POOL_SIZE = max(2, min(4, os.cpu_count() or 2))
#: Below this size a database's reads take milliseconds, and the readers' threads cost more than they save
#: (a small county's database, every test's): its parts run in turn on the one connection, as before.
READERS_MIN_BYTES = 64 * 1024 * 1024
_ON_READER: ContextVar[bool] = ContextVar("govmedia_on_reader", default=False)


class ReaderPool:
    """Up to `POOL_SIZE` read connections to one SQLite file, opened when first needed and kept."""

    def __init__(self, main: Any) -> None:
        self._main = main
        self._free: list[Any] = []
        self._all: list[Any] = []
        self._slots = asyncio.Semaphore(POOL_SIZE)

    async def _open(self) -> Any:
        reader = type(self._main)(file_path=self._main.filename, connection_name=self._main.connection_name,
                                  **self._main.pragmas)
        reader.reader_of = self
        await reader.create_connection(with_db=True)
        self._all.append(reader)
        return reader

    async def _take(self) -> Any:
        await self._slots.acquire()
        try:
            return self._free.pop() if self._free else await self._open()
        except BaseException:
            self._slots.release()
            raise

    def _give_back(self, reader: Any) -> None:
        self._free.append(reader)
        self._slots.release()

    async def _on(self, alias: str, part: Awaitable[T]) -> T:
        reader = await self._take()
        token = connections.set(alias, reader)
        flag = _ON_READER.set(True)
        try:
            return await part
        finally:
            _ON_READER.reset(flag)
            connections.reset(token)
            self._give_back(reader)

    async def together(self, alias: str, parts: Sequence[Awaitable[Any]]) -> list[Any]:
        """Await independent ``parts`` at once, each on a reader as the database ``alias``, in order.

        Never called from a part already on a reader (`pool_of` says None there).
        """
        return list(await asyncio.gather(*(asyncio.create_task(self._on(alias, part)) for part in parts)))

    async def close(self) -> None:
        """Close every reader (the main client's close calls this)."""
        readers, self._all, self._free = self._all, [], []
        for reader in readers:
            with contextlib.suppress(Exception):
                await reader.close()


def pool_of(client: Any) -> ReaderPool | None:
    """The reader pool of ``client`` when parts may run on readers now: a SQLite file's main client (a file
    of at least `READERS_MIN_BYTES`), outside any reader. None for a transaction (it has no pool: its parts
    must see its writes), an in-memory database, or a part already on a reader (its parts run in turn there:
    no holder of a reader waits for another, so the pool cannot deadlock; on two cores, spreading them
    further only added GIL contention)."""
    if _ON_READER.get() or getattr(client, "reader_of", None) is not None or not hasattr(client, "reader_pool"):
        return None
    if client.filename == ":memory:" or _size(client.filename) < READERS_MIN_BYTES:
        return None
    pool: ReaderPool = client.reader_pool()
    return pool


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
