"""m.weibo.cn parsers on recorded payloads: counts, every created_at style, profiles, pages, pinned posts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.model import BEIJING, PostObs, ProfileObs
from collectors.parse_weibo_mobile import (
    COOLDOWN_S,
    latest_post,
    parse_count,
    parse_created_at,
    parse_posts_containerid,
    parse_posts_page,
    parse_profile,
    raise_for_http_status,
)

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "weibo_mobile"
# A Tuesday morning in Beijing.
NOW = datetime(2024, 6, 4, 10, 30, 15, tzinfo=BEIJING)


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def bj(y: int, m: int, d: int, hh: int = 0, mi: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mi, ss, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, 0),
        (348872, 348872),
        (None, None),
        ("693.2万", 6_932_000),
        ("100万+", 1_000_000),
        ("1.2亿", 120_000_000),
        ("10万+", 100_000),
        ("1,234", 1234),
        ("12", 12),
        (" 3万 ", 30_000),
        ("0.5万", 5_000),
        ("1.23456万", 12_345),
    ],
)
def test_count(raw: int | str | None, expected: int | None) -> None:
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", ["", "abc", "-5", -5, True, 1.5, "1.2.3万", "万", "10千", "1e5"])
def test_unparseable_count(raw: object) -> None:
    with pytest.raises(PlatformError) as info:
        parse_count(raw)  # type: ignore[arg-type]
    assert info.value.kind is ErrorKind.PARSE


DATE_STYLES = [
    ("Sat Jan 16 20:07:31 +0800 2021", bj(2021, 1, 16, 20, 7, 31)),
    ("Sat Jan 16 12:07:31 +0000 2021", bj(2021, 1, 16, 20, 7, 31)),
    ("Tue Feb 23 12:28:47 +0800 2021", bj(2021, 2, 23, 12, 28, 47)),
    ("刚刚", NOW),
    ("30秒前", NOW - timedelta(seconds=30)),
    ("5分钟前", NOW - timedelta(minutes=5)),
    ("59分钟前", NOW - timedelta(minutes=59)),
    ("3小时前", NOW - timedelta(hours=3)),
    ("今天 08:05", bj(2024, 6, 4, 8, 5)),
    ("昨天 23:59", bj(2024, 6, 3, 23, 59)),
    ("昨天 8:00", bj(2024, 6, 3, 8, 0)),
    ("06-04", bj(2024, 6, 4)),
    ("01-02", bj(2024, 1, 2)),
    # Still ahead this year, so it is last year's.
    ("06-14", bj(2023, 6, 14)),
    ("12-31", bj(2023, 12, 31)),
    ("2019-06-14", bj(2019, 6, 14)),
    ("06月01日 18:20", bj(2024, 6, 1, 18, 20)),
    ("12月31日 23:00", bj(2023, 12, 31, 23, 0)),
    ("2024-06-03 18:20:05", bj(2024, 6, 3, 18, 20, 5)),
    ("2024-06-03 18:20", bj(2024, 6, 3, 18, 20)),
]


@pytest.mark.parametrize(("raw", "expected"), DATE_STYLES, ids=[raw for raw, _ in DATE_STYLES])
def test_created_at_styles(raw: str, expected: datetime) -> None:
    parsed = parse_created_at(raw, NOW)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(hours=8)


def test_relative_dates_use_the_beijing_day_of_now() -> None:
    # 20:00 UTC on the 3rd is already 04:00 on the 4th in Beijing.
    now = datetime(2024, 6, 3, 20, 0, tzinfo=UTC)
    assert parse_created_at("今天 01:00", now) == bj(2024, 6, 4, 1, 0)
    assert parse_created_at("昨天 23:00", now) == bj(2024, 6, 3, 23, 0)
    assert parse_created_at("06-04", now) == bj(2024, 6, 4)


def test_yesterday_across_new_year() -> None:
    assert parse_created_at("昨天 08:00", bj(2024, 1, 1, 9, 0)) == bj(2023, 12, 31, 8, 0)


def test_leap_day_without_year() -> None:
    assert parse_created_at("02-29", bj(2024, 3, 1)) == bj(2024, 2, 29)
    assert parse_created_at("02-29", bj(2025, 3, 1)) == bj(2024, 2, 29)


@pytest.mark.parametrize(
    "raw", ["", "明天 10:00", "13-45", "2024-13-01", "昨天 25:00", "abc", "06月31日 10:00", "Sat Jan 16 2021"]
)
def test_unrecognised_created_at(raw: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_created_at(raw, NOW)
    assert info.value.kind is ErrorKind.PARSE


def test_created_at_needs_an_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_created_at("刚刚", datetime(2024, 6, 4, 10, 30))


def test_profile_2019() -> None:
    body = load("profile_2019.json")
    assert parse_profile(body) == ProfileObs(
        uid="1669879400", name="Dear-迪丽热巴", followers=63357736, posts_total=1008, verified=True
    )
    assert parse_posts_containerid(body) == "1076031669879400"


def test_profile_2022_string_counts() -> None:
    body = load("profile_2022_string_counts.json")
    profile = parse_profile(body)
    assert (profile.uid, profile.followers, profile.posts_total, profile.verified) == (
        "6593199887",
        6_932_000,
        2805,
        True,
    )
    assert parse_posts_containerid(body) is None


def test_profile_falls_back_to_followers_count_str() -> None:
    body = {"ok": 1, "data": {"userInfo": {"id": 1, "screen_name": "x", "followers_count_str": "1.2万"}}}
    assert parse_profile(body).followers == 12_000


@pytest.mark.parametrize(
    ("name", "kind", "cooldown"),
    [
        ("ok0.json", ErrorKind.GONE, None),
        ("ok_minus100.json", ErrorKind.AUTH, COOLDOWN_S),
        ("captcha.json", ErrorKind.QUOTA, COOLDOWN_S),
    ],
)
def test_profile_failures(name: str, kind: ErrorKind, cooldown: int | None) -> None:
    with pytest.raises(PlatformError) as info:
        parse_profile(load(name))
    assert (info.value.kind, info.value.cooldown_s, info.value.retryable) == (kind, cooldown, False)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"data": {}}, "profile.ok: unexpected value None"),
        ({"ok": "1", "data": {}}, "profile.ok: expected integer, got str"),
        ({"ok": 1}, "profile.data: missing"),
        ({"ok": 1, "data": {"userInfo": []}}, "profile.data.userInfo: expected object, got list"),
        (
            {"ok": 1, "data": {"userInfo": {"id": 1, "screen_name": "x", "followers_count": 1.5}}},
            "unparseable count 1.5",
        ),
        (
            {"ok": 1, "data": {"userInfo": {"id": 1, "screen_name": 7}}},
            "screen_name: expected string, got int",
        ),
    ],
)
def test_profile_wrong_types(body: object, fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_profile(body)
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


def test_captcha_without_ok() -> None:
    with pytest.raises(PlatformError) as info:
        parse_posts_page({"url": "https://security.weibo.com/captcha"}, NOW)
    assert info.value.kind is ErrorKind.QUOTA


def test_posts_page_2019() -> None:
    posts, cursor = parse_posts_page(load("posts_2019_page.json"), NOW)
    assert cursor == "page=2"
    assert posts == [
        PostObs(
            post_id="4383183661430868",
            published_at=bj(2023, 6, 14),
            title="搬完这块砖，就可以吃好吃的了…",
            url="https://m.weibo.cn/detail/4383183661430868",
            pinned=False,
            original=True,
            shares=240492,
            comments=95535,
            likes=348872,
            text="搬完这块砖，就可以吃好吃的了…",
            text_coverage="full",
        )
    ]


def test_posts_page_since_id_with_pinned_post() -> None:
    page = parse_posts_page(load("posts_since_id_pinned.json"), NOW)
    assert page.next_cursor == "since_id=4414047003058832"
    [post] = page.posts
    assert (post.post_id, post.pinned, post.published_at) == (
        "4414052358656728",
        True,
        bj(2021, 2, 23, 12, 28, 47),
    )
    assert (post.shares, post.comments, post.likes) == (53, 56, 347)


def test_old_pinned_post_is_not_the_latest() -> None:
    posts, cursor = parse_posts_page(load("posts_pinned_old.json"), NOW)
    assert cursor == "since_id=5040000000000001"
    # The deleted post and the non-post card are gone; the wrapper's post is unwrapped in place.
    assert [(p.post_id, p.pinned) for p in posts] == [
        ("4414052358656728", True),
        ("5040000000000003", False),
        ("5040000000000002", False),
    ]
    _, newest, repost = posts
    assert (newest.shares, newest.comments, newest.likes) == (1234, 100_000, 6_932_000)
    assert newest.title == "防汛&救灾 通知"
    assert (repost.original, repost.comments, repost.likes) == (False, 1_000_000, 120_000_000)
    assert latest_post(posts) == newest


def test_pinned_post_that_is_the_newest_counts() -> None:
    posts, cursor = parse_posts_page(load("posts_pinned_newest.json"), NOW)
    assert cursor == "page=3"
    assert [(p.published_at, p.pinned) for p in posts] == [
        (bj(2024, 6, 3, 20, 30), True),
        (bj(2024, 6, 1), False),
        (bj(2023, 12, 30), False),
    ]
    assert latest_post(posts) == posts[0]


def _mblog(**extra: object) -> dict[str, object]:
    return {"created_at": "06-01", "id": "1", "text": "t"} | extra


@pytest.mark.parametrize(
    ("extra", "pinned"),
    [
        ({}, False),
        ({"isTop": 1}, True),
        ({"isTop": 0, "mblogtype": 0}, False),
        ({"mblogtype": 2}, True),
        ({"title": {"text": "置顶", "base_color": 1}}, True),
        ({"title": {"text": "热门"}}, False),
    ],
)
def test_each_pinned_signal(extra: dict[str, object], pinned: bool) -> None:
    body = {"ok": 1, "data": {"cardlistInfo": {}, "cards": [{"card_type": 9, "mblog": _mblog(**extra)}]}}
    [post] = parse_posts_page(body, NOW).posts
    assert post.pinned is pinned


def test_latest_post_edge_cases() -> None:
    at = bj(2024, 6, 3, 9, 0)
    ordinary = PostObs(post_id="a", published_at=at, title="a")
    pinned = PostObs(post_id="b", published_at=at, title="b", pinned=True)
    assert latest_post([]) is None
    assert latest_post([pinned, ordinary]) == ordinary
    assert latest_post([pinned]) == pinned


@pytest.mark.parametrize("name", ["ok0.json", "posts_empty_cards.json"])
def test_end_of_paging(name: str) -> None:
    assert parse_posts_page(load(name), NOW) == ([], None)


def test_missing_cards_end_paging() -> None:
    assert parse_posts_page({"ok": 1, "data": {"cardlistInfo": {"page": 9}}}, NOW) == ([], None)


def test_deleted_states_are_skipped() -> None:
    cards = [{"card_type": 9, "mblog": _mblog(id=str(i), state=s)} for i, s in enumerate([7, 8, 0])]
    assert [p.post_id for p in parse_posts_page({"ok": 1, "data": {"cards": cards}}, NOW).posts] == ["2"]


@pytest.mark.parametrize(
    ("name", "kind"), [("ok_minus100.json", ErrorKind.AUTH), ("captcha.json", ErrorKind.QUOTA)]
)
def test_posts_page_failures(name: str, kind: ErrorKind) -> None:
    with pytest.raises(PlatformError) as info:
        parse_posts_page(load(name), NOW)
    assert info.value.kind is kind
    assert "passport" not in info.value.message


@pytest.mark.parametrize(
    ("card", "fragment"),
    [
        ({"card_type": "9", "mblog": _mblog()}, "cards[0].card_type: expected integer, got str"),
        ({"card_type": 9}, "cards[0].mblog: missing"),
        ({"card_type": 11, "card_group": {}}, "cards[0].card_group: expected array, got dict"),
        (
            {"card_type": 11, "card_group": [{"card_type": 9, "mblog": _mblog(created_at="soon")}]},
            "created_at: unrecognised time",
        ),
        (
            {"card_type": 9, "mblog": _mblog(reposts_count=1.5)},
            "cards[0].mblog.reposts_count: unparseable count 1.5",
        ),
        ({"card_type": 9, "mblog": _mblog(title="置顶")}, "mblog.title: expected object, got str"),
        ({"card_type": 9, "mblog": _mblog(id=None)}, "cards[0].mblog: missing id"),
        ({"card_type": 9, "mblog": _mblog(id="")}, "cards[0].mblog.id: empty id"),
    ],
)
def test_posts_page_wrong_types(card: dict[str, object], fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_posts_page({"ok": 1, "data": {"cards": [card]}}, NOW)
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


@pytest.mark.parametrize(("status", "kind"), [(418, ErrorKind.QUOTA), (432, ErrorKind.AUTH)])
def test_block_statuses(status: int, kind: ErrorKind) -> None:
    with pytest.raises(PlatformError) as info:
        raise_for_http_status(status)
    assert (info.value.kind, info.value.code, info.value.cooldown_s) == (kind, str(status), COOLDOWN_S)


def test_ordinary_status_passes() -> None:
    raise_for_http_status(200)
