"""Data safety across schema changes: the database is built one migration at a time, each step gets a row in
every table it creates (filled from the live schema, so a new migration needs no edit here), and after the
last step every row is still there and loads through the models.

tests/registry/test_db.py checks the jump from the first migration to the latest with an account; this
covers every step and every table, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path
from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate
from tortoise.models import Model

from registry.db import models
from registry.db.lifecycle import APP, database, is_sqlite, tortoise_config

MIGRATIONS = sorted(p.stem for p in (Path(models.__file__).parents[1] / "migrations").glob("[0-9][0-9][0-9][0-9]_*.py"))
AT = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


async def _columns(conn: Any, sqlite: bool, table: str) -> list[dict[str, Any]]:
    """name, type, notnull, has_default, pk, references (table) of each column."""
    if sqlite:
        _, cols = await conn.execute_query(f'PRAGMA table_info("{table}")')
        _, fks = await conn.execute_query(f'PRAGMA foreign_key_list("{table}")')
        refs = {dict(f)["from"]: dict(f)["table"] for f in fks}
        return [{"name": c["name"], "type": str(c["type"]).lower(), "notnull": bool(c["notnull"]),
                 "size": int(m.group(1)) if (m := re.search(r"\((\d+)\)", str(c["type"]))) else None,
                 "default": c["dflt_value"] is not None, "pk": bool(c["pk"]), "ref": refs.get(c["name"])}
                for c in map(dict, cols)]
    _, cols = await conn.execute_query(
        "SELECT column_name, data_type, is_nullable, column_default, character_maximum_length "
        "FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position", [table])
    _, fks = await conn.execute_query(
        "SELECT kcu.column_name, ccu.table_name AS ref FROM information_schema.table_constraints tc "
        "JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name "
        "JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name "
        "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = $1", [table])
    refs = {dict(f)["column_name"]: dict(f)["ref"] for f in fks}
    return [{"name": c["column_name"], "type": str(c["data_type"]).lower(), "notnull": c["is_nullable"] == "NO",
             "default": c["column_default"] is not None, "pk": str(c["column_default"] or "").startswith("nextval"),
             "size": c["character_maximum_length"],
             "ref": refs.get(c["column_name"])} for c in map(dict, cols)]


async def _tables(conn: Any, sqlite: bool) -> set[str]:
    if sqlite:
        _, rows = await conn.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
    else:
        _, rows = await conn.execute_query(
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'")
    return {str(dict(r)["name"]) for r in rows} - {"sqlite_sequence", "tortoise_migrations"}


def _value(table: str, col: dict[str, Any], sqlite: bool) -> Any:
    kind = col["type"]
    if col["ref"]:
        return 1  # the row inserted into the referenced table
    if "bool" in kind:
        return True
    if "int" in kind or "serial" in kind:
        return 7
    if "json" in kind:
        return "[]" if col["name"].endswith("_ids") else '{"k": "v"}'
    if "timestamp" in kind or kind == "datetime":
        return AT
    if kind == "date":
        return AT.date()
    return f"{table}.{col['name']}"[:min(16, col["size"] or 16)]  # fits the column (month_snapshot.month is 7)


async def _insert_row(conn: Any, sqlite: bool, table: str) -> dict[str, Any]:
    cols = [c for c in await _columns(conn, sqlite, table) if not (c["pk"] and not c["ref"] and c["name"] == "id")]
    values = {c["name"]: _value(table, c, sqlite) for c in cols
              if c["notnull"] or (c["ref"] is not None and c["ref"] != table)}
    names = ", ".join(f'"{n}"' for n in values)
    marks = ", ".join("?" if sqlite else f"${i}" for i in range(1, len(values) + 1))
    await conn.execute_query(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))
    return values


def _order(tables: set[str], refs: dict[str, set[str]]) -> list[str]:
    """Tables with the ones they reference first."""
    done: list[str] = []
    while len(done) < len(tables):
        ready = sorted(t for t in tables - set(done) if refs[t] - {t} <= set(done) | (refs[t] - tables))
        assert ready, f"circular foreign keys among {tables - set(done)}"
        done.extend(ready)
    return done


async def test_every_migration_step_keeps_a_row_in_every_table(db_url: str) -> None:
    assert MIGRATIONS[0] == "0001_initial" and len(MIGRATIONS) >= 3
    sqlite = is_sqlite(db_url)
    name = "sqlite" if sqlite else "postgres"
    rows: dict[str, dict[str, Any]] = {}
    for step in MIGRATIONS:
        await migrate(config=tortoise_config(db_url), app_labels=[APP], target=f"{APP}.{step}")
        conn = Tortoise.get_connection(name)
        tables = await _tables(conn, sqlite)
        assert set(rows) <= tables, f"{step} dropped {set(rows) - tables}"
        new = tables - set(rows)
        refs = {t: {c["ref"] for c in await _columns(conn, sqlite, t) if c["ref"]} for t in tables}
        for table in _order(new, refs):
            rows[table] = await _insert_row(conn, sqlite, table)
        for table in rows:  # every row of the steps before is still there
            _, count = await conn.execute_query(f'SELECT COUNT(*) AS n FROM "{table}"')
            assert dict(count[0])["n"] == 1, f"{step}: {table}"
        await Tortoise.close_connections()

    model_tables = {m._meta.db_table: m for _, m in inspect.getmembers(models, inspect.isclass)
                    if issubclass(m, Model) and m is not Model}
    assert set(rows) == set(model_tables), "a table without a model, or a model without a migration"
    async with database(db_url):  # the latest schema, opened as the commands open it
        for table, model in model_tables.items():
            loaded = await model.all()
            assert len(loaded) == 1, table
            for field, value in rows[table].items():
                if isinstance(value, str) and value.startswith(f"{table}."[:min(16, len(value))]):
                    assert value in {getattr(loaded[0], f, None) for f in model._meta.fields_db_projection
                                     if model._meta.fields_db_projection[f] == field}, (table, field)


async def test_sqlite_timestamps_written_before_0004_move_to_county_time(tmp_path: Path) -> None:
    """Rows an earlier version wrote in UTC are rewritten, so text order is time order again."""
    import sqlite3

    url = "sqlite://" + str(tmp_path / "old.db")
    await migrate(config=tortoise_config(url), app_labels=[APP], target=f"{APP}.0003_findings_reviews_bot")
    await Tortoise.close_connections()
    raw = sqlite3.connect(tmp_path / "old.db")
    raw.execute("INSERT INTO audit_event (at, actor, entity, entity_id, ref, action, changes, note) "
                "VALUES ('2026-11-20 01:30:00.250000+00:00', 't', 'account', 1, '', 'create', '{}', '')")
    raw.execute("INSERT INTO audit_event (at, actor, entity, entity_id, ref, action, changes, note) "
                "VALUES ('2026-11-20 09:00:00+08:00', 't', 'account', 2, '', 'create', '{}', '')")
    raw.commit()
    raw.close()
    async with database(url):
        pass
    raw = sqlite3.connect(tmp_path / "old.db")
    stored = [r[0] for r in raw.execute("SELECT at FROM audit_event ORDER BY at")]
    assert stored == ["2026-11-20 09:00:00+08:00", "2026-11-20 09:30:00.250000+08:00"]
