"""RSS 2.0 and Atom feeds (as a self-hosted RSSHub would serve them) at `GET /feeds/{uid}.xml`.

Only accounts whose ledger method is `feed` have one; `Account.feed_format` says which format. A feed
holds the newest 20 posts. Responses carry `ETag` and `Last-Modified` (the newest post's time); a
conditional GET with a matching `If-None-Match`, or an `If-Modified-Since` not older than the newest
post, answers 304 with no body.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.county import Account, Post
from sandbox.runtime import Sandbox

ITEMS = 20
ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = "RSSHub"


def http_date(moment: datetime) -> str:
    """An RFC 7231 date in GMT."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


class Feeds:
    """The feed routes of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        """GET /feeds/{uid}.xml."""
        return [Route("/feeds/{name}", self.feed, methods=["GET"])]

    async def feed(self, request: Request) -> Response:
        """One account's feed, honouring conditional GET."""
        name = request.path_params["name"]
        uid = name.removesuffix(".xml")
        account = self.sandbox.county.account(uid) if name.endswith(".xml") else None

        async def answer() -> Response:
            if account is None or not account.feed_format:
                return PlainTextResponse("Not Found", status_code=404)
            listed = [p for p in account.posts_until(self.sandbox.now()) if not p.deleted]
            # An archived (pinned) article follows the newest items, as some feed generators list it.
            archived = [p for p in listed[ITEMS:] if p.pinned][:1]
            posts = listed[:ITEMS - len(archived)] + archived
            newest = posts[0].published_at if posts else self.sandbox.county.now
            if account.feed_format == "atom":
                body, media_type = _atom(account, posts, str(request.url), newest), "application/atom+xml"
            else:
                body, media_type = _rss(account, posts, str(request.url), newest), "application/rss+xml"
            headers = {
                "ETag": f'"{hashlib.sha1(body).hexdigest()[:20]}"',
                "Last-Modified": http_date(newest),
                "Cache-Control": "public, max-age=300",
            }
            if _not_modified(request, headers["ETag"], newest):
                return Response(status_code=304, headers=headers)
            return Response(body, media_type=f"{media_type}; charset=utf-8", headers=headers)

        return await self.sandbox.faults.run(request, "feed", uid, answer)


def _not_modified(request: Request, etag: str, newest: datetime) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        # If-None-Match wins over If-Modified-Since (RFC 7232 §6); weak tags compare equal here.
        return any(tag.strip().removeprefix("W/") in (etag, "*") for tag in match.split(","))
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return newest.replace(microsecond=0) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _link(account: Account) -> str:
    if account.platform == "weibo":
        return f"https://weibo.com/{account.uid}"
    return f"https://mp.weixin.qq.com/profile?src=3&__biz={account.biz}"


def _title(account: Account) -> str:
    return f"{account.name}的微博" if account.platform == "weibo" else f"{account.name} - 微信公众号"


def _html(post: Post) -> str:
    return f"<p>{post.text}</p>"


def _rss(account: Account, posts: list[Post], self_url: str, newest: datetime) -> bytes:
    # Namespaces are written as plain attributes: ET.register_namespace would change process-wide state.
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = ET.SubElement(rss, "channel")
    for tag, text in (
        ("title", _title(account)),
        ("link", _link(account)),
        ("description", f"{_title(account)} - Powered by {GENERATOR}"),
        ("generator", GENERATOR),
        ("language", "zh-cn"),
        ("lastBuildDate", http_date(newest)),
        ("ttl", "5"),
    ):
        ET.SubElement(channel, tag).text = text
    ET.SubElement(channel, "atom:link", {"href": self_url, "rel": "self", "type": "application/rss+xml"})
    for post in posts:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = post.title
        ET.SubElement(item, "description").text = _html(post)
        ET.SubElement(item, "pubDate").text = http_date(post.published_at)
        ET.SubElement(item, "guid", {"isPermaLink": "false"}).text = post.url
        ET.SubElement(item, "link").text = post.url
        ET.SubElement(item, "author").text = account.name
    data: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return data


def _atom(account: Account, posts: list[Post], self_url: str, newest: datetime) -> bytes:
    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, tag, attrs)
        element.text = text
        return element

    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    sub(feed, "title", _title(account))
    sub(feed, "link", href=_link(account))
    sub(feed, "link", href=self_url, rel="self")
    sub(feed, "id", self_url)
    sub(feed, "updated", newest.isoformat())
    sub(feed, "generator", GENERATOR)
    sub(sub(feed, "author"), "name", account.name)
    for post in posts:
        entry = sub(feed, "entry")
        sub(entry, "title", post.title)
        sub(entry, "link", href=post.url)
        sub(entry, "id", post.url)
        sub(entry, "published", post.published_at.isoformat())
        sub(entry, "updated", post.published_at.isoformat())
        sub(entry, "summary", _html(post), type="html")
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return data
