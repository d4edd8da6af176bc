"""Per-account aggregates of posts and follower figures, computed in SQL for one evaluation.

A province holds millions of posts; the rules need, per account, only the latest post by an
observation point, counts and sums over the low-use window and the posting days of the frequency
window. Every account has its own observation point (its coverage), so the windows travel to the
database as one JSON parameter (``jsonb_to_recordset`` on PostgreSQL; on SQLite a temporary table
filled from ``json_each``) and one grouped query answers for every account. Three queries in all
(windows, older latest posts, their titles) per 5,000 accounts.

SQLite stores timestamps as county-time text (``YYYY-MM-DD HH:MM:SS[.ffffff]+08:00``, as tortoise
writes them), which sorts like the instants it names, and whose first ten characters are the
county date; PostgreSQL compares ``timestamptz`` natively.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import TransactionalDBClient
from tortoise.transactions import in_transaction

from registry.db.lifecycle import TIMEZONE
from registry.db.models import Post
from registry.db.rawsql import is_pg, marks
from registry.db.sqlite_backend import county_text
from registry.views.figures import interactions_sql
from registry.views.reads import together

COUNTY_TZ = ZoneInfo(TIMEZONE)
CHUNK = 5000  # accounts per statement: bounded parameter size and memory on both backends
# The digest is read in about SLICES slices of at least SLICE_MIN accounts, side by side (`digest_reads`):
# at 20,000 accounts on PostgreSQL four slices of 5,000 took 0.86 s one after the other.
SLICES, SLICE_MIN = 4, 1000


@dataclass(frozen=True)
class DigestBounds:
    """The windows of one account: posts in [lo, as_of] are read, the others only for the latest post."""

    account_id: int
    as_of: dt.datetime
    use_since: dt.datetime  # low-use window (use_since, as_of]
    freq_start: dt.datetime | None = None  # frequency window [freq_start, freq_end), county midnights
    freq_end: dt.datetime | None = None

    @property
    def lo(self) -> dt.datetime:
        """The earliest moment any window reaches."""
        return min(self.use_since, self.freq_start) if self.freq_start is not None else self.use_since


@dataclass(frozen=True)
class LatestPost:
    """The newest post that counts by the observation point (the caller's pinned-post rule applied)."""

    published_at: dt.datetime
    title: str
    pinned: bool
    url: str


@dataclass(frozen=True)
class PostDigest:
    """One account's aggregates for its bounds."""

    latest: LatestPost | None
    use_posts: int
    reads_sum: int
    reads_n: int
    interactions_sum: int
    interactions_n: int
    posting_days: int
    freq_posts: int


_INTERACTIONS = interactions_sql("p")
_AGGREGATES = """
  MAX(CASE WHEN {not_pinned} THEN p.published_at END),
  MAX(CASE WHEN {pinned} THEN p.published_at END),
  COUNT(CASE WHEN p.published_at > b.us THEN 1 END),
  SUM(CASE WHEN p.published_at > b.us THEN p.reads END),
  COUNT(CASE WHEN p.published_at > b.us THEN p.reads END),
  SUM(CASE WHEN p.published_at > b.us THEN {inter} END),
  COUNT(CASE WHEN p.published_at > b.us THEN {inter} END),
  COUNT(DISTINCT CASE WHEN p.published_at >= b.fs AND p.published_at < b.fe THEN {day} END),
  COUNT(CASE WHEN p.published_at >= b.fs AND p.published_at < b.fe THEN 1 END)"""
_WINDOW_SQL = ("{bounds}\nSELECT b.a," + _AGGREGATES + """
FROM {source} b JOIN post p ON p.account_id = b.a AND p.published_at >= b.lo AND p.published_at <= b.as_of
GROUP BY b.a""")
# PostgreSQL: one small aggregate per account (LATERAL) instead of one sort of every windowed post by
# account for the grouped form: 80 instead of 160 ms at 2,000 accounts (the join's output is already in
# account order, but the planner cannot know it, and COUNT(DISTINCT) forces a sorted aggregate). An
# account without posts in its windows gets a row of NULL maxima and zero counts, as if absent.
_WINDOW_SQL_PG = ("{bounds}\nSELECT b.a, s.* FROM {source} b CROSS JOIN LATERAL (SELECT" + _AGGREGATES + """
  FROM post p WHERE p.account_id = b.a AND p.published_at >= b.lo AND p.published_at <= b.as_of) s""")
_OLDER_SQL = """{bounds}
SELECT b.a, MAX(CASE WHEN {not_pinned} THEN p.published_at END), MAX(CASE WHEN {pinned} THEN p.published_at END)
FROM bounds b JOIN post p ON p.account_id = b.a AND p.published_at < b.lo
GROUP BY b.a"""
_DETAIL_SQL = """{bounds}
SELECT p.account_id, p.published_at, p.title, p.pinned, p.url
FROM bounds b JOIN post p ON p.account_id = b.a AND p.published_at = b.t
ORDER BY p.id"""

_SQLITE = {"not_pinned": "p.pinned = 0", "pinned": "p.pinned = 1", "inter": _INTERACTIONS,
           "day": "substr(p.published_at, 1, 10)"}
_PG = {"not_pinned": "NOT p.pinned", "pinned": "p.pinned", "inter": _INTERACTIONS,
       "day": f"(p.published_at AT TIME ZONE '{TIMEZONE}')::date"}
_COLUMNS = ("a", "lo", "as_of", "us", "fs", "fe")


def bounds_cte(pg: bool, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """A ``WITH bounds AS (...)`` clause holding ``rows`` (one value per column, in order) and its parameters.

    PostgreSQL receives one array per column (``unnest``): asyncpg encodes them in binary, where a JSON
    document cost 16,000 ``isoformat`` calls and the server's parse of it per 2,000 accounts. SQLite
    receives one JSON document (``json_each``) with timestamps as the county-time text it stores.
    """
    if pg:
        arrays = ", ".join(f"${i}::{kind}[]" for i, (_, kind) in enumerate(columns, 1))
        names = ", ".join(name for name, _ in columns)
        return (f"WITH bounds AS (SELECT * FROM unnest({arrays}) AS x({names}))",
                [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in columns])
    picks = ", ".join(f"json_extract(value, '$.{name}') AS {name}" for name, _ in columns)
    doc = [{name: county_text(v) if isinstance(v, dt.datetime) else v for (name, _), v in zip(columns, r, strict=True)}
           for r in rows]
    return f"WITH bounds AS (SELECT {picks} FROM json_each(?))", [json.dumps(doc)]


#: How PostgreSQL plans the reads bounded by unnest(…) arrays (`fetch_bounded`).
PLAN_CACHE_MODE = "force_custom_plan"


def _db() -> Any:
    return Post._meta.db


def _moment(raw: Any) -> dt.datetime:
    if isinstance(raw, dt.datetime):
        return raw.astimezone(COUNTY_TZ)
    return dt.datetime.fromisoformat(str(raw)).astimezone(COUNTY_TZ)


async def fetch_bounded(sql: str, pg: bool, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Run ``sql`` (its ``{bounds}`` replaced by `bounds_cte`) over ``rows``."""
    cte, values = bounds_cte(pg, columns, rows)
    db = _db()
    if not pg:
        _, out = await db.execute_query(sql.format(bounds=cte), values)
        return list(out)
    # Planned for its own arrays every time. After five runs of a prepared statement on one connection
    # PostgreSQL may switch to its generic plan, which for reads bounded by unnest(…) arrays is ruinous:
    # the responsiveness read at 5,000 accounts took 30.3 s generic vs 0.2 s custom, and the month review
    # right after recording snapshots 134 s instead of 5 s (bench/province-scale.md, fourth round). Only
    # these reads: the setting on every statement slowed the ingest's small upserts by a third.
    # Inside the caller's transaction, whose parts may run at once on its one connection, a nested BEGIN
    # would collide: the setting then holds to that transaction's end, which only plans more.
    scope = contextlib.nullcontext(db) if isinstance(db, TransactionalDBClient) else in_transaction(db.connection_name)
    async with scope as conn:
        await conn.execute_query(f"SET LOCAL plan_cache_mode = {PLAN_CACHE_MODE}")
        _, out = await conn.execute_query(sql.format(bounds=cte), values)
    return list(out)


async def _sqlite_window_rows(values: list[Any]) -> list[Any]:
    """The window query on SQLite, over a temporary table keyed by account.

    With the windows in a table whose primary key is the account, SQLite walks the accounts in
    order and groups without sorting a million rows: 2.4x faster than joining ``json_each`` at
    20,000 accounts. Temporary tables live in the connection's own temp database (no write lock on
    the main file), and each call gets its own name so that two evaluations never share one.
    """
    conn = _db()
    table = f"temp.digest_bounds_{uuid.uuid4().hex}"
    columns = ", ".join(f"{c} TEXT" for c in _COLUMNS[1:])
    picks = ", ".join(f"json_extract(value, '$.{c}')" for c in _COLUMNS)
    await conn.execute_query(f"CREATE TABLE {table} (a INTEGER PRIMARY KEY, {columns})")
    try:
        await conn.execute_query(f"INSERT INTO {table} SELECT {picks} FROM json_each(?)", values)
        _, rows = await conn.execute_query(_WINDOW_SQL.format(bounds="", source=table, **_SQLITE))
        return list(rows)
    finally:
        await conn.execute_query(f"DROP TABLE IF EXISTS {table}")


#: Whether the newest pinned post (second) is the latest post, given the newest ordinary one (first, if any).
PinnedCounts = Callable[[dt.datetime | None, dt.datetime], bool]


def digest_reads(bounds: Sequence[DigestBounds], *, pinned_counts: PinnedCounts) -> list[Awaitable[dict[int, PostDigest]]]:
    """`post_digests` as independent reads, one per slice of the accounts, for `registry.views.reads.together`
    (each slice on its own connection: PostgreSQL's and SQLite's readers work on several at once)."""
    size = min(CHUNK, max(SLICE_MIN, math.ceil(len(bounds) / SLICES)))
    return [_digest_chunk(bounds[i:i + size], pinned_counts) for i in range(0, len(bounds), size)]


async def post_digests(bounds: Sequence[DigestBounds], *, pinned_counts: PinnedCounts) -> dict[int, PostDigest]:
    """The aggregates of every account in ``bounds`` (zero counts where its windows hold no post).

    The latest post is the newest ordinary one or the newest pinned one, as ``pinned_counts`` (the
    rules' pinned-post rule) decides.
    """
    return merge_digests(await together(*digest_reads(bounds, pinned_counts=pinned_counts)))


def merge_digests(parts: Iterable[dict[int, PostDigest]]) -> dict[int, PostDigest]:
    """The slices' digests in one mapping."""
    out: dict[int, PostDigest] = {}
    for part in parts:
        out.update(part)
    return out


async def _digest_chunk(bounds: Sequence[DigestBounds], pinned_counts: PinnedCounts) -> dict[int, PostDigest]:
    pg = is_pg(_db())
    dialect = _PG if pg else _SQLITE
    kinds = [("a", "int"), *((c, "timestamptz") for c in _COLUMNS[1:])]
    windows = [(b.account_id, b.lo, b.as_of, b.use_since, b.freq_start, b.freq_end) for b in bounds]
    if pg:
        sql = _WINDOW_SQL_PG.format(bounds="{bounds}", source="bounds", **dialect)
        rows = await fetch_bounded(sql, pg, kinds, windows)
    else:
        rows = await _sqlite_window_rows(bounds_cte(pg, kinds, windows)[1])
    stats = {int(r[0]): r for r in rows}
    # The latest post: the newest ordinary or the newest pinned one, as the rule given decides.
    # Accounts silent in every window look further back.
    newest: dict[int, tuple[Any, Any]] = {aid: (r[1], r[2]) for aid, r in stats.items()}
    older = [b for b in bounds if newest.get(b.account_id, (None, None)) == (None, None)]
    if older:
        older_kinds = [("a", "int"), ("lo", "timestamptz")]
        sql = _OLDER_SQL.format(bounds="{bounds}", **dialect)
        for r in await fetch_bounded(sql, pg, older_kinds, [(b.account_id, b.lo) for b in older]):
            newest[int(r[0])] = (r[1], r[2])
    wanted: dict[int, tuple[Any, bool]] = {}
    for aid, (ordinary, pinned) in newest.items():
        if pinned is not None and pinned_counts(_moment(ordinary) if ordinary is not None else None, _moment(pinned)):
            wanted[aid] = (pinned, True)
        elif ordinary is not None:
            wanted[aid] = (ordinary, False)
    latest = await _latest_details(wanted, pg)
    out: dict[int, PostDigest] = {}
    for b in bounds:
        r = stats.get(b.account_id)
        if r is None:
            out[b.account_id] = PostDigest(latest.get(b.account_id), 0, 0, 0, 0, 0, 0, 0)
            continue
        out[b.account_id] = PostDigest(latest=latest.get(b.account_id), use_posts=int(r[3]), reads_sum=int(r[4] or 0),
                                       reads_n=int(r[5]), interactions_sum=int(r[6] or 0), interactions_n=int(r[7]),
                                       posting_days=int(r[8]), freq_posts=int(r[9]))
    return out


async def _latest_details(wanted: dict[int, tuple[Any, bool]], pg: bool) -> dict[int, LatestPost]:
    """Title and address of each chosen latest post (the first stored one when several share the moment)."""
    if not wanted:
        return {}
    # The timestamp goes back exactly as the database returned it (text on SQLite), so equality holds.
    rows = [(aid, t) for aid, (t, _) in wanted.items()]
    out: dict[int, LatestPost] = {}
    for r in await fetch_bounded(_DETAIL_SQL, pg, [("a", "int"), ("t", "timestamptz")], rows):
        aid = int(r[0])
        if aid in out or bool(r[3]) != wanted[aid][1]:
            continue
        out[aid] = LatestPost(published_at=_moment(r[1]), title=str(r[2]), pinned=bool(r[3]), url=str(r[4] or ""))
    return out


async def follower_figures(start: dt.date, until: dt.date) -> dict[int, tuple[int, int]]:
    """Per account (followers at the window start, latest followers) from the daily metrics.

    The start figure is the last one on or before ``start`` (looking back a week), else the first
    after it; the latest is the last one by ``until``.
    """
    return {a: (s, e) for a, (s, e, _) in (await follower_figures_marked(start, until)).items()}


async def follower_figures_marked(start: dt.date, until: dt.date) -> dict[int, tuple[int, int, bool]]:
    """`follower_figures` plus whether either figure is approximate (an abbreviated "693.2万")."""
    conn = _db()
    pg = is_pg(conn)
    p = marks(conn, 3)
    since = start - dt.timedelta(days=7)
    values: list[Any] = [start, since, until] if pg else [start.isoformat(), since.isoformat(), until.isoformat()]
    _, rows = await conn.execute_query((_FOLLOWERS_PG if pg else _FOLLOWERS_SQL).format(p=p), values)
    return {int(r[0]): (int(r[1]), int(r[2]), bool(r[3])) for r in rows}


_FOLLOWERS_SQL = """WITH x AS (
  SELECT account_id, COALESCE(MAX(CASE WHEN day <= {p[0]} THEN day END), MIN(day)) AS d0, MAX(day) AS d1
  FROM daily_metric WHERE followers IS NOT NULL AND day >= {p[1]} AND day <= {p[2]} GROUP BY account_id)
SELECT x.account_id, m0.followers, m1.followers,
  CASE WHEN m0.followers_approx OR m1.followers_approx THEN 1 ELSE 0 END FROM x
JOIN daily_metric m0 ON m0.account_id = x.account_id AND m0.day = x.d0
JOIN daily_metric m1 ON m1.account_id = x.account_id AND m1.day = x.d1"""
# PostgreSQL: the same figures as two or three index probes per account (the unique (account_id, day)
# index, walked from either end) instead of grouping every metric row of the window and joining back:
# 93 ms -> ~15 ms at 2,000 accounts. The start figure is the last one on or before the start, else the
# first one after it (``pick`` orders the two candidates).
_FOLLOWERS_PG = """SELECT a.id, m0.followers, m1.followers,
  CASE WHEN m0.followers_approx OR m1.followers_approx THEN 1 ELSE 0 END
FROM account a
CROSS JOIN LATERAL (SELECT followers, followers_approx FROM daily_metric
  WHERE account_id = a.id AND followers IS NOT NULL AND day >= {p[1]} AND day <= {p[2]}
  ORDER BY day DESC LIMIT 1) m1
CROSS JOIN LATERAL (SELECT followers, followers_approx FROM (
  (SELECT 0 AS pick, followers, followers_approx FROM daily_metric
   WHERE account_id = a.id AND followers IS NOT NULL AND day >= {p[1]} AND day <= {p[0]} AND day <= {p[2]}
   ORDER BY day DESC LIMIT 1)
  UNION ALL
  (SELECT 1, followers, followers_approx FROM daily_metric
   WHERE account_id = a.id AND followers IS NOT NULL AND day > {p[0]} AND day >= {p[1]} AND day <= {p[2]}
   ORDER BY day LIMIT 1)) c ORDER BY pick LIMIT 1) m0"""
