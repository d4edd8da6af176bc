"""`registry.db.schema._apply` (state copied only for operations that read it) makes the same schema as
tortoise's own `Migration.apply` (a copy before every operation), from an empty database and from 0004."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.migrations.api import migrate

from registry.db import schema
from registry.db.lifecycle import APP, _close_quietly, tortoise_config, upgrade


async def _tortoise_apply(migration: Any, state: Any, editor: Any) -> None:
    await migration.apply(state, schema_editor=editor)


def _ddl(path: Path) -> list[tuple[str, str, str]]:
    """Every table's, index's and trigger's SQL as SQLite stored it."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        return [(t, n, s or "") for t, n, s in rows]


def _upgrade(path: Path) -> None:
    async def run() -> None:
        try:
            await upgrade(f"sqlite://{path}")
        finally:
            await _close_quietly()

    asyncio.run(run())


def _at(path: Path, target: str) -> None:
    async def run() -> None:
        await migrate(config=tortoise_config(f"sqlite://{path}"), app_labels=[APP], target=f"{APP}.{target}")
        await Tortoise.close_connections()

    asyncio.run(run())


@pytest.mark.parametrize("start", [None, "0004_county_time_text"])
def test_the_lazy_copy_makes_the_schema_tortoise_makes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      start: str | None) -> None:
    ours, theirs = tmp_path / "ours.db", tmp_path / "theirs.db"
    if start is not None:
        _at(ours, start)
        shutil.copyfile(ours, theirs)
    _upgrade(ours)
    with monkeypatch.context() as m:
        m.setattr(schema, "_apply", _tortoise_apply)
        m.setattr(schema, "_STATES", {})  # the other run's cached states must not be reused
        _upgrade(theirs)
    assert _ddl(ours) == _ddl(theirs)
    assert len(_ddl(ours)) > 20


def test_operations_reading_the_old_state_still_get_a_copy() -> None:
    from tortoise.migrations import operations as ops

    assert ops.AlterField.database_forward not in schema._NEW_STATE_ONLY
    assert ops.RunPython.database_forward not in schema._NEW_STATE_ONLY
    assert ops.RemoveField.database_forward not in schema._NEW_STATE_ONLY
