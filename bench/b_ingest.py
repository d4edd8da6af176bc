"""Ingest: posts upserted through `registry.observations.store.upsert_posts` vs the raw driver.

The same rows (a sample of accounts × posts, new post ids) are written three ways into the
generated dataset:
- store: `upsert_posts(account_id, posts, source)` once per account, as a collection pass does;
- raw, per account: the driver's executemany of the same upsert SQL, one transaction per account
  (like for like: the same batches and commits, without the ORM);
- raw, bulk: every row in one go (sqlite3 executemany in one transaction / asyncpg COPY).
The store's second pass over the same rows (the update path) is timed as well, and so is a batch import:
`upsert_post_batches` over every account at once in one transaction (COPY into a temporary table and one
merge on PostgreSQL, as `collect import` writes a submission). Rows are removed
afterwards so the dataset stays as generated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bench.common import (
    NOW,
    Result,
    backend,
    is_sqlite,
    max_rss_mb,
    pg_connect,
    sqlite_connect,
    sqlite_rows,
    timed,
)
from collectors.model import PostObs
from registry.db.lifecycle import database, transaction
from registry.db.models import Account, Post
from registry.observations.store import upsert_post_batches, upsert_posts

COLS = ("account_id", "post_id", "published_at", "title", "url", "pinned", "original", "reads", "likes", "shares",
        "comments", "zaikan", "favorites", "source", "first_seen_at", "updated_at")
NUMBERS = ("reads", "likes", "shares", "comments", "zaikan", "favorites")


def sample_posts(prefix: str, count: int) -> list[PostObs]:
    """``count`` posts of one account over the last weeks, ids starting with ``prefix``."""
    return [PostObs(post_id=f"{prefix}{k}", published_at=NOW - dt.timedelta(hours=3 * k + 1),
                    title=f"基准测试第{k}期", url=f"https://p.example/ingest/{k}", reads=100 + k, likes=k % 7,
                    shares=k % 5, zaikan=k % 3) for k in range(count)]


def rows_of(account_id: int, posts: list[PostObs], now: dt.datetime) -> list[tuple[Any, ...]]:
    """The rows the store would write, for the raw driver."""
    return [(account_id, p.post_id, p.published_at, p.title, p.url or "", p.pinned, p.original,
             *(getattr(p, n) for n in NUMBERS), "bench", now, now) for p in posts]


def upsert_sql(pg: bool) -> str:
    """INSERT … ON CONFLICT (account_id, post_id) DO UPDATE, as the store's upsert."""
    marks = ", ".join(f"${i}" if pg else "?" for i in range(1, len(COLS) + 1))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in (
        "published_at", "title", "url", "pinned", "original", *NUMBERS, "source", "updated_at"))
    cols = ", ".join(f'"{c}"' for c in COLS)
    return f'INSERT INTO "post" ({cols}) VALUES ({marks}) ON CONFLICT ("account_id", "post_id") DO UPDATE SET {updates}'


async def raw_per_account(url: str, batches: list[tuple[int, list[tuple[Any, ...]]]]) -> float:
    """One executemany and one commit per account; return seconds."""
    if is_sqlite(url):
        conn = sqlite_connect(url)
        sql = upsert_sql(False)
        with timed() as t:
            for _, rows in batches:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(sql, sqlite_rows(rows))
                conn.execute("COMMIT")
        conn.close()
        return t.wall
    pg = await pg_connect(url)
    sql = upsert_sql(True)
    with timed() as t:
        for _, rows in batches:
            async with pg.transaction():
                await pg.executemany(sql, rows)
    await pg.close()
    return t.wall


async def raw_bulk(url: str, rows: list[tuple[Any, ...]]) -> float:
    """All rows at once: one executemany in one transaction (SQLite) or COPY (PostgreSQL)."""
    if is_sqlite(url):
        conn = sqlite_connect(url)
        sql = upsert_sql(False)
        with timed() as t:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, sqlite_rows(rows))
            conn.execute("COMMIT")
        conn.close()
        return t.wall
    pg = await pg_connect(url)
    with timed() as t:
        await pg.copy_records_to_table("post", records=rows, columns=list(COLS))
    await pg.close()
    return t.wall


async def cleanup(url: str) -> None:
    """Remove the rows this benchmark wrote."""
    if is_sqlite(url):
        conn = sqlite_connect(url)
        conn.execute("DELETE FROM post WHERE source = 'bench'")
        conn.close()
    else:
        pg = await pg_connect(url)
        await pg.execute("DELETE FROM post WHERE source = 'bench'")
        await pg.close()


async def run(url: str, accounts: int, *, sample_accounts: int = 200, posts: int = 200) -> Result:
    """Time the store against the raw driver on the same rows."""
    res = Result("ingest", backend(url), accounts)
    await cleanup(url)
    async with database(url, upgrade_schema=False):
        ids = [a["id"] for a in await Account.all().order_by("id").limit(sample_accounts).values("id")]
    store_posts = {aid: sample_posts("ing-s-", posts) for aid in ids}
    one_tx_posts = {aid: sample_posts("ing-t-", posts) for aid in ids}
    batch_posts = {aid: sample_posts("ing-c-", posts) for aid in ids}
    n = len(ids) * posts
    raw_batches = [(aid, rows_of(aid, sample_posts("ing-r-", posts), NOW)) for aid in ids]
    bulk_rows = [row for aid in ids for row in rows_of(aid, sample_posts("ing-b-", posts), NOW)]

    t_raw = await raw_per_account(url, raw_batches)
    async with database(url, upgrade_schema=False):
        with timed() as t_store:
            for aid, ps in store_posts.items():
                await upsert_posts(aid, ps, "bench")
        with timed() as t_update:
            for aid, ps in store_posts.items():
                await upsert_posts(aid, ps, "bench")
        # The same store call inside one transaction, as a batch import writes: the bulk baseline
        # commits once too, so this ratio shows the store's own cost without 200 commits.
        with timed() as t_one_tx:
            async with transaction():
                for aid, ps in one_tx_posts.items():
                    await upsert_posts(aid, ps, "bench")
        with timed() as t_batch:
            async with transaction():
                batch_counts = await upsert_post_batches(batch_posts, "bench")
        stored = await Post.filter(source="bench", post_id__startswith="ing-s-").count()
    t_bulk = await raw_bulk(url, bulk_rows)
    await cleanup(url)

    res.values.update({
        "rows": n, "batch_rows": posts,
        "store_s": round(t_store.wall, 3), "store_update_s": round(t_update.wall, 3),
        "raw_per_account_s": round(t_raw, 3), "raw_bulk_s": round(t_bulk, 3),
        "store_rows_per_s": round(n / t_store.wall), "store_update_rows_per_s": round(n / t_update.wall),
        "raw_per_account_rows_per_s": round(n / t_raw), "raw_bulk_rows_per_s": round(n / t_bulk),
        "ratio_vs_raw_per_account": round(t_raw / t_store.wall, 3),
        "ratio_vs_raw_bulk": round(t_bulk / t_store.wall, 3),
        "store_one_tx_rows_per_s": round(n / t_one_tx.wall), "ratio_one_tx_vs_raw_bulk": round(t_bulk / t_one_tx.wall, 3),
        "store_batch_rows_per_s": round(n / t_batch.wall), "ratio_batch_vs_raw_bulk": round(t_bulk / t_batch.wall, 3),
        "store_batch_cpu_s": round(t_batch.cpu, 3),
        "store_cpu_s": round(t_store.cpu, 3), "max_rss_mb": round(max_rss_mb(), 1),
    })
    if stored != n:
        res.notes.append(f"store wrote {stored} of {n} rows")
    if sum(new for new, _ in batch_counts.values()) != n:
        res.notes.append(f"batch wrote {batch_counts} instead of {n} new rows")
    return res
