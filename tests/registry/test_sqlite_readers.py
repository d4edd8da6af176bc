"""SQLite's side readers: independent parts run at once on readers, never inside a transaction or a reader,
and a review built on them equals one built in turn on the one connection."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from bench.common import MONTH, NOW, TZ
from bench.generate import generate
from registry.db import sqlite_readers
from registry.db.lifecycle import database
from registry.db.models import Post, Unit
from registry.db.sqlite_readers import POOL_SIZE
from registry.views import reads
from registry.views.reads import together
from reports.monthly_build import build_monthly
from rules.config import BLIND_RULE, CATALOGUE, RuleSettings, rules_where
from rules.evaluate import evaluate_at


@pytest.fixture(autouse=True)
def _readers_for_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests' databases are small: let them use readers anyway."""
    monkeypatch.setattr(sqlite_readers, "READERS_MIN_BYTES", 0)


async def _where(pause: asyncio.Event | None = None) -> tuple[Any, bool]:
    """Which connection this part's queries go to, after a query on it."""
    await Unit.all().count()
    if pause is not None:
        await pause.wait()
    return Post._meta.db, getattr(Post._meta.db, "reader_of", None) is not None


async def test_parts_run_at_once_each_on_a_reader(db: str) -> None:
    if not db.startswith("sqlite://"):
        pytest.skip("PostgreSQL overlaps reads on its own pool")
    main = Post._meta.db
    started, release = asyncio.Event(), asyncio.Event()

    async def first() -> tuple[Any, bool]:
        started.set()
        return await _where(release)

    async def second() -> tuple[Any, bool]:
        await started.wait()  # only finishes if the first part is running at the same time
        release.set()
        return await _where()

    (c1, r1), (c2, r2) = await asyncio.wait_for(together(first(), second()), 30)
    assert r1 and r2 and c1 is not c2 and main not in (c1, c2)
    assert Post._meta.db is main  # the caller's context is untouched


async def test_inside_a_transaction_parts_see_its_writes(db: str) -> None:
    async with in_transaction():
        await Unit.create(name="未提交单位", kind="乡镇")

        async def count() -> int:
            return await Unit.filter(name="未提交单位").count()

        assert await together(count(), count()) == [1, 1]


async def test_a_part_on_a_reader_runs_its_own_parts_in_turn_there(db: str) -> None:
    if not db.startswith("sqlite://"):
        pytest.skip("SQLite readers only")

    async def nested() -> list[tuple[Any, bool]]:
        outer = Post._meta.db
        inner = await asyncio.wait_for(together(*(_where() for _ in range(6))), 30)
        assert all(c is outer for c, _ in inner)
        return inner

    # More parts than readers, each asking for more: none waits for the pool while holding a reader.
    results = await asyncio.wait_for(together(*(nested() for _ in range(POOL_SIZE + 2))), 60)
    assert all(inner[0][1] for inner in results)


async def test_readers_close_with_the_database(tmp_path: Path) -> None:
    async with database("sqlite://" + str(tmp_path / "r.db")):
        await together(_where(), _where(), _where())
        opened = list(Post._meta.db.reader_pool()._all)
        assert len(opened) >= 2
        threads = [r._connection._thread for r in opened]
        assert all(t.is_alive() for t in threads)
    # Closing the database closed its readers and ended their threads (a live one would keep the process up).
    for t in threads:
        t.join(5)
    assert not any(t.is_alive() for t in threads)


async def _review(url: str) -> Any:
    settings = RuleSettings.from_dict({})

    async def evaluate(at: Any) -> Any:
        return await evaluate_at(at, settings)

    async def trend(at: Any) -> Any:
        return await evaluate_at(at, settings, only=rules_where("trend"))

    async with database(url):
        report = await build_monthly(MONTH, county="测试县", tz=TZ, now=NOW, evaluate=evaluate,
                                     rules=list(CATALOGUE.values()), blind_rule=BLIND_RULE, evaluate_trend=trend,
                                     trend_months=3)
    return dataclasses.asdict(report)


async def test_a_review_on_readers_equals_one_in_turn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "sqlite://" + str(tmp_path / "county.db")
    await generate(url, 60, posts=30)
    on_readers = await _review(url)
    monkeypatch.setattr(reads, "pool_of", lambda conn: None)
    in_turn = await _review(url)
    assert on_readers == in_turn
    assert on_readers["details"]



async def test_a_small_database_reads_in_turn(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not db.startswith("sqlite://"):
        pytest.skip("SQLite readers only")
    monkeypatch.setattr(sqlite_readers, "READERS_MIN_BYTES", 64 * 1024 * 1024)
    main = Post._meta.db
    assert [c for c, _ in await together(_where(), _where())] == [main, main]
