"""Observations the parsers produce and the fetchers store: plain frozen values, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple

# China has kept UTC+8 without DST since 1991, before any data we can fetch (datacube starts
# 2014-12-01), so a fixed offset is exact and needs no tz database.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True, slots=True, kw_only=True)
class PostObs:
    """One post as seen on a platform at collection time; None means the source does not tell."""

    post_id: str
    published_at: datetime
    title: str
    url: str | None = None
    pinned: bool = False
    original: bool | None = None
    reads: int | None = None
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None
    zaikan: int | None = None
    favorites: int | None = None
    #: Which call the numbers came from (e.g. getarticletotaldetail); "" when the source does not say.
    stats_source: str = ""
    #: True while the platform marks the numbers provisional (datacube is_delay); None: not said.
    stats_provisional: bool | None = None
    #: The checkable text (title plus digest or body, plain, capped: parse_common.post_text); None: title only.
    text: str | None = None
    #: How much of the post ``text`` is: "digest" (a part: digest, summary, folded or capped text) or "full".
    text_coverage: str | None = None

    def __post_init__(self) -> None:
        # A naive time would be read as local time somewhere and shift "last posted" by hours.
        if self.published_at.utcoffset() is None:
            raise ValueError(f"post {self.post_id}: published_at must be timezone-aware")


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricObs:
    """Account-level figures for one day; None means this source does not report the figure."""

    day: date
    followers: int | None = None
    #: ``followers`` is an abbreviated platform figure ("693.2万"); None: exact or no followers.
    followers_approx: bool | None = None
    new_followers: int | None = None
    lost_followers: int | None = None
    reads: int | None = None
    shares: int | None = None
    likes: int | None = None
    zaikan: int | None = None
    comments: int | None = None
    favorites: int | None = None
    #: Articles the platform says were published that day (getbizsummary send_page_count).
    posts_sent: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseObs:
    """What one post's comment thread says about the account answering; None means unknown, never 0."""

    post_id: str
    checked_at: datetime
    #: False when the platform says comments are not open on the post (WeChat 88000); None: not said.
    comments_open: bool | None = None
    comments_seen: int | None = None
    comments_answered: int | None = None
    #: Seconds from the post's first comment to the account's first answer.
    first_answer_delay_s: int | None = None
    #: Median seconds between a comment and the account's answer to it.
    median_answer_delay_s: int | None = None
    oldest_unanswered_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleDayObs:
    """One article's figures for a single day (datacube getarticlesummary), not cumulative."""

    day: date
    post_id: str
    title: str
    reads: int
    read_users: int
    shares: int
    favorites: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileObs:
    """An account's profile as the platform shows it."""

    uid: str
    name: str
    followers: int | None = None
    #: ``followers`` came from an abbreviated string ("693.2万", "100万+"): approximate.
    followers_approx: bool = False
    posts_total: int | None = None
    verified: bool | None = None


class Page(NamedTuple):
    """One page of posts and the cursor for the next one (None: no further page)."""

    posts: list[PostObs]
    next_cursor: str | None


def merge_metrics(*batches: Iterable[MetricObs]) -> list[MetricObs]:
    """Combine per-day observations from several endpoints; later non-None figures win."""
    by_day: dict[date, MetricObs] = {}
    for batch in batches:
        for obs in batch:
            old = by_day.get(obs.day)
            if old is None:
                by_day[obs.day] = obs
                continue
            known = {f.name: getattr(obs, f.name) for f in fields(obs) if getattr(obs, f.name) is not None}
            by_day[obs.day] = replace(old, **known)
    return [by_day[d] for d in sorted(by_day)]
