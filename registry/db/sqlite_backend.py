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

import contextlib
import datetime as dt
import sqlite3
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import ConnectionWrapper
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

from registry.db.lifecycle import TIMEZONE

_COUNTY = ZoneInfo(TIMEZONE)


def county_text(value: dt.datetime) -> str:
    """A datetime as SQLite stores it: county-time ISO text (a naive value is written as it is)."""
    return (value.astimezone(_COUNTY) if value.tzinfo is not None else value).isoformat(" ")


# Replaces tortoise's own adapter (``val.isoformat(" ")``), registered when its SQLite executor loads.
sqlite3.register_adapter(dt.datetime, county_text)


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    """A transaction that starts with BEGIN IMMEDIATE."""

    async def begin(self) -> None:
        """Take the write lock now (waiting up to busy_timeout) rather than at the first write."""
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


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
    """tortoise's SQLite transaction context, releasing its lock when connecting fails."""

    async def __aenter__(self) -> Any:
        try:
            return await super().__aenter__()
        except BaseException:
            # connecting or BEGIN failed after tortoise took the lock (and maybe routed to the transaction)
            token = getattr(self, "token", None)
            if token is not None:
                get_connections().reset(token)
            if self._trxlock.locked():
                self._trxlock.release()
            raise


class ImmediateSqliteClient(SqliteClient):
    """SQLite client whose transactions are immediate."""

    async def create_connection(self, with_db: bool) -> None:
        """Connect; when a PRAGMA fails (a file that is not a database) close and raise instead of hanging."""
        try:
            await super().create_connection(with_db)
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


client_class = ImmediateSqliteClient
