"""Database lifecycle: the tortoise config for a URL, schema migrations, and one `database()` scope.

tortoise 1.x keeps its state in a context bound to the running task, so each CLI command runs one
``asyncio.run`` in which it enters ``database(url)`` once, does its work and leaves; leaving always
closes the connections (a leaked aiosqlite thread would keep the process alive).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tortoise import Tortoise
from tortoise.migrations.api import migrate

APP = "govmedia"
TIMEZONE = "Asia/Shanghai"


class DatabaseError(Exception):
    """The database could not be opened or upgraded."""


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and plain file paths; return a tortoise DB URL."""
    if "://" not in url:
        return "sqlite://" + str(Path(url).expanduser().resolve())
    scheme = url.split("://", 1)[0]
    if scheme in ("postgresql", "postgresql+asyncpg", "asyncpg"):
        return "postgres://" + url.split("://", 1)[1]
    return url


def describe_url(url: str) -> str:
    """Return the URL with any password removed, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


def is_sqlite(url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return normalise_url(url).startswith("sqlite://")


def tortoise_config(url: str) -> dict[str, Any]:
    """The tortoise config dict for one database URL."""
    url = normalise_url(url)
    if url.startswith("sqlite://") and url != "sqlite://:memory:":
        Path(url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)
    connection: dict[str, Any] | str = url
    if url.startswith("sqlite://"):
        # WAL plus a busy timeout lets the CLI read while `govmedia run` writes. synchronous=NORMAL
        # is SQLite's recommended pairing with WAL: every commit survives a crash of the process,
        # only the last commits can be rolled back by a power cut, and the outbox's one commit per
        # sent message stops waiting on the disk (notify at 20,000 accounts: 17.5 s -> 7.6 s).
        connection = {
            "engine": "registry.db.sqlite_backend",
            "credentials": {
                "file_path": url.removeprefix("sqlite://"),
                "journal_mode": "WAL",
                "synchronous": "NORMAL",
                "busy_timeout": 10000,
            },
        }
    # tortoise caches compiled INSERT/DELETE SQL per connection *name*; naming the connection by
    # dialect keeps a process that opens SQLite and then PostgreSQL (the test suite) from reusing
    # SQLite placeholders on PostgreSQL.
    name = "sqlite" if url.startswith("sqlite://") else "postgres"
    return {
        "connections": {name: connection},
        "apps": {
            APP: {
                "models": ["registry.db.models"],
                "default_connection": name,
                "migrations": "registry.migrations",
            }
        },
        "use_tz": True,
        "timezone": TIMEZONE,
    }


async def upgrade(url: str) -> None:
    """Apply every pending migration (creates the schema on an empty database)."""
    await migrate(config=tortoise_config(url), app_labels=[APP])


@contextlib.asynccontextmanager
async def database(url: str, *, upgrade_schema: bool = True) -> AsyncIterator[None]:
    """Open the database for the running task, upgrading the schema first; always close."""
    try:
        if upgrade_schema:
            await upgrade(url)
            await Tortoise.close_connections()
        await Tortoise.init(config=tortoise_config(url))
    except (OSError, ConnectionError) as exc:
        await _close_quietly()
        raise DatabaseError(f"cannot open database {describe_url(url)}: {exc}") from exc
    except Exception as exc:
        await _close_quietly()
        if type(exc).__module__.startswith(("asyncpg", "tortoise", "sqlite3", "aiosqlite")):
            raise DatabaseError(f"cannot open database {describe_url(url)}: {exc}") from exc
        raise
    try:
        yield
    finally:
        await _close_quietly()


async def _close_quietly() -> None:
    with contextlib.suppress(Exception):
        await Tortoise.close_connections()


#: Config for tortoise's own CLI when writing migrations:
#: ``python -m tortoise -c registry.db.lifecycle.MIGRATION_CONFIG makemigrations --name <what>``.
MIGRATION_CONFIG = tortoise_config("sqlite://:memory:")


def transaction() -> Any:
    """A transaction (savepoint when nested) for feature packages, which never import tortoise."""
    from tortoise.transactions import in_transaction

    return in_transaction()
