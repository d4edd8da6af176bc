"""Small helpers for the few statements written by hand: dialect, placeholders, id lists.

tortoise builds one parameter per id for ``id__in`` (PostgreSQL refuses more than 32,767) and spends
Python time on every one; a whole id list travels here as one parameter instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.timezone import get_default_timezone

from registry.db.sqlite_backend import county_text


def is_pg(conn: Any) -> bool:
    """Whether a tortoise connection talks to PostgreSQL."""
    return str(conn.capabilities.dialect) == "postgres"


def marks(conn: Any, n: int) -> list[str]:
    """The first n numbered placeholders of the connection's dialect (``$i`` or ``?i``: reusable in a statement)."""
    return [f"${i}" if is_pg(conn) else f"?{i}" for i in range(1, n + 1)]


def in_ids(conn: Any, column: str, mark: str) -> str:
    """``column`` is one of the ids bound to ``mark`` (pass the value through `id_list`)."""
    if is_pg(conn):
        return f"{column} = ANY({mark}::bigint[])"
    return f"{column} IN (SELECT value FROM json_each({mark}))"


def id_list(conn: Any, ids: Sequence[int]) -> Any:
    """The value bound for `in_ids`: an array on PostgreSQL, JSON text on SQLite."""
    return list(ids) if is_pg(conn) else json.dumps(list(ids))


def connection_of(model: type[Any]) -> tuple[BaseDBAsyncClient, bool]:
    """The model's connection (the transaction's, inside one) and whether it is PostgreSQL."""
    conn: BaseDBAsyncClient = model._meta.db
    return conn, is_pg(conn)


@functools.cache
def numbered(sql: str, pg: bool) -> str:
    """``?`` placeholders as the driver wants them: asyncpg takes ``$1..$n``."""
    if not pg:
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


def as_aware(value: dt.datetime) -> dt.datetime:
    """A datetime parameter as tortoise would bind it: aware (a naive one is read in the configured zone).

    SQLite's adapter (`registry.db.sqlite_backend.county_text`) then writes it as county-time text, so
    raw statements store and compare timestamps exactly as tortoise's own do.
    """
    return value if value.tzinfo is not None else value.replace(tzinfo=get_default_timezone())


def prebound(value: dt.datetime, pg: bool) -> Any:
    """A moment bound many times, converted once: aware on PostgreSQL, county-time text on SQLite."""
    aware = as_aware(value)
    return aware if pg else county_text(aware)
