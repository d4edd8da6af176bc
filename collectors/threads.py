"""Which posts' comment threads a collection reads: bounded per account and cycle, inside the window.

The first collection of an account reads the posts it just found inside the responsiveness window
(newest first); later cycles read new posts and re-read those still waiting for an answer (or with
more comments than were seen) until answered or out of the window. `cap` bounds the threads per cycle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from collectors.base import Options
from collectors.model import PostObs
from registry.observations import responses


@dataclass(frozen=True, slots=True)
class ThreadPick:
    """A post whose comments are to be read now."""

    post_id: str
    published_at: dt.datetime


def comment_threads(options: Options) -> int:
    """Comment threads read per account and cycle at most (0 when the responsiveness window is off)."""
    return options.response_posts_per_cycle if options.response_window_days > 0 else 0


def window_start(now: dt.datetime, days: int) -> dt.datetime:
    """The oldest publish time still inside the responsiveness window."""
    return now - dt.timedelta(days=days)


async def pick_threads(account_id: int, seen: Iterable[PostObs], now: dt.datetime, days: int,
                       cap: int) -> list[ThreadPick]:
    """At most ``cap`` posts: this collection's unread posts in the window first, then the stored queue.

    The stored queue is posts never read (an earlier cycle hit the cap), newest first, then posts still
    waiting for an answer, least recently read first.
    """
    if days <= 0 or cap <= 0:
        return []
    since = window_start(now, days)
    stored = {s.post_id: s for s in await responses.thread_states(account_id, since)}
    recent = sorted((p for p in seen if p.published_at >= since and not p.pinned),
                    key=lambda p: p.published_at, reverse=True)
    picks = [ThreadPick(p.post_id, p.published_at) for p in recent
             if p.post_id not in stored or not stored[p.post_id].checked]
    known = {p.post_id for p in picks}
    unread = sorted((s for s in stored.values() if not s.checked and s.post_id not in known),
                    key=lambda s: s.published_at, reverse=True)
    waiting = sorted((s for s in stored.values() if s.waiting and s.post_id not in known),
                     key=lambda s: s.checked_at or s.published_at)
    picks += [ThreadPick(s.post_id, s.published_at) for s in (*unread, *waiting)]
    return picks[:cap]
