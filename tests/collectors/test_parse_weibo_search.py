"""The m.weibo.cn user search parser and the choice of an unambiguous match (platform-apis-2.md §5.1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.errors import ErrorKind, PlatformError
from collectors.parse_weibo_search import UserCandidate, choose, parse_user_search, search_containerid

PAYLOADS = Path(__file__).parent.parent / "fixtures" / "payloads" / "weibo_mobile"


def _load(name: str) -> object:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def test_users_in_every_card_group_with_verification_and_counts() -> None:
    users = parse_user_search(_load("user_search.json"))
    assert [(u.uid, u.screen_name, u.government, u.followers) for u in users] == [
        ("1234567890", "某县发布", True, 123_000), ("2234567890", "某县发布小助手", False, 35)]
    assert users[0].verified_reason == "某县人民政府新闻办公室官方微博"


def test_nothing_found_and_login_required() -> None:
    assert parse_user_search(_load("ok0.json")) == []
    with pytest.raises(PlatformError) as exc:
        parse_user_search(_load("ok_minus100.json"))
    assert exc.value.kind is ErrorKind.AUTH


def test_choose_needs_exact_name_and_a_verification_naming_the_unit() -> None:
    users = parse_user_search(_load("user_search.json"))
    assert choose(users, "某县发布", "某县人民政府新闻办公室").chosen == users[0]
    assert choose(users, "某县发布", "某县公安局").chosen is None  # verified, but for another unit
    assert choose(users, "某县", "某县人民政府").reason_zh == "微博搜索没有同名账号"
    twin = UserCandidate("3", "某县发布", True, 1, "某县人民政府新闻办公室旧账号", None)
    ambiguous = choose([*users, twin], "某县发布", "某县人民政府新闻办公室")
    assert ambiguous.chosen is None and "2个" in ambiguous.reason_zh


def test_search_container_id() -> None:
    assert search_containerid("某县发布") == "100103type=3&q=某县发布"
