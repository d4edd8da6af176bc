"""Issue 25, item 3: a database written by a newer govmedia is refused, and a check never resolves the
findings of rules it does not know.

"Newer" is what the database records: a migration in ``tortoise_migrations`` this program does not ship
was applied by a later version. Refusing names both sides (the database's latest migration, this
program's latest migration and version), exit 3, and changes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from test_rel_migrations import MIGRATIONS
from tortoise import Tortoise

from registry.db.lifecycle import database, is_sqlite
from registry.db.models import Finding
from registry.db.schema import program_version
from rules.config import DEFAULT_SETTINGS
from rules.evaluate import run_check

ROOT = Path(__file__).resolve().parents[2]
FUTURE = "0099_from_a_newer_govmedia"


async def _record_future_migration(url: str) -> None:
    async with database(url):
        conn = Tortoise.get_connection("sqlite" if is_sqlite(url) else "postgres")
        marks = "?, ?, ?" if is_sqlite(url) else "$1, $2, $3"
        await conn.execute_query(f'INSERT INTO "tortoise_migrations" (app, name, applied_at) VALUES ({marks})',
                                 ["govmedia", FUTURE, dt.datetime.now(dt.UTC)])


def test_a_database_from_a_newer_govmedia_is_refused_naming_both_versions(db_url: str, tmp_path: Path) -> None:
    asyncio.run(_record_future_migration(db_url))
    for args in (["accounts", "list"], ["check"], ["doctor"]):
        proc = subprocess.run([sys.executable, "-m", "cli", "--db", db_url, *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert proc.returncode == 3, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        said = proc.stderr + proc.stdout
        assert FUTURE in said and MIGRATIONS[-1] in said and program_version() in said, said
        assert "更新版本" in said, said


async def test_a_check_leaves_findings_of_unknown_rules_open(db: str) -> None:
    now = dt.datetime.now(dt.UTC)
    future = await Finding.create(rule="rule_of_a_newer_version", subject="unit:1", severity="warning", state="open",
                                  first_seen=now, last_seen=now)
    known = await Finding.create(rule="registry_incomplete", subject="unit:2", severity="warning", state="open",
                                 first_seen=now, last_seen=now)
    await run_check(now + dt.timedelta(minutes=1), DEFAULT_SETTINGS)
    assert (await Finding.get(id=known.id)).state == "resolved"  # a rule we evaluate and that no longer holds
    kept = await Finding.get(id=future.id)
    assert kept.state == "open" and kept.resolved_at is None
