"""Weibo open API parsers on recorded payloads: users/show, user_timeline, error bodies."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.model import ProfileObs
from collectors.parse_weibo_api import parse_user_show, parse_user_timeline, raise_for_error

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "weibo_api"
CST = timezone(timedelta(hours=8))


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


ERROR_KINDS = {
    10006: (ErrorKind.PARSE, False),
    10022: (ErrorKind.QUOTA, False),
    10023: (ErrorKind.QUOTA, False),
    10024: (ErrorKind.QUOTA, False),
    21327: (ErrorKind.AUTH, False),
    21332: (ErrorKind.AUTH, False),
    10014: (ErrorKind.UNAUTHORIZED, False),
    20003: (ErrorKind.GONE, False),
    10001: (ErrorKind.NETWORK, True),
}


@pytest.mark.parametrize("body", load("error_bodies.json"), ids=lambda b: str(b["error_code"]))
def test_error_bodies_are_classified(body: dict[str, object]) -> None:
    code = int(str(body["error_code"]))
    kind, retryable = ERROR_KINDS[code]
    with pytest.raises(PlatformError) as info:
        raise_for_error(body)
    assert (info.value.kind, info.value.retryable, info.value.code) == (kind, retryable, str(code))
    assert info.value.message == f"error_code {code}: {body['error']}"


@pytest.mark.parametrize("parser", [parse_user_show, parse_user_timeline])
def test_parsers_raise_error_bodies(parser: object) -> None:
    assert callable(parser)
    with pytest.raises(PlatformError) as info:
        parser({"request": "/2/x.json", "error_code": "21327", "error": "expired_token"})
    assert info.value.kind is ErrorKind.AUTH


@pytest.mark.parametrize("code", [None, "10x", 1.5, True, ""])
def test_malformed_error_code(code: object) -> None:
    body = {"error_code": code, "error": "x"}
    if code is None:
        raise_for_error(body)
        return
    with pytest.raises(PlatformError) as info:
        raise_for_error(body)
    assert info.value.kind is ErrorKind.PARSE


def test_error_text_with_a_token_is_redacted() -> None:
    with pytest.raises(PlatformError) as info:
        raise_for_error({"error_code": "21332", "error": "invalid_access_token access_token=2.00abcSECRET"})
    assert "2.00abcSECRET" not in str(info.value)


def test_user_show_official_example() -> None:
    assert parse_user_show(load("users_show.json")) == ProfileObs(
        uid="1404376560", name="zaku", followers=1204, posts_total=2908, verified=False
    )


def test_user_show_prefers_idstr() -> None:
    body = {"id": 5000000000000000001, "idstr": "5000000000000000001", "screen_name": "x"}
    assert parse_user_show(body).uid == "5000000000000000001"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (
            {"id": 1, "screen_name": "x", "followers_count": "1204"},
            "followers_count: expected integer, got str",
        ),
        ({"screen_name": "x"}, "users/show: missing id"),
        ({"id": 1.5, "screen_name": "x"}, "users/show.id: expected id string or integer, got float"),
        ({"id": 1}, "users/show.screen_name: missing"),
        ({"id": 1, "screen_name": "x", "verified": "true"}, "verified: expected boolean, got str"),
    ],
)
def test_user_show_wrong_types(body: object, fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_user_show(body)
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


def test_user_timeline() -> None:
    first, repost = parse_user_timeline(load("user_timeline.json"))
    assert first.post_id == "11488058246"
    assert first.published_at == datetime(2011, 5, 31, 17, 46, 55, tzinfo=CST)
    assert first.published_at.isoformat() == "2011-05-31T17:46:55+08:00"
    assert first.title == "求关注。 链接 & 更多"
    assert first.url == "https://m.weibo.cn/detail/11488058246"
    assert (first.shares, first.comments, first.likes, first.original, first.pinned) == (
        8,
        9,
        12,
        True,
        False,
    )
    # No idstr on this one: the int64 id is turned into the string id.
    assert repost.post_id == "11470000000"
    assert repost.original is False
    assert (repost.shares, repost.comments, repost.likes) == (0, 1, 2)


def test_user_timeline_empty() -> None:
    assert parse_user_timeline({"statuses": [], "total_number": 0}) == []


@pytest.mark.parametrize(
    ("status", "fragment"),
    [
        (
            {"created_at": "2011-05-31 17:46:55", "id": 1},
            "created_at: unrecognised time '2011-05-31 17:46:55'",
        ),
        ({"created_at": "Tue Foo 31 17:46:55 +0800 2011", "id": 1}, "unrecognised time"),
        ({"created_at": "Tue Feb 31 17:46:55 +0800 2011", "id": 1}, "unrecognised time"),
        ({"id": 1}, "statuses[0].created_at: missing"),
        (
            {"created_at": "Tue May 31 17:46:55 +0800 2011", "id": 1, "reposts_count": "5"},
            "reposts_count: expected integer",
        ),
    ],
)
def test_user_timeline_wrong_types(status: dict[str, object], fragment: str) -> None:
    with pytest.raises(PlatformError) as info:
        parse_user_timeline({"statuses": [status]})
    assert info.value.kind is ErrorKind.PARSE
    assert fragment in info.value.message


def test_user_timeline_missing_statuses() -> None:
    with pytest.raises(PlatformError, match=r"user_timeline\.statuses: missing"):
        parse_user_timeline({"total_number": 0})
