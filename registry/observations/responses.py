"""Responsiveness facts per post (comments seen, answered, answer delays) and which posts to read next.

A post's facts are written whole each time its thread is read (an answered comment clears the oldest
unanswered time); posts whose thread was not read keep theirs. Unknown stays NULL, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from tortoise.expressions import F, Q

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
class ThreadToRead:
    """A post whose comments should be read in this cycle."""

    post_id: str
    url: str
    published_at: dt.datetime
    checked: bool


async def threads_to_read(account_id: int, since: dt.datetime, limit: int) -> list[ThreadToRead]:
    """Posts published since ``since`` never read, or read with comments still unanswered; newest first.

    Never-read posts come first (so a first collection covers the window), then those still waiting
    for an answer or with more comments than were seen, least recently read first; posts whose comments
    are closed, fully answered or could not be read are not read again.
    """
    if limit <= 0:
        return []
    base = Post.filter(account_id=account_id, published_at__gte=since)
    fresh = await base.filter(comments_checked_at__isnull=True).order_by("-published_at").limit(limit).values(
        "post_id", "url", "published_at")
    out = [ThreadToRead(r["post_id"], r["url"], r["published_at"], False) for r in fresh]
    if len(out) < limit:
        waiting = Q(comments_answered__lt=F("comments_seen")) | Q(comments__gt=F("comments_seen"))
        is_open = Q(comments_open__isnull=True) | Q(comments_open=True)
        again = await base.filter(Q(comments_checked_at__isnull=False), waiting, is_open).order_by(
            "comments_checked_at").limit(limit - len(out)).values("post_id", "url", "published_at")
        out += [ThreadToRead(r["post_id"], r["url"], r["published_at"], True) for r in again]
    return out


async def already_read(account_id: int, post_ids: Sequence[str]) -> set[str]:
    """Which of these posts have had their comments read before."""
    if not post_ids:
        return set()
    rows = await Post.filter(account_id=account_id, post_id__in=list(post_ids),
                             comments_checked_at__isnull=False).values_list("post_id", flat=True)
    return {str(r) for r in rows}
