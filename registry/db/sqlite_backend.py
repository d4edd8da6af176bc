"""tortoise's SQLite backend, with transactions that take the write lock up front (BEGIN IMMEDIATE).

A deferred ``BEGIN`` reads first and upgrades to a write lock later; when another process wrote in
between, SQLite answers "database is locked" at once instead of waiting out the busy timeout. With
``BEGIN IMMEDIATE`` a second process (say `govmedia collect` beside `govmedia run`) simply waits.

Timestamps are stored as text, and SQLite compares text: ``10:00+08:00`` and ``03:00+00:00`` name the
same instant but sort apart. tortoise writes a datetime in whatever zone it carries (a feed's GMT,
a UTC clock), so every aware datetime is written in county time here; the text then sorts like the
instants it names and its first ten characters are the county date (`registry.views.post_digest` relies
on both).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import aiosqlite
from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError, TransactionManagementError

from registry.db.lifecycle import TIMEZONE
from registry.db.sqlite_readers import ReaderPool

_COUNTY = ZoneInfo(TIMEZONE)
LOCK_WAIT_S = 600.0  # how long a writer waits for another process's write lock before giving up
T = TypeVar("T")
log = logging.getLogger("govmedia.db")


def county_text(value: dt.datetime) -> str:
    """A datetime as SQLite stores it: county-time ISO text (a naive value is written as it is)."""
    return (value.astimezone(_COUNTY) if value.tzinfo is not None else value).isoformat(" ")


# Replaces tortoise's own adapter (``val.isoformat(" ")``), registered when its SQLite executor loads.
sqlite3.register_adapter(dt.datetime, county_text)


async def patiently(op: Callable[[], Awaitable[T]], what: str = "") -> T:
    """Run ``op``; while SQLite answers "database is locked" (another process holds the write lock past
    busy_timeout, say a large import), wait and retry with a progress line every 10 s, up to `LOCK_WAIT_S`.

    Only statements that had no effect are retried: a locked BEGIN IMMEDIATE, or an autocommit statement.
    """
    started = time.monotonic()
    noted = 0.0
    while True:
        try:
            return await op()
        except (sqlite3.OperationalError, OperationalError, TransactionManagementError) as exc:
            waited = time.monotonic() - started
            if "locked" not in str(exc) or waited >= LOCK_WAIT_S:
                raise
            if waited - noted >= 10 or noted == 0:
                noted = waited or 0.001
                log.warning("数据库正被其他进程写入，等待写锁（已等 %.0f 秒）/ waiting for the database write lock "
                            "(another process is writing; %.0f s so far)", waited, waited)
            await asyncio.sleep(0.2)


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    """A transaction that starts with BEGIN IMMEDIATE."""

    async def begin(self) -> None:
        """Take the write lock now (waiting up to busy_timeout, then `patiently`) rather than at the first write."""

        async def immediate() -> None:
            try:
                await self._connection.commit()
                await self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise TransactionManagementError(exc) from exc

        await patiently(immediate)


class ReleasingConnectionWrapper(ConnectionWrapper[Any]):
    """tortoise's connection wrapper, releasing its lock when connecting fails (tortoise keeps it held)."""

    async def __aenter__(self) -> Any:
        await self._lock.acquire()
        try:
            await self.ensure_connection()
        except BaseException:
            self._lock.release()
            raise
        return self.connection


class ReleasingTransactionContext(SqliteTransactionContext):
    """tortoise's SQLite transaction context, releasing its lock when connecting or BEGIN fails.

    Only a context that holds the lock gives it back: a task cancelled while it waits for the lock (a
    pass cancelling its other accounts after one failed) must not release the holder's lock, which then
    failed at the holder's end with "Lock is not acquired".
    """

    async def __aenter__(self) -> Any:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            await self.connection.begin()
        except BaseException:
            # connecting or BEGIN failed after the lock was taken (and maybe routed to the transaction)
            token = getattr(self, "token", None)
            if token is not None:
                get_connections().reset(token)
            self._trxlock.release()
            raise
        return self.connection


async def _connect(filename: str) -> aiosqlite.Connection:
    """Open an aiosqlite connection; when SQLite cannot open the file, wait for its worker thread to end.

    aiosqlite stops its thread on a failed connect without waiting: the thread then reports to the event
    loop, and when `asyncio.run` has closed the loop by then (the command already printed its error), the
    thread dies with "Event loop is closed" and a traceback beside the right exit code (about one run in
    three). Waiting here, while the loop still runs, lets the thread end cleanly.
    """
    pending = aiosqlite.connect(filename, isolation_level=None)
    try:
        return await pending
    except BaseException:
        await asyncio.to_thread(pending._thread.join, 10)
        raise


class ImmediateSqliteClient(SqliteClient):
    """SQLite client whose transactions are immediate, with a pool of side readers (`registry.db.sqlite_readers`)."""

    reader_of: ReaderPool | None = None  # set on a side reader: the pool it belongs to
    _readers: ReaderPool | None = None

    def reader_pool(self) -> ReaderPool:
        """This database's side readers (opened when first used, closed with this client)."""
        if self._readers is None:
            self._readers = ReaderPool(self)
        return self._readers

    async def close(self) -> None:
        """Close the side readers, then this connection."""
        readers, self._readers = self._readers, None
        if readers is not None:
            await readers.close()
        await super().close()

    async def create_connection(self, with_db: bool) -> None:
        """Connect; when a PRAGMA fails (a file that is not a database) close and raise instead of hanging."""
        if self._connection:
            return
        try:
            # tortoise's SqliteClient.create_connection, with `_connect` in place of aiosqlite.connect
            self._connection = await _connect(self.filename)
            self._connection._conn.row_factory = sqlite3.Row
            for pragma, val in self.pragmas.items():
                cursor = await self._connection.execute(f"PRAGMA {pragma}={val}")
                await cursor.close()
            await self._post_connect()
        except BaseException:
            # tortoise keeps the half-open connection (and its lock holder waits on it forever): drop it.
            connection, self._connection = self._connection, None
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close()
            raise

    def _in_transaction(self) -> Any:
        return ReleasingTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    def acquire_connection(self) -> Any:
        return ReleasingConnectionWrapper(self._lock, self)

    # Autocommit statements (outside a transaction) wait for the write lock too: a locked one changed nothing.
    async def execute_insert(self, query: str, values: list[Any]) -> int:
        return await patiently(lambda: super(ImmediateSqliteClient, self).execute_insert(query, values))

    async def execute_many(self, query: str, values: list[list[Any]]) -> None:
        await patiently(lambda: super(ImmediateSqliteClient, self).execute_many(query, values))

    async def execute_query(self, query: str, values: list[Any] | None = None) -> tuple[int, Sequence[dict[str, Any]]]:
        return await patiently(lambda: super(ImmediateSqliteClient, self).execute_query(query, values))

    async def execute_query_dict(self, query: str, values: list[Any] | None = None) -> list[dict[str, Any]]:
        return await patiently(lambda: super(ImmediateSqliteClient, self).execute_query_dict(query, values))


client_class = ImmediateSqliteClient
