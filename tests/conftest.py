"""Shared fixtures: every database test runs on SQLite and, when GOVMEDIA_TEST_PG_URL is set, PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from registry.db.lifecycle import database

PG_ENV = "GOVMEDIA_TEST_PG_URL"
SAMPLE_LEDGER = Path(__file__).resolve().parents[1] / "registry" / "data" / "sample-ledger.csv"


async def _reset_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield "sqlite://" + str(tmp_path / "test.db")
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL pass skipped: set {PG_ENV}=postgres://postgres@127.0.0.1:5432/test to run it")
    asyncio.run(_reset_pg(url))
    yield url


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[str]:
    """An open, migrated database for the running test."""
    async with database(db_url):
        yield db_url


@pytest.fixture
def sample_ledger() -> Path:
    """The shipped sample ledger."""
    return SAMPLE_LEDGER
