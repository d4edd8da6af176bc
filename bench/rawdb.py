"""Bulk writes with the raw drivers (sqlite3 executemany, asyncpg COPY), bypassing the ORM."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bench.common import is_sqlite, pg_connect, sqlite_connect, sqlite_rows


class RawWriter:
    """Inserts rows into tables of a migrated bench database as fast as its driver allows."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._sqlite = sqlite_connect(url) if is_sqlite(url) else None
        self._pg: Any = None

    async def open(self) -> RawWriter:
        """Connect (PostgreSQL) and prepare for a bulk load."""
        if self._sqlite is not None:
            # Generation only: a crash leaves a throw-away file, so durability can go.
            self._sqlite.execute("PRAGMA synchronous=OFF")
            self._sqlite.execute("BEGIN")
        else:
            self._pg = await pg_connect(self.url)
        return self

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows (tuples in ``columns`` order)."""
        if not rows:
            return
        if self._sqlite is not None:
            cols = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            self._sqlite.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', sqlite_rows(rows))
        else:
            records = [tuple(json.dumps(v) if isinstance(v, dict | list) else v for v in row) for row in rows]
            await self._pg.copy_records_to_table(table, records=records, columns=list(columns))

    async def fix_sequences(self, tables: Sequence[str]) -> None:
        """After explicit ids, move PostgreSQL's serial sequences past them."""
        if self._pg is None:
            return
        for table in tables:
            await self._pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))")

    async def close(self) -> None:
        """Commit and disconnect."""
        if self._sqlite is not None:
            self._sqlite.execute("COMMIT")
            self._sqlite.execute("PRAGMA synchronous=NORMAL")
            self._sqlite.execute("ANALYZE")
            self._sqlite.close()
        elif self._pg is not None:
            await self._pg.execute("ANALYZE")
            await self._pg.close()
