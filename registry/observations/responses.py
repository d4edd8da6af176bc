"""Responsiveness facts per post (comments seen, answered, answer delays) and which posts to read next.

A post's facts are written whole each time its thread is read (an answered comment clears the oldest
unanswered time); posts whose thread was not read keep theirs. Unknown stays NULL, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from registry.db.models import Post
from registry.db.rawsql import as_aware, connection_of, numbered

RESPONSE_FIELDS = ("comments_open", "comments_seen", "comments_answered", "first_answer_delay_s",
                   "median_answer_delay_s", "oldest_unanswered_at", "comments_checked_at")


class ResponseLike(Protocol):
    """What the store needs of one post's responsiveness facts."""

    @property
    def post_id(self) -> str: ...
    @property
    def checked_at(self) -> dt.datetime: ...
    @property
    def comments_open(self) -> bool | None: ...
    @property
    def comments_seen(self) -> int | None: ...
    @property
    def comments_answered(self) -> int | None: ...
    @property
    def first_answer_delay_s(self) -> int | None: ...
    @property
    def median_answer_delay_s(self) -> int | None: ...
    @property
    def oldest_unanswered_at(self) -> dt.datetime | None: ...


async def record_responses(account_id: int, responses: Sequence[ResponseLike]) -> int:
    """Write the facts of posts whose comments were read; return how many posts were updated."""
    if not responses:
        return 0
    conn, pg = connection_of(Post)
    sets = ", ".join(f'"{c}" = ?' for c in RESPONSE_FIELDS)
    sql = numbered(f'UPDATE "post" SET {sets} WHERE "account_id" = ? AND "post_id" = ?', pg)
    rows = []
    for r in responses:
        oldest = as_aware(r.oldest_unanswered_at) if r.oldest_unanswered_at is not None else None
        rows.append([r.comments_open, r.comments_seen, r.comments_answered, r.first_answer_delay_s,
                     r.median_answer_delay_s, oldest, as_aware(r.checked_at), account_id, r.post_id])
    await conn.execute_many(sql, rows)
    return len(rows)


@dataclass(frozen=True)
class ThreadState:
    """What the store knows of one recent post's comment thread."""

    post_id: str
    published_at: dt.datetime
    checked: bool
    #: Read before and worth reading again: comments still unanswered, or more comments than were seen.
    waiting: bool
    checked_at: dt.datetime | None


async def thread_states(account_id: int, since: dt.datetime) -> list[ThreadState]:
    """Every post of the account published since ``since``, with its thread's state (one query)."""
    rows = await Post.filter(account_id=account_id, published_at__gte=since).values(
        "post_id", "published_at", "comments", "comments_open", "comments_seen", "comments_answered",
        "comments_checked_at")
    out = []
    for r in rows:
        seen, answered, count = r["comments_seen"], r["comments_answered"], r["comments"]
        waiting = r["comments_open"] is not False and seen is not None and (
            (answered is not None and answered < seen) or (count is not None and count > seen))
        out.append(ThreadState(r["post_id"], r["published_at"], r["comments_checked_at"] is not None, waiting,
                               r["comments_checked_at"]))
    return out
