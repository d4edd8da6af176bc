"""Which posts' comment threads a collection reads: bounded per account and cycle, inside the window.

The first collection of an account reads the posts it just found inside the responsiveness window
(newest first); later cycles read new posts and re-read those still waiting for an answer (or with
more comments than were seen) until answered or out of the window. `cap` bounds the threads per cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from collectors.model import PostObs
from registry.observations import responses


@dataclass(frozen=True, slots=True)
class ThreadPick:
    """A post whose comments are to be read now."""

    post_id: str
    published_at: dt.datetime


def window_start(now: dt.datetime, days: int) -> dt.datetime:
    """The oldest publish time still inside the responsiveness window."""
    return now - dt.timedelta(days=days)


async def pick_threads(account_id: int, seen: Iterable[PostObs], now: dt.datetime, days: int,
                       cap: int) -> list[ThreadPick]:
    """At most ``cap`` posts: this collection's unread posts in the window first, then the stored queue."""
    if days <= 0 or cap <= 0:
        return []
    since = window_start(now, days)
    recent = sorted((p for p in seen if p.published_at >= since and not p.pinned),
                    key=lambda p: p.published_at, reverse=True)
    done = await responses.already_read(account_id, [p.post_id for p in recent])
    picks = [ThreadPick(p.post_id, p.published_at) for p in recent if p.post_id not in done]
    # The queue's never-read posts are those stored by an earlier cycle that hit the cap.
    queue = await responses.threads_to_read(account_id, since, cap)
    known = {p.post_id for p in picks}
    picks += [ThreadPick(t.post_id, t.published_at) for t in queue if t.post_id not in known]
    return picks[:cap]
