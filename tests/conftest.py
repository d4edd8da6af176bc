"""Shared fixtures: every database test runs on SQLite and, when GOVMEDIA_TEST_PG_URL is set, PostgreSQL.

The suite runs under pytest-xdist (on by default, see pyproject.toml). Each worker gets its own SQLite
files (tmp_path) and its own PostgreSQL databases, named after the base URL's database and the worker
(``test_gw0`` for the empty one, ``test_gw0_m`` for the migrated one). Migrations run once per test run:
into a SQLite template file and a PostgreSQL template database, built by whichever worker gets there
first under a file lock in the run's shared temp dir; a test that asks for ``db`` gets a copy of the
template (a file copy, or ``CREATE DATABASE … TEMPLATE``), a test that asks only for ``db_url`` gets an
empty database as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from registry.db.lifecycle import database
from tests.runshare import once_per_run, run_dir, worker_id

PG_ENV = "GOVMEDIA_TEST_PG_URL"
SAMPLE_LEDGER = Path(__file__).resolve().parents[1] / "registry" / "data" / "sample-ledger.csv"


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/" + name).geturl()


def _db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


async def _admin(url: str, *statements: str) -> None:
    """Run statements on the server's maintenance database (CREATE/DROP DATABASE cannot run inside the target)."""
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_url(_with_db(url, "postgres")))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _reset_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_url(url))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


def _pg_template(base: str) -> str:
    return _db_name(base) + "_tmpl"


def _build_pg_template(base: str) -> None:
    """A migrated database every worker clones (made once per run: migrations may have changed since the last)."""
    name = _pg_template(base)
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))

    async def migrate() -> None:
        async with database(_with_db(base, name)):
            pass

    asyncio.run(migrate())


def _build_sqlite_template(path: Path) -> None:
    async def migrate() -> None:
        async with database("sqlite://" + str(path)):
            pass

    asyncio.run(migrate())


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once per run (closed, so its WAL is folded in)."""
    path = run_dir(tmp_path_factory) / "template.db"
    once_per_run(tmp_path_factory, "sqlite-template", lambda: _build_sqlite_template(path))
    return path


@pytest.fixture(scope="session")
def _pg_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """The PostgreSQL base URL with this worker's two databases created (dropped at the end), or None."""
    base = os.environ.get(PG_ENV)
    if not base:
        yield None
        return
    once_per_run(tmp_path_factory, "pg-template", lambda: _build_pg_template(base))
    worker = worker_id()
    empty, migrated = f"{_db_name(base)}_{worker}", f"{_db_name(base)}_{worker}_m"
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)', f'CREATE DATABASE "{empty}"'))
    yield base
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)',
                       f'DROP DATABASE IF EXISTS "{migrated}" WITH (FORCE)'))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The controller (or the only process) drops the PostgreSQL template once every worker is done."""
    base = os.environ.get(PG_ENV)
    if base and not hasattr(session.config, "workerinput"):
        with contextlib.suppress(OSError):  # the server is gone: nothing to tidy
            asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{_pg_template(base)}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL on each backend: empty, or already migrated when the test also asks for `db`
    or `migrated_db_url`."""
    migrated = "db" in request.fixturenames or "migrated_db_url" in request.fixturenames
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        yield "sqlite://" + str(path)
        return
    base = request.getfixturevalue("_pg_base")
    if not base:
        pytest.skip(f"PostgreSQL pass skipped: set {PG_ENV}=postgres://postgres@127.0.0.1:5432/test to run it")
    worker = worker_id()
    if migrated:
        name = f"{_db_name(base)}_{worker}_m"
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                           f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template(base)}"'))
        yield _with_db(base, name)
        return
    url = _with_db(base, f"{_db_name(base)}_{worker}")
    asyncio.run(_reset_pg(url))
    yield url


@pytest.fixture
def migrated_db_url(db_url: str) -> str:
    """`db_url` already migrated but not opened: for tests that drive `govmedia` commands on it and are
    not about creating the schema (the first command would otherwise spend ~2.5 s migrating)."""
    return db_url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """An open, migrated database for the running test (its schema cloned from the run's template)."""
    async with database(db_url):
        yield db_url


@pytest.fixture
def sample_ledger() -> Path:
    """The shipped sample ledger."""
    return SAMPLE_LEDGER


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker per core plus one, which runs while the others wait on a subprocess,
    a socket, PostgreSQL or a lock (many tests do; measured in docs/testing.md)."""
    return (os.cpu_count() or 1) + 1
