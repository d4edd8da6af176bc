"""Shared pieces of the benchmarks: the reference clock, database URLs, raw drivers and measurements."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from registry.db.rawsql import numbered

TZ = ZoneInfo("Asia/Shanghai")
#: The moment every dataset is generated around (a Monday morning, county time).
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)
#: The month the monthly benchmark reports (the last complete month before NOW).
MONTH = "2026-05"

WORK_DIR = Path(os.environ.get("GOVMEDIA_BENCH_DIR", "/tmp/govmedia-bench"))
PG_BASE = os.environ.get("GOVMEDIA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Prefix of the benchmark databases' names, so that two people (or agents) can bench side by side.
PG_PREFIX = os.environ.get("GOVMEDIA_BENCH_PG_PREFIX", "")


def dataset_url(db: str, accounts: int, name: str = "bench") -> str:
    """Where the dataset of one backend and size lives (PostgreSQL: one database per name)."""
    if db == "sqlite":
        return f"sqlite://{WORK_DIR}/{name}-{accounts}.db"
    if db == "postgres":
        return f"{PG_BASE}/{PG_PREFIX}{name}"
    raise ValueError(f"unknown backend {db!r}")


def is_sqlite(url: str) -> bool:
    """Whether a bench URL names a SQLite file."""
    return url.startswith("sqlite://")


def sqlite_path(url: str) -> str:
    """The file of a sqlite:// URL."""
    return url.removeprefix("sqlite://")


def asyncpg_dsn(url: str) -> str:
    """The asyncpg DSN of a postgres:// URL."""
    return "postgresql://" + url.split("://", 1)[1]


def sqlite_connect(url: str) -> sqlite3.Connection:
    """A raw sqlite3 connection with the same pragmas tortoise uses (WAL, foreign keys)."""
    conn = sqlite3.connect(sqlite_path(url), isolation_level=None, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


async def pg_connect(url: str) -> Any:
    """A raw asyncpg connection."""
    import asyncpg

    return await asyncpg.connect(asyncpg_dsn(url))


async def ensure_pg_database(url: str) -> None:
    """Create the PostgreSQL database of a URL if it does not exist (never touches other databases)."""
    import asyncpg

    base, name = url.rsplit("/", 1)
    if name in ("test", "postgres"):
        raise ValueError(f"refusing to use the {name!r} database for benchmarks")
    conn = await asyncpg.connect(asyncpg_dsn(base + "/postgres"))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def reset_database(url: str) -> None:
    """Empty a bench database: delete the SQLite file, or recreate PostgreSQL's public schema."""
    if is_sqlite(url):
        path = Path(sqlite_path(url))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    await ensure_pg_database(url)
    conn = await pg_connect(url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def sqlite_value(value: Any) -> Any:
    """A Python value as tortoise stores it in SQLite (datetimes as county-time text, JSON as text)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(TZ).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


async def timed_fetch(url: str, sql: str, *params: Any) -> tuple[float, int]:
    """One baseline query (``?`` placeholders) with the raw driver, timed; (seconds, rows fetched)."""
    if is_sqlite(url):
        conn = sqlite_connect(url)
        with timed() as t:
            rows: list[Any] = conn.execute(sql, tuple(sqlite_value(p) for p in params)).fetchall()
        conn.close()
        return t.wall, len(rows)
    pg = await pg_connect(url)
    with timed() as t:
        rows = await pg.fetch(numbered(sql, True), *params)
    await pg.close()
    return t.wall, len(rows)


def sqlite_rows(rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows converted for sqlite3."""
    return [tuple(sqlite_value(v) for v in row) for row in rows]


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Timer:
    """Wall and CPU time of a block."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timed() -> Iterator[Timer]:
    """Measure wall-clock and process CPU time of a block."""
    t = Timer()
    w0, c0 = time.perf_counter(), time.process_time()
    try:
        yield t
    finally:
        t.wall = time.perf_counter() - w0
        t.cpu = time.process_time() - c0


@dataclass
class Result:
    """What one benchmark measured: named numbers and notes, serialised as JSON."""

    bench: str
    db: str
    accounts: int
    values: dict[str, float | int | str | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """One JSON line."""
        return json.dumps({"bench": self.bench, "db": self.db, "accounts": self.accounts,
                           "values": self.values, "notes": self.notes}, ensure_ascii=False)


def backend(url: str) -> str:
    """sqlite or postgres."""
    return "sqlite" if is_sqlite(url) else "postgres"
