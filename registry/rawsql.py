"""Small helpers for the few statements written by hand: dialect, placeholders, id lists.

tortoise builds one parameter per id for ``id__in`` (PostgreSQL refuses more than 32,767) and spends
Python time on every one; a whole id list travels here as one parameter instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


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
