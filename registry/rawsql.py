"""Small helpers for the few statements written by hand: dialect, placeholders, id lists.

tortoise builds one parameter per id for ``id__in`` (PostgreSQL refuses more than 32,767) and spends
Python time on every one; a whole id list travels here as one parameter instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.timezone import get_default_timezone


def is_pg(conn: Any) -> bool:
    """Whether a tortoise connection talks to PostgreSQL."""
    return str(conn.capabilities.dialect) == "postgres"


def marks(conn: Any, n: int) -> list[str]:
    """The first n positional placeholders of the connection's dialect."""
    return [f"${i}" for i in range(1, n + 1)] if is_pg(conn) else ["?"] * n


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
    return conn, conn.capabilities.dialect == "postgres"


@functools.cache
def numbered(sql: str, pg: bool) -> str:
    """``?`` placeholders as the driver wants them: asyncpg takes ``$1..$n``."""
    if not pg:
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


def db_moment(pg: bool) -> Callable[[dt.datetime], Any]:
    """A converter of datetimes to what the driver stores as tortoise does.

    PostgreSQL takes aware datetimes; SQLite stores county-time ISO text (the format tortoise
    writes, so that text comparisons and tortoise's own reads keep working).
    """
    tz = get_default_timezone()
    if pg:
        return lambda v: v if v.tzinfo is not None else v.replace(tzinfo=tz)
    return lambda v: (v.astimezone(tz) if v.tzinfo is not None else v.replace(tzinfo=tz)).isoformat(sep=" ")
