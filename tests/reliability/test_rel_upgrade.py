"""Issue 25, items 2 and 3: an upgrade killed at any statement opens cleanly next time with every row kept;
a database newer than the program is refused, naming both versions; findings of unknown rules stay open.

The crash test makes a database at migration 0004 with a row in every table, then for every statement
index N of the upgrade to the latest migration starts a process that runs the upgrade and SIGKILLs itself
just before statement N (so after statement N-1 and after any COMMIT that followed it). The next open must
upgrade cleanly: every row still there, every migration recorded once, the same schema as an upgrade that
was never interrupted. New migrations are swept without a test edit.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_rel_migrations import MIGRATIONS, _columns, _insert_row, _order, _tables
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from registry.db.lifecycle import APP, DatabaseError, database, is_sqlite, tortoise_config
from tests.conftest import _reset_pg

ROOT = Path(__file__).resolve().parents[2]
BASE = "0004_county_time_text"  # the upgrade under test runs 0005 .. the latest
MAX_STATEMENTS = 600
#: The sweep is cut into this many interleaved shards, each a test of its own (see the test's docstring).
SHARDS = 3

#: Runs the upgrade in a process of its own and SIGKILLs it just before statement argv[2] (counting every
#: statement any tortoise client sends, in or out of a transaction); prints FINISHED when it got through.
CRASH_AT = """
import asyncio, os, signal, sys
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper
from tortoise.backends.base_postgres.client import BasePostgresClient
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper

url, stop_at = sys.argv[1], int(sys.argv[2])
count = [0]

def hooked(original):
    async def statement(self, *args, **kwargs):
        if count[0] == stop_at:
            os.kill(os.getpid(), signal.SIGKILL)
        count[0] += 1
        return await original(self, *args, **kwargs)
    return statement

for cls in (SqliteClient, SqliteTransactionWrapper, BasePostgresClient, AsyncpgDBClient, TransactionWrapper):
    for name in ("execute_insert", "execute_many", "execute_query", "execute_query_dict", "execute_script"):
        if name in vars(cls):
            setattr(cls, name, hooked(vars(cls)[name]))

from registry.db.lifecycle import upgrade, _close_quietly

async def main():
    try:
        await upgrade(url)
    finally:
        await _close_quietly()

asyncio.run(main())
print("FINISHED", count[0])
"""


async def _build_base(url: str) -> dict[str, dict[str, Any]]:
    """The schema at `BASE` with one row in every table; returns the rows."""
    sqlite = is_sqlite(url)
    await migrate(config=tortoise_config(url), app_labels=[APP], target=f"{APP}.{BASE}")
    try:
        conn = Tortoise.get_connection("sqlite" if sqlite else "postgres")
        tables = await _tables(conn, sqlite)
        refs = {t: {c["ref"] for c in await _columns(conn, sqlite, t) if c["ref"]} for t in tables}
        return {t: await _insert_row(conn, sqlite, t) for t in _order(tables, refs)}
    finally:
        await Tortoise.close_connections()


async def _snapshot(url: str) -> dict[str, Any]:
    """What a clean upgrade must give: columns per table, row counts, recorded migrations."""
    sqlite = is_sqlite(url)
    async with database(url):
        conn = Tortoise.get_connection("sqlite" if sqlite else "postgres")
        out: dict[str, Any] = {}
        for table in sorted(await _tables(conn, sqlite)):
            _, count = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
            out[table] = (sorted(c["name"] for c in await _columns(conn, sqlite, table)), dict(count[0])["n"])
        _, recorded = await conn.execute_query('SELECT name FROM "tortoise_migrations" ORDER BY name')
        out["tortoise_migrations"] = [dict(r)["name"] for r in recorded]
        from registry.db.models import Account

        assert len(await Account.all()) == 1  # the rows load through the models at the latest schema
    return out


def _crash_at(urls: dict[int, str]) -> dict[int, str]:
    """Run the upgrade of each URL killed before its statement index, in parallel; "killed" or "finished"."""
    procs = {i: subprocess.Popen([sys.executable, "-c", CRASH_AT, url, str(i)], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
             for i, url in urls.items()}
    outcomes = {}
    for i, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        if proc.returncode == 0:
            assert "FINISHED" in out, out
            outcomes[i] = "finished"
        else:
            assert proc.returncode == -9, (i, proc.returncode, err[-2000:])
            outcomes[i] = "killed"
    return outcomes


@pytest.mark.parametrize("shard", range(SHARDS))
def test_an_upgrade_killed_at_any_statement_opens_cleanly_with_every_row(db_url: str, tmp_path: Path,
                                                                         shard: int) -> None:
    """Shard k kills before statements k, k + SHARDS, k + 2 * SHARDS, …: the shards together sweep every
    statement of the upgrade (as one test did before), and the parallel runner spreads them over its workers."""
    assert MIGRATIONS.index(BASE) < MIGRATIONS.index("0009_post_text")
    sqlite = is_sqlite(db_url)
    template = tmp_path / "base.db"
    if sqlite:
        rows = asyncio.run(_build_base(f"sqlite://{template}"))
        assert not Path(f"{template}-wal").exists()
        shutil.copy(template, tmp_path / "reference.db")
        reference_url = f"sqlite://{tmp_path / 'reference.db'}"
    else:
        rows = asyncio.run(_build_base(db_url))
        reference_url = db_url
    reference = asyncio.run(_snapshot(reference_url))
    assert reference["tortoise_migrations"] == MIGRATIONS
    assert rows and all(reference[table][1] == 1 for table in rows)

    mine = range(shard, MAX_STATEMENTS, SHARDS)
    batch = 3 if sqlite else 1  # SQLite copies are independent; PostgreSQL has one database per test
    for first in range(0, len(mine), batch):
        urls: dict[int, str] = {}
        for index in mine[first:first + batch]:
            if sqlite:
                shutil.copy(template, tmp_path / f"crash-{index}.db")
                urls[index] = f"sqlite://{tmp_path / f'crash-{index}.db'}"
            else:
                asyncio.run(_reset_pg(db_url))
                asyncio.run(_build_base(db_url))
                urls[index] = db_url
        outcomes = _crash_at(urls)
        for index, url in urls.items():
            try:
                after = asyncio.run(_snapshot(url))
            except DatabaseError as exc:
                pytest.fail(f"killed before statement {index}: the next open failed: {exc.en}")
            assert after == reference, f"killed before statement {index}"
            if sqlite:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{tmp_path / f'crash-{index}.db'}{suffix}").unlink(missing_ok=True)
        if "finished" in outcomes.values():
            assert max(urls) > 10, "the upgrade ran too few statements to have been tested"
            return
    pytest.fail(f"the upgrade ran more than {MAX_STATEMENTS} statements")


def test_processes_upgrading_one_database_at_once_all_succeed(db_url: str, tmp_path: Path) -> None:
    """Several `run --worker` processes started together on an old database: each migration is applied once,
    by whichever process gets it first, and every process opens the database."""
    url = f"sqlite://{tmp_path / 'g.db'}" if is_sqlite(db_url) else db_url
    asyncio.run(_build_base(url))
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "--db", url, "accounts", "list"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}) for _ in range(3)]
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0 and "Traceback" not in err, (out, err)
    assert asyncio.run(_snapshot(url))["tortoise_migrations"] == MIGRATIONS
