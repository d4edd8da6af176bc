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
from tests.conftest import _admin, _db_name, _with_db

ROOT = Path(__file__).resolve().parents[2]
BASE = "0004_county_time_text"  # the upgrade under test runs 0005 .. the latest
MAX_STATEMENTS = 600
#: The sweep is cut into this many interleaved shards, each a test of its own (see the test's docstring).
SHARDS = 3

#: A fork server: imports govmedia once, then for each line on stdin ("INDEX URL" pairs, tab-separated) forks
#: one process per pair that runs the upgrade of URL and SIGKILLs itself just before statement INDEX (counting
#: every statement any tortoise client sends, in or out of a transaction), waits for them and prints one line
#: "INDEX:STATUS …" (0: the upgrade got through; -9: killed). Each upgrade still dies as a process of its own,
#: as a crash would; forking saves the second of imports per statement that a fresh interpreter cost.
CRASH_SERVER = """
import asyncio, os, signal, sys, traceback
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionWrapper
from tortoise.backends.base_postgres.client import BasePostgresClient
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper

count, stop_at = [0], [-1]

def hooked(original):
    async def statement(self, *args, **kwargs):
        if count[0] == stop_at[0]:
            os.kill(os.getpid(), signal.SIGKILL)
        count[0] += 1
        return await original(self, *args, **kwargs)
    return statement

for cls in (SqliteClient, SqliteTransactionWrapper, BasePostgresClient, AsyncpgDBClient, TransactionWrapper):
    for name in ("execute_insert", "execute_many", "execute_query", "execute_query_dict", "execute_script"):
        if name in vars(cls):
            setattr(cls, name, hooked(vars(cls)[name]))

from registry.db.lifecycle import upgrade, _close_quietly, tortoise_config, APP
from registry.db import schema
from tortoise import Tortoise
from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor

async def warm(url):
    # Project the migration state of the base database once here: every child inherits it (schema._STATES)
    # instead of spending ~0.4 s rendering it again before its first statement. Reads only.
    config = tortoise_config(url)
    await Tortoise.init(config=config, init_connections=False)
    app_config = config["apps"][APP]
    where = (APP, app_config.get("default_connection", "default"))
    try:
        executor = MigrationExecutor(get_connection(where[1]), {APP: app_config})
        await executor.loader.build_graph()
        await schema._projected(executor, where, set(await executor.recorder.applied_migrations()))
    finally:
        await _close_quietly()

warmed = []

async def main(url):
    try:
        await upgrade(url)
    finally:
        await _close_quietly()

def child(url, index):
    count[0], stop_at[0] = 0, index
    try:
        asyncio.run(main(url))
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    os._exit(0)

for line in sys.stdin:
    parts = line.rstrip("\\n").split("\\t")
    if parts[1:] and not warmed:
        asyncio.run(warm(parts[1]))
        warmed.append(True)
    pids = {}
    for index, url in zip(parts[0::2], parts[1::2]):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            child(url, int(index))
        pids[index] = pid
    codes = [f"{index}:{os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])}" for index, pid in pids.items()]
    print(" ".join(codes), flush=True)
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


class CrashServer:
    """The fork server (`CRASH_SERVER`) of one test."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", CRASH_SERVER], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})

    def crash_at(self, urls: dict[int, str]) -> dict[int, str]:
        """Run the upgrade of each URL killed before its statement index, in parallel; "killed" or "finished"."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("\t".join(f"{i}\t{url}" for i, url in urls.items()) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"the crash server died: {self.close()[-2000:]}"
        outcomes = {}
        for item in line.split():
            index, status = item.split(":")
            assert status in ("0", "-9"), (index, status, self.close()[-2000:])
            outcomes[int(index)] = "finished" if status == "0" else "killed"
        assert set(outcomes) == set(urls), (outcomes, urls)
        return outcomes

    def close(self) -> str:
        """Stop the server; its error output."""
        _, err = self.proc.communicate(input="", timeout=60) if self.proc.returncode is None else ("", "")
        return err or ""


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
        # The database at BASE is kept as a template: each kill point gets its own clone (CREATE DATABASE …
        # TEMPLATE), three at a time, instead of rebuilding the base in one database per point.
        asyncio.run(_admin(db_url, f'DROP DATABASE IF EXISTS "{_pg_name(db_url, "base")}"',
                           f'CREATE DATABASE "{_pg_name(db_url, "base")}" TEMPLATE "{_db_name(db_url)}"'))
        reference_url = db_url
    reference = asyncio.run(_snapshot(reference_url))
    assert reference["tortoise_migrations"] == MIGRATIONS
    assert rows and all(reference[table][1] == 1 for table in rows)

    mine = range(shard, MAX_STATEMENTS, SHARDS)
    server = CrashServer()
    try:
        _sweep(server, mine, 3, sqlite, db_url, template, tmp_path, reference)
    finally:
        server.close()
        if not sqlite:
            asyncio.run(_admin(db_url, f'DROP DATABASE IF EXISTS "{_pg_name(db_url, "base")}"'))


def _pg_name(db_url: str, suffix: object) -> str:
    """The name of one of this test's PostgreSQL databases beside the worker's own."""
    return f"{_db_name(db_url)}_k{suffix}"


def _sweep(server: CrashServer, mine: range, batch: int, sqlite: bool, db_url: str, template: Path,
           tmp_path: Path, reference: dict[str, Any]) -> None:
    """Kill the upgrade before each statement index of ``mine``, ``batch`` at a time, and check each next open."""
    for first in range(0, len(mine), batch):
        urls: dict[int, str] = {}
        for index in mine[first:first + batch]:
            if sqlite:
                shutil.copy(template, tmp_path / f"crash-{index}.db")
                urls[index] = f"sqlite://{tmp_path / f'crash-{index}.db'}"
            else:
                name = _pg_name(db_url, index)
                asyncio.run(_admin(db_url, f'DROP DATABASE IF EXISTS "{name}"',
                                   f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(db_url, "base")}"'))
                urls[index] = _with_db(db_url, name)
        outcomes = server.crash_at(urls)
        for index, url in urls.items():
            try:
                after = asyncio.run(_snapshot(url))
            except DatabaseError as exc:
                pytest.fail(f"killed before statement {index}: the next open failed: {exc.en}")
            assert after == reference, f"killed before statement {index}"
            if sqlite:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{tmp_path / f'crash-{index}.db'}{suffix}").unlink(missing_ok=True)
            else:
                asyncio.run(_admin(db_url, f'DROP DATABASE IF EXISTS "{_pg_name(db_url, index)}" WITH (FORCE)'))
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
