"""`feed`: RSS/Atom (a self-hosted RSSHub, we-mp-rss, …) with conditional GET."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, unquote

from collectors.base import Context
from collectors.errors import ErrorKind, PlatformError
from collectors.lanes import Lane
from collectors.parse_feed import parse_feed
from registry.observations.store import Success, Target


def feed_url(target: Target, base: str) -> str:
    """The absolute feed URL: relative paths are joined to ``[platforms.feed] base_url``."""
    if target.feed_url.startswith("/"):
        if not base:
            raise PlatformError(ErrorKind.AUTH, "relative feed path but [platforms.feed] base_url is not set")
        return base.rstrip("/") + target.feed_url
    return target.feed_url


def _validators(cursor: str) -> dict[str, str]:
    headers = {}
    for part in cursor.split(";"):
        key, _, value = part.partition("=")
        if key == "etag" and value:
            headers["If-None-Match"] = unquote(value)
        elif key == "lm" and value:
            headers["If-Modified-Since"] = unquote(value)
    return headers


class FeedSource:
    """Collector for accounts with an RSS or Atom feed."""

    method = "feed"
    #: Feeds are conditional GETs to many hosts (or one RSSHub): bounded in flight, never paced.
    lane = Lane("feed", concurrency=4)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def collect(self, target: Target, now: dt.datetime) -> Success:
        """Fetch the feed unless unchanged since the last pass."""
        url = feed_url(target, self.ctx.options.feed_base)
        resp = await self.ctx.http.request("GET", url, where="feed", headers=_validators(target.cursor),
                                           lane=self.lane, body_kind="feed")
        if resp.status_code == 304:
            return Success(posts=[], metrics=[], known_until=now, cursor=target.cursor)
        if resp.status_code in (404, 410):
            raise PlatformError(ErrorKind.GONE, f"feed: HTTP {resp.status_code}", code=str(resp.status_code))
        if resp.status_code in (401, 403):
            raise PlatformError(ErrorKind.AUTH, f"feed: HTTP {resp.status_code}", code=str(resp.status_code))
        if resp.status_code == 429:
            raise PlatformError(ErrorKind.QUOTA, "feed: HTTP 429", code="429")
        if resp.status_code >= 400:
            raise PlatformError(ErrorKind.NETWORK, f"feed: HTTP {resp.status_code}", code=str(resp.status_code))
        _title, posts = parse_feed(resp.content, now)
        etag = resp.headers.get("ETag", "")
        modified = resp.headers.get("Last-Modified", "")
        cursor = f"etag={quote(etag)};lm={quote(modified)}" if etag or modified else ""
        return Success(posts=posts, metrics=[], known_until=now, cursor=cursor)
