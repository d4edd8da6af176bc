"""Pure parser for RSS 2.0 and Atom feeds (e.g. RSSHub, we-mp-rss), hardened with defusedxml."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from collectors.errors import parse_error
from collectors.model import BEIJING, PostObs
from collectors.parse_common import clean_title, post_text

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
_DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
# A feed clock may run a little ahead (or mislabel Beijing time as GMT: +8 h); beyond a day the
# date is wrong, and taking it would make the account look fresher than it is.
_MAX_AHEAD = timedelta(days=1)


def _text(el: Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _parse_time(text: str, where: str) -> datetime:
    """RFC 822 (RSS pubDate) or RFC 3339 (Atom, dc:date); a zone-less time is read as Beijing time."""
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        try:
            # Since 3.11 fromisoformat reads RFC 3339, trailing "Z" included.
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
    if parsed is None:
        raise parse_error(f"{where}: unrecognised date {text!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=BEIJING)


def _post(post_id: str, link: str, title: str, date_text: str, where: str, now: datetime,
          body: tuple[str, bool] = ("", True)) -> PostObs:
    if not date_text:
        raise parse_error(f"{where}: no date")
    published = _parse_time(date_text, where)
    if published > now + _MAX_AHEAD:
        raise parse_error(f"{where}: date {date_text!r} is in the future")
    post_id = post_id or link
    if not post_id:
        raise parse_error(f"{where}: neither id/guid nor link")
    text, coverage = post_text(clean_title(title), *body)
    return PostObs(post_id=post_id, published_at=published, title=clean_title(title), url=link or None, text=text,
                   text_coverage=coverage)


def _body(full: str, summary: str) -> tuple[str, bool]:
    """The item's body and whether it is only a part: full content when the feed has it, else the summary."""
    return (full, False) if full else (summary, True)


def _rss(root: Element, now: datetime) -> tuple[str, list[PostObs]]:
    channel = root.find("channel")
    if channel is None:
        raise parse_error("rss: no channel")
    posts = []
    for i, item in enumerate(channel.findall("item")):
        date_text = _text(item.find("pubDate")) or _text(item.find(_DC_DATE))
        posts.append(
            _post(
                _text(item.find("guid")),
                _text(item.find("link")),
                _text(item.find("title")),
                date_text,
                f"rss.item[{i}]",
                now,
                _body(_text(item.find(_CONTENT_ENCODED)), _text(item.find("description"))),
            )
        )
    return clean_title(_text(channel.find("title"))), posts


def _atom_link(entry: Element) -> str:
    links = entry.findall(f"{_ATOM}link")
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return link.get("href", "").strip()
    return links[0].get("href", "").strip() if links else ""


def _atom(root: Element, now: datetime) -> tuple[str, list[PostObs]]:
    posts = []
    for i, entry in enumerate(root.findall(f"{_ATOM}entry")):
        # published is the first appearance; updated moves on every edit, so it is only a fallback.
        date_text = _text(entry.find(f"{_ATOM}published")) or _text(entry.find(f"{_ATOM}updated"))
        posts.append(
            _post(
                _text(entry.find(f"{_ATOM}id")),
                _atom_link(entry),
                _text(entry.find(f"{_ATOM}title")),
                date_text,
                f"atom.entry[{i}]",
                now,
                _body(_text(entry.find(f"{_ATOM}content")), _text(entry.find(f"{_ATOM}summary"))),
            )
        )
    return clean_title(_text(root.find(f"{_ATOM}title"))), posts


def parse_feed(xml_bytes: bytes, now: datetime) -> tuple[str, list[PostObs]]:
    """The feed's title and its items as posts; hostile or malformed XML raises a parse error."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    try:
        root: Element = fromstring(xml_bytes)
    except DefusedXmlException as exc:
        # Entity expansion (billion laughs) or external entities/DTDs: never resolved, never trusted.
        raise parse_error(f"feed: forbidden XML construct ({exc.__class__.__name__})") from None
    except ParseError as exc:
        raise parse_error(f"feed: malformed XML ({exc})") from None
    if root.tag == "rss":
        return _rss(root, now)
    if root.tag == f"{_ATOM}feed":
        return _atom(root, now)
    raise parse_error(f"feed: unsupported root element {root.tag!r}")
