"""Per-account responsiveness over a window, computed in SQL from the posts' comment-thread facts.

A post counts when its thread was read (``comments_checked_at`` set, comments seen and answered
known); a post whose comments were never read contributes nothing, and an account with no read
thread in its window gets no row at all (unknown, never zero). The median answer delay is the median
of the read posts' own median delays (the store keeps no per-comment delay). One grouped statement
answers for every account: the windows travel as one JSON parameter, as in `post_digest`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from registry.db.rawsql import is_pg
from registry.views.post_digest import CHUNK, _db, _moment, fetch_bounded


@dataclass(frozen=True)
class ResponseBounds:
    """One account's responsiveness window: posts published in (since, until]."""

    account_id: int
    since: dt.datetime
    until: dt.datetime
    #: Seconds a comment may wait before it is due an answer (see ResponseRow.due).
    grace_s: int = 0


@dataclass(frozen=True)
class ResponseRow:
    """One account's measured responsiveness over its window."""

    posts_read: int
    comments: int
    #: Comments due an answer: a post whose oldest unanswered comment was younger than the grace when
    #: its thread was read counts only its answered comments (the others had no time to be answered).
    due: int
    answered: int
    median_answer_s: float | None
    oldest_unanswered_at: dt.datetime | None
    oldest_title: str
    oldest_url: str
    oldest_checked_at: dt.datetime | None


_SQL = """{bounds},
r AS (
  SELECT b.a, p.id, p.title, p.url, p.comments_seen AS seen, p.comments_answered AS answered,
         p.median_answer_delay_s AS med, p.oldest_unanswered_at AS oldest, p.comments_checked_at AS checked,
         CASE WHEN p.oldest_unanswered_at IS NOT NULL AND {age} < b.g THEN p.comments_answered
              ELSE p.comments_seen END AS due
  FROM bounds b JOIN post p ON p.account_id = b.a AND p.published_at > b.s AND p.published_at <= b.u
  WHERE p.comments_checked_at IS NOT NULL AND p.comments_seen IS NOT NULL AND p.comments_answered IS NOT NULL),
g AS (SELECT a, COUNT(*) AS n, SUM(seen) AS seen, SUM(answered) AS answered, SUM(due) AS due FROM r GROUP BY a),
d AS (SELECT a, med, ROW_NUMBER() OVER (PARTITION BY a ORDER BY med) AS k, COUNT(*) OVER (PARTITION BY a) AS n
      FROM r WHERE med IS NOT NULL),
m AS (SELECT a, AVG(med) AS med FROM d WHERE k = (n + 1) / 2 OR k = (n + 2) / 2 GROUP BY a),
o AS (SELECT a, oldest, title, url, checked, ROW_NUMBER() OVER (PARTITION BY a ORDER BY oldest, id) AS k
      FROM r WHERE oldest IS NOT NULL)
SELECT g.a, g.n, g.seen, g.answered, m.med, g.due, o.oldest, o.title, o.url, o.checked
FROM g LEFT JOIN m ON m.a = g.a LEFT JOIN o ON o.a = g.a AND o.k = 1"""
_AGE = {True: "EXTRACT(EPOCH FROM (p.comments_checked_at - p.oldest_unanswered_at))",
        False: "(julianday(p.comments_checked_at) - julianday(p.oldest_unanswered_at)) * 86400"}


def _number(raw: Any) -> float | None:
    if raw is None:
        return None
    return float(raw) if isinstance(raw, (int, float, Decimal)) else float(str(raw))


async def response_rows(bounds: Sequence[ResponseBounds]) -> dict[int, ResponseRow]:
    """The measured responsiveness of every account in ``bounds`` that has a read thread in its window."""
    out: dict[int, ResponseRow] = {}
    pg = is_pg(_db())
    columns = [("a", "int"), ("s", "timestamptz"), ("u", "timestamptz"), ("g", "int")]
    sql = _SQL.format(bounds="{bounds}", age=_AGE[pg])
    for i in range(0, len(bounds), CHUNK):
        rows = [(b.account_id, b.since, b.until, b.grace_s) for b in bounds[i:i + CHUNK]]
        for r in await fetch_bounded(sql, pg, columns, rows):
            out[int(r[0])] = ResponseRow(
                posts_read=int(r[1]), comments=int(r[2] or 0), answered=int(r[3] or 0),
                median_answer_s=_number(r[4]), due=int(r[5] or 0),
                oldest_unanswered_at=_moment(r[6]) if r[6] is not None else None,
                oldest_title=str(r[7] or ""), oldest_url=str(r[8] or ""),
                oldest_checked_at=_moment(r[9]) if r[9] is not None else None)
    return out
