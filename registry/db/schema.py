"""Schema upgrades that survive a crash, and refusal of a database newer than this program.

tortoise's executor (`tortoise.migrations.executor.MigrationExecutor.migrate`) applies a migration in a
transaction and records it in ``tortoise_migrations`` only after that transaction has committed: a
process killed between the two leaves the schema changed but unrecorded, and every later command fails
on the same step again ("duplicate column name: alias", "lane_slot already exists"). Here each migration
and its record commit together, in one transaction, on SQLite and PostgreSQL alike, so a crash at any
statement leaves the database either before or after the whole migration. New migration files need
nothing: any plain tortoise migration goes through this path. (A migration declaring ``atomic = False``
cannot be in one transaction; it must then be idempotent itself and is recorded after it ran.)

SQLite runs DDL inside transactions; only ``executescript`` commits early (Python's sqlite3 ends the
open transaction before a script), so migrations use ``execute_query`` per statement
(``registry/migrations/0007_pending_identity.py``).

A database that carries a migration this program does not know was written by a newer govmedia: opening
it would run old code over a schema and data it does not understand (an older version resolved the
findings of rules it did not know). It is refused, naming both versions.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.connection import get_connection
from tortoise.migrations import operations as ops
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.graph import MigrationKey
from tortoise.migrations.migration import Migration
from tortoise.migrations.recorder import MigrationRecorder
from tortoise.transactions import in_transaction


class NewerDatabaseError(Exception):
    """The database was written by a newer govmedia (it carries migrations this program does not know)."""

    def __init__(self, database_latest: str, program_latest: str, unknown: list[str]) -> None:
        self.database_latest = database_latest
        self.program_latest = program_latest
        self.unknown = unknown
        version = program_version()
        self.zh = (f"数据库由更新版本的 govmedia 写入（数据库的结构版本 {database_latest}，"
                   f"本程序 govmedia {version} 只支持到 {program_latest}；未知的迁移：{', '.join(unknown)}）："
                   "请使用写入它的版本或更新的 govmedia，不要用旧版本打开")
        self.en = (f"the database was written by a newer govmedia (database schema {database_latest}; "
                   f"this govmedia {version} knows up to {program_latest}; unknown migrations: {', '.join(unknown)}): "
                   "use the version that wrote it or a newer one, not an older one")
        super().__init__(self.en)


def program_version() -> str:
    """This program's version (from the installed package), or "unknown"."""
    try:
        return metadata.version("govmedia")
    except metadata.PackageNotFoundError:
        return "unknown"


async def apply_migrations(config: dict[str, Any], app: str) -> list[str]:
    """Apply every pending migration of ``app``, each with its record in one transaction; return their names.

    Raises `NewerDatabaseError` before touching anything when the database is ahead of this program.
    """
    await Tortoise.init(config=config, init_connections=False)
    app_config = config["apps"][app]
    connection = get_connection(app_config.get("default_connection", "default"))
    executor = MigrationExecutor(connection, {app: app_config})
    await executor.loader.build_graph()
    await executor.recorder.ensure_schema(executor._schema_editor(atomic=False))
    applied = set(await executor.recorder.applied_migrations())
    refuse_newer(applied, set(executor.loader.graph.nodes), app)
    plan = executor._migration_plan(None, applied, executor.loader.graph)
    if not plan:
        return []
    state = await _projected(executor, (app, app_config.get("default_connection", "default")), applied)
    done: list[str] = []
    for step in plan:
        migration = step.migration
        if step.backward:  # never planned without a target; a downgrade is not something a command does
            raise RuntimeError(f"unexpected backward step {migration.app_label}.{migration.name}")
        editor = executor._schema_editor(atomic=migration.atomic)
        todo = True
        if editor.atomic_migration:
            async with in_transaction(connection.connection_name) as txn:
                todo = await _claim(txn, migration.app_label, migration.name)
                if todo:
                    editor.client = txn
                    await _apply(migration, state, editor)
                    await _record(txn, migration.app_label, migration.name)
        else:
            await _apply(migration, state, editor)
            await _record(connection, migration.app_label, migration.name)
        if todo:
            done.append(migration.name)
        else:  # another process (a second worker starting) applied it meanwhile: only follow its state
            await migration.apply(state, dry_run=True, schema_editor=None)
    return done


#: `database_forward` implementations that read only the state after their operation (tortoise 1.x's
#: operations.py): an operation using one of them needs no copy of the state before it.
_NEW_STATE_ONLY = frozenset(cls.database_forward for cls in (
    ops.CreateModel, ops.AddField, ops.AddIndex, ops.AlterModelOptions, ops.RunSQL, ops.TortoiseOperation))


async def _apply(migration: Migration, state: Any, editor: Any) -> None:
    """`Migration.apply` forward, copying the state before an operation only when its `database_forward`
    reads that copy.

    tortoise clones the whole state before every operation (each clone renders a model class per table:
    ~30 ms), though most operations' SQL is made from the state after them. An upgrade from 0004 took
    0.9 s, most of it in those clones; every new database, every upgrade and the suite's sweep of upgrades
    killed at each statement pay it. Operations not known to skip it (AlterField, RunPython, renames,
    removals, any subclass overriding `database_forward`) still get their copy.
    """
    supports = editor.client.capabilities.supports_transactions
    for operation in migration.operations:
        before: Any = None if type(operation).database_forward in _NEW_STATE_ONLY else state.clone()
        operation.state_forward(migration.app_label, state)
        await migration._run_database_forward(operation, before, state, editor, supports)
    state.validate_relations_initialized()


#: The migration state after each set of applied migrations, projected once per process: rendering it is
#: ~0.4 s (a model class per table per migration step) and the same for every database at that version
#: (a process that opens many, as the test suite's upgrade sweep does, or a fork server's children).
_STATES: dict[tuple[tuple[str, str], frozenset[MigrationKey]], Any] = {}


async def _projected(executor: MigrationExecutor, where: tuple[str, str], applied: set[MigrationKey]) -> Any:
    """A copy of the state the applied migrations leave in ``where`` (app, connection name): the executor's
    projection, kept per process."""
    key = (where, frozenset(applied))
    state = _STATES.get(key)
    if state is None:
        state = _STATES[key] = await executor._project_state(applied)
    return state.clone()


#: PostgreSQL advisory lock key serialising upgrades of one database by several processes.
UPGRADE_LOCK = 0x676D5F75  # "gm_u"


async def _claim(txn: BaseDBAsyncClient, app: str, name: str) -> bool:
    """Inside the migration's transaction: wait for any other upgrading process, then whether it is still to do.

    SQLite's transactions already start with the write lock (BEGIN IMMEDIATE); PostgreSQL takes an
    advisory lock held to the end of the transaction. Without it, two `run --worker` processes started
    on an old database both applied the first migration and one failed ("already exists").
    """
    pg = txn.capabilities.dialect == "postgres"
    if pg:
        await txn.execute_query(f"SELECT pg_advisory_xact_lock({UPGRADE_LOCK})")
    marks = "$1 AND name = $2" if pg else "? AND name = ?"
    _, rows = await txn.execute_query(f'SELECT 1 FROM "tortoise_migrations" WHERE app = {marks}', [app, name])
    return not rows


async def _record(client: BaseDBAsyncClient, app: str, name: str) -> None:
    await MigrationRecorder(client).record_applied(app, name)


def refuse_newer(applied: set[MigrationKey], known: set[MigrationKey], app: str) -> None:
    """Raise `NewerDatabaseError` when the database records migrations of ``app`` missing from ``known``."""
    unknown = sorted(k.name for k in applied - known if k.app_label == app)
    if not unknown:
        return
    ours = sorted(k.name for k in known if k.app_label == app)
    theirs = sorted(k.name for k in applied if k.app_label == app)
    raise NewerDatabaseError(theirs[-1], ours[-1] if ours else "—", unknown)
