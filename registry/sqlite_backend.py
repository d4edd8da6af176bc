"""tortoise's SQLite backend, with transactions that take the write lock up front (BEGIN IMMEDIATE).

A deferred ``BEGIN`` reads first and upgrades to a write lock later; when another process wrote in
between, SQLite answers "database is locked" at once instead of waiting out the busy timeout. With
``BEGIN IMMEDIATE`` a second process (say `govmedia collect` beside `govmedia run`) simply waits.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    """A transaction that starts with BEGIN IMMEDIATE."""

    async def begin(self) -> None:
        """Take the write lock now (waiting up to busy_timeout) rather than at the first write."""
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    """SQLite client whose transactions are immediate."""

    def _in_transaction(self) -> Any:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)


client_class = ImmediateSqliteClient
