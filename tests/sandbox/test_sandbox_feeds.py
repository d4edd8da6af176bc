"""RSS and Atom feeds: content, ETag/Last-Modified and 304 on conditional GET."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

import httpx
from defusedxml import ElementTree

from sandbox.county import County

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed_accounts(county: County, fmt: str) -> list[str]:
    return [a.feed_path for a in county.accounts if a.feed_format == fmt]


async def test_rss_feed(client: httpx.AsyncClient, county: County) -> None:
    path = _feed_accounts(county, "rss")[0]
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    items = root.findall("./channel/item")
    assert 0 < len(items) <= 20
    account = county.account(path.removeprefix("/feeds/").removesuffix(".xml"))
    assert account is not None
    assert items[0].findtext("title") == account.posts[0].title
    newest = parsedate_to_datetime(items[0].findtext("pubDate") or "")
    assert newest == account.posts[0].published_at
    assert parsedate_to_datetime(response.headers["last-modified"]) == newest


async def test_atom_feed(client: httpx.AsyncClient, county: County) -> None:
    path = _feed_accounts(county, "atom")[0]
    response = await client.get(path)
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert entries and entries[0].find(f"{ATOM}published") is not None


async def test_conditional_get_answers_304(client: httpx.AsyncClient, county: County) -> None:
    path = _feed_accounts(county, "rss")[0]
    first = await client.get(path)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert (await client.get(path, headers={"If-Modified-Since": modified})).status_code == 304
    older = format_datetime(parsedate_to_datetime(modified).replace(year=2020), usegmt=True)
    assert (await client.get(path, headers={"If-Modified-Since": older})).status_code == 200
    assert (await client.get(path, headers={"If-None-Match": '"other"'})).status_code == 200


async def test_only_feed_accounts_have_feeds(client: httpx.AsyncClient) -> None:
    assert (await client.get("/feeds/gh_d29d035cc6d5.xml")).status_code == 404
    assert (await client.get("/feeds/unknown.xml")).status_code == 404
