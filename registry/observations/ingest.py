"""Writing observations: posts upsert by (account, post_id), daily metrics by (account, day).

Re-collecting never duplicates, later numbers replace earlier ones, and a missing number (None)
never erases a known one. Both write with one prepared ``INSERT … ON CONFLICT`` per batch instead of
a tortoise model object per row: ingest is bound by Python CPU, and building the objects was most
of it (bench/RESULTS.md, ingest).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from registry.db.models import DailyMetric, Post
from registry.db.rawsql import as_aware, connection_of, prebound

POST_NUMBERS = ("reads", "likes", "shares", "comments", "zaikan", "favorites")
METRIC_NUMBERS = ("followers", "followers_approx", "new_followers", "lost_followers", "reads", "shares", "likes",
                  "zaikan", "comments",
                  "favorites", "posts_sent")
#: Post columns a missing value (None) never erases, besides the numbers: where they came from.
POST_STATS = ("stats_source", "stats_provisional")
#: The post's checkable text and its coverage: a source that does not carry the text (None) keeps what is stored.
POST_TEXT = ("text", "text_coverage")
#: The content scan marker is reset when the title, the date or a carried text changes: the post is scanned again.
_RESCAN = ('"content_scanned" = CASE WHEN excluded."title" = "post"."title" '
           'AND excluded."published_at" = "post"."published_at" '
           'AND (excluded."text" IS NULL OR excluded."text" = "post"."text") THEN "post"."content_scanned" END')


class PostLike(Protocol):
    """What the store needs of a collected post."""

    @property
    def post_id(self) -> str: ...
    @property
    def published_at(self) -> dt.datetime: ...
    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def pinned(self) -> bool: ...
    @property
    def original(self) -> bool | None: ...
    @property
    def reads(self) -> int | None: ...
    @property
    def likes(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...
    @property
    def comments(self) -> int | None: ...
    @property
    def zaikan(self) -> int | None: ...
    @property
    def favorites(self) -> int | None: ...


class MetricLike(Protocol):
    """What the store needs of a daily metric."""

    @property
    def day(self) -> dt.date: ...
    @property
    def followers(self) -> int | None: ...
    @property
    def new_followers(self) -> int | None: ...
    @property
    def lost_followers(self) -> int | None: ...
    @property
    def reads(self) -> int | None: ...
    @property
    def shares(self) -> int | None: ...


def _merge(old: dict[str, Any] | None, new: dict[str, Any], numbers: Sequence[str]) -> dict[str, Any]:
    if old is None:
        return new
    merged = dict(new)
    for key in numbers:
        if merged.get(key) is None:
            merged[key] = old.get(key)
    return merged


POST_COLS = ("account_id", "post_id", "published_at", "title", "url", "pinned", "original", *POST_NUMBERS, "source",
             *POST_STATS, *POST_TEXT, "first_seen_at", "updated_at")
POST_UPDATE = ("published_at", "title", "url", "pinned", "original", *POST_NUMBERS, "source", *POST_STATS, *POST_TEXT,
               "updated_at")
METRIC_COLS = ("account_id", "day", *METRIC_NUMBERS, "updated_at")
METRIC_UPDATE = (*METRIC_NUMBERS, "updated_at")


_PG_TYPES = {"account_id": "int", "post_id": "text", "published_at": "timestamptz", "title": "text", "url": "text",
             "pinned": "bool", "original": "bool", "source": "text", "first_seen_at": "timestamptz",
             "updated_at": "timestamptz", "day": "date", "stats_source": "text", "stats_provisional": "bool",
             "text": "text", "text_coverage": "text",
             **{c: "bigint" for c in (*POST_NUMBERS, *METRIC_NUMBERS)}, "posts_sent": "int", "followers_approx": "bool"}


@functools.cache
def _upsert_sql(table: str, cols: tuple[str, ...], key: tuple[str, ...], update: tuple[str, ...],
                keep: tuple[str, ...], pg: bool, extra: str = "") -> str:
    """INSERT … ON CONFLICT (key) DO UPDATE; a NULL in a ``keep`` column never replaces a stored value."""
    # The caller already merged known numbers in; COALESCE also covers a row another process
    # inserted between that SELECT and this statement.
    sets = ", ".join(f'"{c}" = COALESCE(excluded."{c}", "{table}"."{c}")' if c in keep else f'"{c}" = excluded."{c}"'
                     for c in update)
    if extra:  # evaluated against the row before this update, like the other SET expressions
        sets += ", " + extra
    names = ", ".join(f'"{c}"' for c in cols)
    conflict = ", ".join(f'"{c}"' for c in key)
    if pg:
        # One statement per batch over column arrays: asyncpg's executemany still costs a round of
        # protocol work per row, unnest() lets PostgreSQL take the batch at once (about 2x here).
        arrays = ", ".join(f"${i}::{_PG_TYPES[c]}[]" for i, c in enumerate(cols, 1))
        return f'INSERT INTO "{table}" ({names}) SELECT * FROM unnest({arrays}) ON CONFLICT ({conflict}) DO UPDATE SET {sets}'
    marks = ", ".join("?" * len(cols))
    return f'INSERT INTO "{table}" ({names}) VALUES ({marks}) ON CONFLICT ({conflict}) DO UPDATE SET {sets}'


def _columns(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows turned into the column arrays an ``unnest`` statement binds."""
    return [list(column) for column in zip(*rows, strict=True)]


async def _write(conn: Any, sql: str, rows: list[list[Any]], pg: bool) -> None:
    """Run an `_upsert_sql` statement over rows: column arrays on PostgreSQL, executemany on SQLite."""
    if pg:
        await conn.execute_query(sql, _columns(rows))
    else:
        await conn.execute_many(sql, rows)


def _post_row(account_id: int, post_id: str, p: PostLike, numbers: Sequence[int | None], source: str,
              now: Any) -> list[Any]:
    """One post's values in POST_COLS order (titles and addresses cut to their column sizes)."""
    # Sources that do not say where their numbers came from (feeds, manual rows) keep what is stored.
    stats = getattr(p, "stats_source", "") or None
    return [account_id, post_id, as_aware(p.published_at), (p.title or "")[:256], (p.url or "")[:1024],
            bool(p.pinned), p.original, *numbers, source, stats, getattr(p, "stats_provisional", None),
            getattr(p, "text", None), getattr(p, "text_coverage", None), now, now]


async def upsert_posts(account_id: int, posts: Sequence[PostLike], source: str) -> tuple[int, int]:
    """Insert or update posts; return (new, updated)."""
    if not posts:
        return 0, 0
    by_id: dict[str, PostLike] = {p.post_id: p for p in posts}
    conn, pg = connection_of(Post)
    # Bound once per batch: SQLite's adapter would otherwise format the same moment twice per row.
    now = prebound(dt.datetime.now(dt.UTC), pg)
    sql = _upsert_sql("post", POST_COLS, ("account_id", "post_id"), POST_UPDATE, (*POST_NUMBERS, *POST_STATS, *POST_TEXT),
                      pg, _RESCAN)
    if pg:
        # One statement, no read first: the upsert's COALESCE keeps known numbers and
        # ``RETURNING (xmax = 0)`` tells inserted rows from updated ones.
        rows = [_post_row(account_id, pid, p, [getattr(p, k) for k in POST_NUMBERS], source, now)
                for pid, p in by_id.items()]
        returned = await conn.execute_query_dict(sql + " RETURNING (xmax = 0) AS inserted", _columns(rows))
        new = sum(1 for r in returned if r["inserted"])
        return new, len(returned) - new
    existing = {row["post_id"]: row for row in await Post.filter(account_id=account_id, post_id__in=list(by_id)).values(
        "post_id", *POST_NUMBERS)}
    rows = []
    for pid, p in by_id.items():
        numbers = [getattr(p, k) for k in POST_NUMBERS]
        old = existing.get(pid)
        if old is not None:  # as `_merge`: a missing number keeps the known one
            numbers = [old[k] if v is None else v for k, v in zip(POST_NUMBERS, numbers, strict=True)]
        rows.append(_post_row(account_id, pid, p, numbers, source, now))
    await conn.execute_many(sql, rows)
    return len(by_id) - len(existing), len(existing)


async def upsert_post_batches(batches: Mapping[int, Sequence[PostLike]], source: str) -> dict[int, tuple[int, int]]:
    """Insert or update the posts of many accounts at once (a batch import); (new, updated) per account.

    On PostgreSQL the rows travel by ``COPY`` into a temporary table and one ``INSERT … SELECT … ON
    CONFLICT`` merges them (the same rules as `upsert_posts`: a missing number never erases a known one);
    on SQLite, and for one account, it is `upsert_posts` per account.
    """
    _, pg = connection_of(Post)
    if not pg or len(batches) < 2:
        return {aid: await upsert_posts(aid, posts, source) for aid, posts in batches.items() if posts}
    now = as_aware(dt.datetime.now(dt.UTC))
    rows = [tuple(_post_row(aid, pid, p, [getattr(p, k) for k in POST_NUMBERS], source, now))
            for aid, posts in batches.items() for pid, p in {p.post_id: p for p in posts}.items()]
    if not rows:
        return {}
    table = f"post_batch_{uuid.uuid4().hex}"
    names = ", ".join(f'"{c}"' for c in POST_COLS)
    merge = _upsert_sql("post", POST_COLS, ("account_id", "post_id"), POST_UPDATE,
                        (*POST_NUMBERS, *POST_STATS, *POST_TEXT), False, _RESCAN)
    # The VALUES form's statement with its row source swapped for the temporary table.
    merge = merge.replace(f"VALUES ({', '.join('?' * len(POST_COLS))})", f'SELECT {names} FROM "{table}"')
    counts: dict[int, tuple[int, int]] = {}
    async with in_transaction() as tx, tx.acquire_connection() as raw:
        await raw.execute(f'CREATE TEMPORARY TABLE "{table}" ON COMMIT DROP AS SELECT {names} FROM "post" WITH NO DATA')
        await raw.copy_records_to_table(table, records=rows, columns=list(POST_COLS))
        for r in await raw.fetch(f"WITH m AS ({merge} RETURNING account_id, (xmax = 0) AS inserted) "
                                 "SELECT account_id, COUNT(*) FILTER (WHERE inserted), COUNT(*) FROM m GROUP BY account_id"):
            counts[int(r[0])] = (int(r[1]), int(r[2]) - int(r[1]))
    return counts


async def upsert_metrics(account_id: int, metrics: Sequence[MetricLike]) -> int:
    """Insert or update daily metrics; return how many days were written."""
    if not metrics:
        return 0
    by_day: dict[dt.date, dict[str, Any]] = {}
    for m in metrics:
        # Not every source's metric type carries the newer figures (getbizsummary's): absent is None.
        values = {k: getattr(m, k, None) for k in METRIC_NUMBERS}
        # A follower figure is exact unless its source says it is abbreviated; no figure, no flag.
        values["followers_approx"] = None if m.followers is None else bool(values["followers_approx"])
        by_day[m.day] = _merge(by_day.get(m.day), values, METRIC_NUMBERS)
    # No read of the stored days: unlike posts there are no new/updated counts to return, and the
    # upsert's COALESCE is exactly `_merge` (a missing number keeps the stored one), done atomically.
    conn, pg = connection_of(DailyMetric)
    now = prebound(dt.datetime.now(dt.UTC), pg)
    rows = [[account_id, d if pg else d.isoformat(), *(v[k] for k in METRIC_NUMBERS), now] for d, v in by_day.items()]
    await _write(conn, _upsert_sql("daily_metric", METRIC_COLS, ("account_id", "day"), METRIC_UPDATE, METRIC_NUMBERS, pg),
                 rows, pg)
    return len(rows)
