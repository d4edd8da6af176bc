"""WeChat OA parsers on recorded payloads: token, datacube, freepublish, errcode bodies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.model import BEIJING, ArticleDayObs, MetricObs
from collectors.parse_wechat import (
    parse_article_summary,
    parse_article_total,
    parse_freepublish,
    parse_token,
    parse_user_cumulate,
    parse_user_summary,
    raise_for_errcode,
)

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "wechat"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


# errcode -> (kind, token_stale, retryable)
ERRCODES = {
    -1: (ErrorKind.NETWORK, False, True),
    40001: (ErrorKind.AUTH, True, False),
    40013: (ErrorKind.AUTH, False, False),
    40014: (ErrorKind.AUTH, True, False),
    40125: (ErrorKind.AUTH, False, False),
    40164: (ErrorKind.AUTH, False, False),
    42001: (ErrorKind.AUTH, True, False),
    45009: (ErrorKind.QUOTA, False, False),
    45011: (ErrorKind.QUOTA, False, False),
    48001: (ErrorKind.UNAUTHORIZED, False, False),
    48006: (ErrorKind.QUOTA, False, False),
    50002: (ErrorKind.GONE, False, False),
    61500: (ErrorKind.PARSE, False, False),
    61501: (ErrorKind.PARSE, False, False),
    53600: (ErrorKind.PARSE, False, False),
}
ERROR_BODIES = load("errcode_bodies.json")
assert isinstance(ERROR_BODIES, list)


def test_every_errcode_of_the_reference_is_recorded() -> None:
    assert {b["errcode"] for b in ERROR_BODIES} == set(ERRCODES)


@pytest.mark.parametrize("body", ERROR_BODIES, ids=lambda b: f"{b['errcode']}:{b['errmsg'][:20]}")
def test_errcode_body_is_classified(body: dict[str, object]) -> None:
    kind, stale, retryable = ERRCODES[int(str(body["errcode"]))]
    with pytest.raises(PlatformError) as info:
        raise_for_errcode(body)
    err = info.value
    assert (err.kind, err.token_stale, err.retryable) == (kind, stale, retryable)
    assert err.code == str(body["errcode"])
    assert err.message == f"errcode {body['errcode']}: {body['errmsg']}"


@pytest.mark.parametrize(
    "body",
    [load("errcode_bodies.json")[0] | {"errcode": 99999}, {"errcode": 99999}],
    ids=["unknown-code", "no-errmsg"],
)
def test_unknown_errcode_is_a_parse_error(body: object) -> None:
    with pytest.raises(PlatformError) as info:
        raise_for_errcode(body)
    assert info.value.kind is ErrorKind.PARSE
    assert info.value.code == "99999"


def test_minute_quota_suggests_a_cooldown() -> None:
    with pytest.raises(PlatformError) as info:
        raise_for_errcode({"errcode": 45011, "errmsg": "api minute-quota reach limit"})
    assert info.value.cooldown_s == 60


@pytest.mark.parametrize("body", load("ok_bodies.json"))
def test_success_bodies_pass(body: object) -> None:
    raise_for_errcode(body)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([], "body: expected object, got list"),
        ({"errcode": "40001", "errmsg": "x"}, "body.errcode: expected integer, got str"),
        ({"errcode": 40001, "errmsg": 5}, "body.errmsg: expected string, got int"),
    ],
)
def test_malformed_errcode_bodies(body: object, fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        raise_for_errcode(body)
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


def test_errmsg_with_a_token_is_redacted() -> None:
    body = {"errcode": 40001, "errmsg": "invalid credential, url /cgi-bin/x?access_token=SECRET123&x=1"}
    with pytest.raises(PlatformError) as info:
        raise_for_errcode(body)
    assert "SECRET123" not in info.value.message
    assert "SECRET123" not in str(info.value)
    assert "access_token=***" in info.value.message


def test_token() -> None:
    assert parse_token(load("token.json")) == ("ACCESS_TOKEN", 7200)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"errcode": 40013, "errmsg": "invalid appid"}, ErrorKind.AUTH),
        ({"errcode": 40164, "errmsg": "invalid ip 1.2.3.4"}, ErrorKind.AUTH),
        ({"expires_in": 7200}, ErrorKind.PARSE),
        ({"access_token": "", "expires_in": 7200}, ErrorKind.PARSE),
        ({"access_token": "T", "expires_in": "7200"}, ErrorKind.PARSE),
        ({"access_token": "T", "expires_in": 0}, ErrorKind.PARSE),
    ],
)
def test_token_failures(body: object, kind: ErrorKind) -> None:
    with pytest.raises(PlatformError) as info:
        parse_token(body)
    assert info.value.kind is kind


def test_article_total_wechatpy_fixture() -> None:
    [post] = parse_article_total(load("datacube_getarticletotal.json"))
    assert post.post_id == "23423525"
    assert post.title == "test"
    assert post.published_at == datetime(2014, 12, 8, tzinfo=BEIJING)
    assert (post.reads, post.shares, post.favorites) == (25615, 994, 3)
    assert (post.url, post.pinned, post.likes, post.zaikan, post.comments) == (None, False, None, None, None)


def test_article_total_real_item() -> None:
    [post] = parse_article_total(load("getarticletotal_full.json"))
    assert post.post_id == "2247485082_1"
    assert post.title == "群发"
    assert post.published_at.isoformat() == "2022-08-19T00:00:00+08:00"
    assert (post.reads, post.shares, post.favorites) == (0, 0, 0)


def _total_row(msgid: str, details: list[tuple[str, int]]) -> dict[str, object]:
    return {
        "ref_date": "2024-06-01",
        "msgid": msgid,
        "title": msgid,
        "details": [
            {
                "stat_date": day,
                "int_page_read_count": reads,
                "share_count": reads // 10,
                "add_to_fav_count": 1,
            }
            for day, reads in details
        ],
    }


def test_article_total_takes_the_latest_details_entry_and_one_post_per_msgid() -> None:
    body = {
        "list": [
            _total_row("100_1", [("2024-06-03", 300), ("2024-06-01", 100), ("2024-06-02", 200)]),
            _total_row("100_2", []),
            _total_row("100_1", [("2024-06-04", 400)]),
            _total_row("100_1", [("2024-06-02", 200)]),
        ]
    }
    posts = {p.post_id: p for p in parse_article_total(body)}
    assert len(posts) == 2
    assert (posts["100_1"].reads, posts["100_1"].shares) == (400, 40)
    # No statistics yet: the post is known, its figures are not.
    assert (posts["100_2"].reads, posts["100_2"].shares, posts["100_2"].favorites) == (None, None, None)


def test_article_total_send_date_in_the_given_zone() -> None:
    [post] = parse_article_total(load("datacube_getarticletotal.json"), UTC)
    assert post.published_at == datetime(2014, 12, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "parser", [parse_article_total, parse_article_summary, parse_user_cumulate, parse_user_summary]
)
def test_empty_datacube_lists(parser: object) -> None:
    assert callable(parser)
    assert parser(load("datacube_empty.json")) == []


def test_article_summary() -> None:
    assert parse_article_summary(load("datacube_getarticlesummary.json")) == [
        ArticleDayObs(
            day=date(2014, 12, 8),
            post_id="10000050_1",
            title="12月27日 DiLi日报",
            reads=25615,
            read_users=23676,
            shares=994,
            favorites=3,
        )
    ]


def test_user_cumulate() -> None:
    assert parse_user_cumulate(load("datacube_getusercumulate.json")) == [
        MetricObs(day=date(2014, 12, 7), followers=1217056)
    ]
    assert parse_user_cumulate(load("getusercumulate_user_source.json")) == [
        MetricObs(day=date(2023, 4, 20), followers=11)
    ]


def test_user_summary_fixture() -> None:
    assert parse_user_summary(load("datacube_getusersummary.json")) == [
        MetricObs(day=date(2014, 12, 7), new_followers=0, lost_followers=0)
    ]


def test_user_summary_sums_sources_per_day() -> None:
    body = {
        "list": [
            {"ref_date": "2024-06-02", "user_source": 0, "new_user": 3, "cancel_user": 1},
            {"ref_date": "2024-06-01", "user_source": 30, "new_user": 5, "cancel_user": 0},
            {"ref_date": "2024-06-02", "user_source": 1, "new_user": 2, "cancel_user": 4},
            {"ref_date": "2024-06-02", "user_source": 30, "new_user": 1, "cancel_user": 0},
        ]
    }
    assert parse_user_summary(body) == [
        MetricObs(day=date(2024, 6, 1), new_followers=5, lost_followers=0),
        MetricObs(day=date(2024, 6, 2), new_followers=6, lost_followers=5),
    ]


def test_freepublish_sample() -> None:
    posts, total = parse_freepublish(load("freepublish_batchget.json"))
    assert total == 37
    [post] = posts
    assert post.post_id == "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4_1"
    assert post.title == "关于开展2024年防汛演练的通知"
    assert post.published_at == datetime(2024, 5, 20, 13, 20, tzinfo=BEIJING)
    assert post.published_at.utcoffset() == timedelta(hours=8)
    assert post.url == "http://mp.weixin.qq.com/s?__biz=…&mid=2247483650&idx=1&sn=…"


def test_freepublish_skips_deleted_and_keeps_positional_ids() -> None:
    body = {
        "total_count": 2,
        "item_count": 2,
        "item": [
            {
                "article_id": "A",
                "update_time": 1716182400,
                "content": {
                    "news_item": [
                        {"title": "one", "url": "http://u/1", "is_deleted": True},
                        {"title": "two", "url": "", "is_deleted": False},
                        {"title": "three", "url": "http://u/3"},
                    ]
                },
            },
            {"article_id": "B", "update_time": 1716000000, "content": {"news_item": []}},
        ],
    }
    posts, total = parse_freepublish(body)
    assert total == 2
    assert [(p.post_id, p.title, p.url) for p in posts] == [
        ("A_2", "two", None),
        ("A_3", "three", "http://u/3"),
    ]


def test_freepublish_empty_account() -> None:
    assert parse_freepublish({"total_count": 0, "item_count": 0}) == ([], 0)
    assert parse_freepublish({"total_count": 0, "item_count": 0, "item": []}) == ([], 0)


WRONG_TYPES = [
    (parse_article_total, {"list": {}}, "getarticletotal.list: expected array, got dict"),
    (parse_article_total, {}, "getarticletotal.list: missing"),
    (parse_article_total, {"list": [7]}, "getarticletotal.list[0]: expected object, got int"),
    (
        parse_article_total,
        {"list": [{"msgid": "1_1", "title": "t", "details": []}]},
        "list[0].ref_date: missing",
    ),
    (
        parse_article_total,
        {"list": [{"ref_date": "20220819", "msgid": "1_1", "title": "t", "details": []}]},
        "list[0].ref_date: expected YYYY-MM-DD, got '20220819'",
    ),
    (
        parse_article_total,
        {"list": [{"ref_date": "2022-02-30", "msgid": "1_1", "title": "t", "details": []}]},
        "expected YYYY-MM-DD",
    ),
    (
        parse_article_total,
        {"list": [{"ref_date": "2022-08-19", "msgid": 2247485082, "title": "t", "details": []}]},
        "list[0].msgid: expected string, got int",
    ),
    (
        parse_article_total,
        {"list": [{"ref_date": "2022-08-19", "msgid": "1_1", "title": "t"}]},
        "getarticletotal.list[0].details: missing",
    ),
    (
        parse_article_total,
        {
            "list": [
                {
                    "ref_date": "2022-08-19",
                    "msgid": "1_1",
                    "title": "t",
                    "details": [
                        {
                            "stat_date": "2022-08-19",
                            "int_page_read_count": "12",
                            "share_count": 0,
                            "add_to_fav_count": 0,
                        }
                    ],
                }
            ]
        },
        "details[0].int_page_read_count: expected integer, got str",
    ),
    (
        parse_article_total,
        {
            "list": [
                {
                    "ref_date": "2022-08-19",
                    "msgid": "1_1",
                    "title": "t",
                    "details": [{"stat_date": "2022-08-19", "int_page_read_count": True}],
                }
            ]
        },
        "int_page_read_count: expected integer, got bool",
    ),
    (
        parse_user_cumulate,
        {"list": [{"ref_date": "2014-12-07", "cumulate_user": None}]},
        "cumulate_user: expected integer, got null",
    ),
    (
        parse_user_summary,
        {"list": [{"ref_date": "2014-12-07", "new_user": 1}]},
        "list[0].cancel_user: missing",
    ),
    (
        parse_article_summary,
        {"list": [{"ref_date": "2014-12-08", "msgid": "1_1", "title": None}]},
        "title: expected string, got null",
    ),
    (parse_freepublish, {"item": []}, "freepublish.total_count: missing"),
    (
        parse_freepublish,
        # A numeric string is accepted (platform-apis-2.md §4); anything else is not.
        {"total_count": 1, "item": [{"article_id": "A", "update_time": "yesterday", "content": {"news_item": []}}]},
        "update_time: expected unix seconds",
    ),
    (
        parse_freepublish,
        {"total_count": 1, "item": [{"article_id": "A", "update_time": 1}]},
        "item[0].content: missing",
    ),
    (
        parse_freepublish,
        {
            "total_count": 1,
            "item": [
                {
                    "article_id": "A",
                    "update_time": 1,
                    "content": {"news_item": [{"title": "t", "is_deleted": 0}]},
                }
            ],
        },
        "news_item[0].is_deleted: expected boolean, got int",
    ),
    (
        parse_freepublish,
        {
            "total_count": 1,
            "item": [{"article_id": "A", "update_time": 10**20, "content": {"news_item": []}}],
        },
        "item[0].update_time: out of range",
    ),
    (parse_freepublish, "not json object", "body: expected object, got str"),
]


@pytest.mark.parametrize(("parser", "body", "fragment"), WRONG_TYPES)
def test_wrong_field_types_are_parse_errors(parser: object, body: object, fragment: str) -> None:
    assert callable(parser)
    with pytest.raises(PlatformError) as info:
        parser(body)
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


def test_datacube_error_body_is_raised_before_parsing() -> None:
    with pytest.raises(PlatformError) as info:
        parse_user_cumulate({"errcode": 61501, "errmsg": "date range error rid: x"})
    assert info.value.kind is ErrorKind.PARSE
    assert info.value.code == "61501"
    with pytest.raises(PlatformError) as info:
        parse_article_total({"errcode": 48001, "errmsg": "api unauthorized"})
    assert info.value.kind is ErrorKind.UNAUTHORIZED
