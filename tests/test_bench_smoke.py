"""Smoke run of every benchmark on a tiny SQLite dataset: proves bench/ still runs against the code.

Benchmarks are not tests: nothing here looks at a timing, only that each benchmark completes and
measured what it says it measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import b_check, b_collect, b_content, b_ingest, b_monthly, b_notify, b_workers
from bench.generate import generate
from bench.report import render
from registry.db.lifecycle import is_sqlite

ACCOUNTS = 50


@pytest.fixture
async def dataset(tmp_path: Path) -> str:
    """A freshly generated 50-account dataset."""
    url = f"sqlite://{tmp_path / 'bench.db'}"
    summary = await generate(url, ACCOUNTS, posts=20)
    assert summary.accounts == ACCOUNTS and summary.posts > ACCOUNTS and summary.metrics == ACCOUNTS * 53
    return url


async def test_bench_smoke(dataset: str, tmp_path: Path) -> None:
    results = [
        await b_ingest.run(dataset, ACCOUNTS, sample_accounts=5, posts=10),
        await b_check.run(dataset, ACCOUNTS),
        await b_notify.run(dataset, ACCOUNTS),
        await b_monthly.run(dataset, ACCOUNTS, trend_months=2),
        await b_collect.run(f"sqlite://{tmp_path / 'collect.db'}", 20, latency=0.0, concurrency=4),
        await b_content.run(dataset, ACCOUNTS),
    ]
    ingest, check, notify, monthly, collect, content = (r.values for r in results)
    assert ingest["rows"] == 50 and not results[0].notes
    assert check["findings"] and check["opened"] == check["findings"]
    assert notify["written"] and notify["sent_first"] == notify["written"]
    # The month is judged; the month before is read from the snapshot recorded when it closed.
    assert monthly["detail_rows"] and monthly["evaluations"] == 1 and monthly["snapshots_recorded"] == 1
    assert collect["ok"] == 20 and collect["calls"] == collect["bare_calls"] and not results[4].notes
    assert content["posts"] > ACCOUNTS and content["hits"] == content["planted"] > 0 and not results[5].notes
    text = render([{"bench": r.bench, "db": r.db, "accounts": r.accounts, "values": r.values, "notes": r.notes}
                   for r in results], {"quick": True})
    assert "## Targets" in text and "Collection pass" in text and "Content:" in text


async def test_workers_bench_smoke(db_url: str) -> None:
    # Two worker processes over 40 accounts on PostgreSQL: every account polled once, by one worker.
    if is_sqlite(db_url):
        pytest.skip("several workers share accounts on PostgreSQL only")
    result = await b_workers.run(db_url, 40, 2, latency=0.0, concurrency=4, feed_interval=0.0, timeout=240)
    v = result.values
    assert not result.notes, result.notes
    assert v["ok"] == 40 and v["polled_by_two"] == 0 and v["not_polled"] == 0
    assert v["attempts_max_per_account"] == 1 and v["accounts_attempted"] == 40


async def test_bench_web_smoke(dataset: str, tmp_path: Path) -> None:
    from bench import b_web

    rows = await b_web.measure(dataset, tmp_path, reps=1)
    pages = {(role, page) for role, page, _, _ in rows}
    assert ("admin", "/users") in pages and ("unit", "/accounts/{id}") in pages and ("unit", "/users") not in pages
    assert all(median > 0 for _, _, median, _ in rows)
