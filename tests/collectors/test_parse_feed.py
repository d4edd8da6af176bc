"""RSS/Atom parser: sample feeds, date styles, hostile and malformed XML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.model import BEIJING
from collectors.parse_feed import parse_feed

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "feed"
NOW = datetime(2024, 6, 4, 10, 30, tzinfo=BEIJING)


def load(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


def rss(items: str) -> bytes:
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_rss() -> None:
    title, posts = parse_feed(load("rss.xml"), NOW)
    assert title == "某县应急管理局 - 微信公众号"
    assert [(p.post_id, p.published_at, p.title, p.url) for p in posts] == [
        (
            "mp-2247483650-1",
            datetime(2024, 6, 3, 9, 15, tzinfo=BEIJING),
            "关于开展2024年防汛演练的通知",
            "http://mp.weixin.qq.com/s?__biz=MzA&mid=2247483650&idx=1",
        ),
        # No guid: the link is the id.
        (
            "http://mp.weixin.qq.com/s?__biz=MzA&mid=2247483649&idx=1",
            datetime(2024, 6, 2, 10, 0, tzinfo=UTC),
            "汛期安全提示 & 出行建议",
            "http://mp.weixin.qq.com/s?__biz=MzA&mid=2247483649&idx=1",
        ),
        ("mp-2247483648-1", datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING), "只有 dc:date 的条目", None),
        # A zone-less pubDate is read as Beijing time.
        ("mp-2247483647-1", datetime(2024, 5, 31, 8, 0, tzinfo=BEIJING), "无时区的条目", None),
    ]
    assert all(p.published_at.utcoffset() is not None and not p.pinned for p in posts)


def test_atom() -> None:
    title, posts = parse_feed(load("atom.xml"), NOW)
    assert title == "某县融媒体中心"
    first, second = posts
    assert first.post_id == "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"
    # published wins over updated; the alternate link wins over the enclosure; HTML title is flattened.
    assert first.published_at == datetime(2024, 6, 3, 9, 15, tzinfo=BEIJING)
    assert first.url == "http://mp.weixin.qq.com/s/abc"
    assert first.title == "县政府常务会议召开"
    assert (second.post_id, second.url) == ("http://mp.weixin.qq.com/s/def", "http://mp.weixin.qq.com/s/def")
    assert second.published_at == datetime(2024, 6, 2, 1, 0, tzinfo=UTC)


def test_empty_channel() -> None:
    assert parse_feed(rss(""), NOW) == ("t", [])


@pytest.mark.parametrize(
    "name", ["billion_laughs.xml", "external_entity.xml", "external_parameter_entity.xml"]
)
def test_hostile_xml_is_rejected(name: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_feed(load(name), NOW)
    assert info.value.kind is ErrorKind.PARSE
    assert "forbidden XML construct" in info.value.message


@pytest.mark.parametrize(
    ("xml", "fragment"),
    [
        (load("malformed.xml"), "feed: malformed XML"),
        (b"", "feed: malformed XML"),
        (b"<html><body/></html>", "unsupported root element 'html'"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "unsupported root element"),
        (b'<rss version="2.0"/>', "rss: no channel"),
        (rss("<item><guid>1</guid></item>"), "rss.item[0]: no date"),
        (
            rss("<item><guid>1</guid><pubDate>yesterday</pubDate></item>"),
            "rss.item[0]: unrecognised date 'yesterday'",
        ),
        (rss("<item><pubDate>Mon, 03 Jun 2024 09:15:00 +0800</pubDate></item>"), "neither id/guid nor link"),
        (
            rss("<item><guid>1</guid><pubDate>Mon, 10 Jun 2024 09:15:00 +0800</pubDate></item>"),
            "is in the future",
        ),
    ],
)
def test_broken_feeds(xml: bytes, fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_feed(xml, NOW)
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


def test_small_clock_skew_is_tolerated() -> None:
    _, [post] = parse_feed(
        rss("<item><guid>1</guid><pubDate>Tue, 04 Jun 2024 12:00:00 +0800</pubDate></item>"), NOW
    )
    assert post.published_at == datetime(2024, 6, 4, 12, 0, tzinfo=BEIJING)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError):
        parse_feed(load("rss.xml"), datetime(2024, 6, 4))
