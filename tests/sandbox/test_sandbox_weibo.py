"""Weibo: the open API (string error codes, rate limits) and m.weibo.cn (string counts, dates, pinned, paging)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from sandbox.county import TZ, County
from sandbox.runtime import Limits
from sandbox.weibo_mobile import legacy_time, wan

FLAGSHIP = "5718301790"
GONE = "5158275984"
RFC = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} \+0800 \d{4}")
LEGACY = re.compile(r"刚刚|\d+分钟前|\d+小时前|昨天 \d{2}:\d{2}|\d{2}-\d{2}|\d{4}-\d{2}-\d{2}")


async def _index(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/container/getIndex", params=params)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


# --- open API ----------------------------------------------------------------------------------


async def test_user_timeline_for_the_authorising_account(
    client: httpx.AsyncClient, county: County, secrets: dict[str, dict[str, str]]
) -> None:
    token = secrets["county_wb"]["access_token"]
    body = (await client.get("/2/statuses/user_timeline.json", params={"access_token": token, "count": 5})).json()
    statuses = body["statuses"]
    assert len(statuses) == 5
    ids = [s["id"] for s in statuses]
    assert all(isinstance(i, int) for i in ids) and ids == sorted(ids, reverse=True)
    assert all(RFC.fullmatch(s["created_at"]) for s in statuses)
    assert statuses[0]["idstr"] == str(ids[0]) and statuses[0]["user"]["id"] == int(FLAGSHIP)
    newer = (await client.get("/2/statuses/user_timeline.json",
                              params={"access_token": token, "since_id": ids[2]})).json()
    assert [s["id"] for s in newer["statuses"]] == ids[:2]
    page2 = (await client.get("/2/statuses/user_timeline.json",
                              params={"access_token": token, "count": 5, "page": 2})).json()
    assert page2["statuses"][0]["id"] < ids[-1]


async def test_open_api_errors_have_string_codes(
    client: httpx.AsyncClient, secrets: dict[str, dict[str, str]]
) -> None:
    token = secrets["county_wb"]["access_token"]
    bad = await client.get("/2/statuses/user_timeline.json", params={"access_token": "2.00nope"})
    assert bad.status_code == 400
    assert bad.json() == {"request": "/2/statuses/user_timeline.json", "error_code": "21327", "error": "expired_token"}
    missing = await client.get("/2/users/show.json", params={"uid": FLAGSHIP})
    assert missing.json()["error_code"] == "21301"
    other = await client.get("/2/statuses/user_timeline.json", params={"access_token": token, "uid": "5351783912"})
    assert other.json()["error_code"] == "21335"  # only the authorising user's own timeline
    gone = await client.get("/2/users/show.json", params={"access_token": token, "uid": GONE})
    assert gone.json()["error_code"] == "20003"


async def test_users_show(client: httpx.AsyncClient, county: County, secrets: dict[str, dict[str, str]]) -> None:
    token = secrets["county_wb"]["access_token"]
    user = (await client.get("/2/users/show.json", params={"access_token": token, "uid": FLAGSHIP})).json()
    assert user["id"] == int(FLAGSHIP) and user["idstr"] == FLAGSHIP
    assert isinstance(user["followers_count"], int) and "status" in user
    assert not (await client.get("/2/users/show.json", params={"access_token": token, "screen_name": "滹沱公安"})
                ).json().get("error_code")


async def test_open_api_rate_limits(make_client: Callable[..., httpx.AsyncClient],
                                    secrets: dict[str, dict[str, str]]) -> None:
    token = secrets["county_wb"]["access_token"]
    limits = Limits(weibo_ip_hourly=100, weibo_user_hourly=4, weibo_user_endpoint_hourly=2)
    async with make_client(limits=limits) as client:
        codes = []
        for path in ("statuses/user_timeline", "statuses/user_timeline", "statuses/user_timeline",
                     "users/show", "users/show"):
            response = await client.get(f"/2/{path}.json", params={"access_token": token, "uid": FLAGSHIP})
            codes.append((response.status_code, response.json().get("error_code")))
    assert codes == [(200, None), (200, None), (403, "10024"), (200, None), (403, "10023")]
    async with make_client(limits=Limits(weibo_ip_hourly=1)) as client:
        await client.get("/2/users/show.json", params={"access_token": token, "uid": FLAGSHIP})
        over = await client.get("/2/users/show.json", params={"access_token": token, "uid": FLAGSHIP})
        assert over.json()["error_code"] == "10022"


# --- m.weibo.cn ---------------------------------------------------------------------------------


async def test_profile_by_uid_and_containerid(client: httpx.AsyncClient) -> None:
    by_uid = await _index(client, type="uid", value=FLAGSHIP)
    by_container = await _index(client, containerid=f"100505{FLAGSHIP}")
    assert by_uid == by_container
    info = by_uid["data"]["userInfo"]
    assert by_uid["ok"] == 1 and info["id"] == int(FLAGSHIP)
    assert isinstance(info["followers_count"], str) and info["followers_count"].endswith("万")
    assert info["followers_count_str"] == info["followers_count"]
    assert isinstance(info["follow_count"], int)
    tabs = by_uid["data"]["tabsInfo"]["tabs"]
    assert next(t for t in tabs if t["tab_type"] == "weibo")["containerid"] == f"107603{FLAGSHIP}"


async def test_small_accounts_keep_integer_followers(client: httpx.AsyncClient, county: County) -> None:
    small = next(a for a in county.accounts if a.persona == "drifting_weibo")
    info = (await _index(client, type="uid", value=small.uid))["data"]["userInfo"]
    assert isinstance(info["followers_count"], int) and "followers_count_str" not in info


def test_wan_formatting() -> None:
    assert wan(6_932_000) == "693.2万"
    assert wan(9_999) == 9_999
    assert wan(100_000) == "10万"
    assert wan(123_000_000) == "1.2亿"


async def test_deleted_account_answers_ok_0(client: httpx.AsyncClient) -> None:
    assert await _index(client, type="uid", value=GONE) == {"ok": 0, "msg": "这里还没有内容"}
    assert await _index(client, containerid=f"107603{GONE}") == {"ok": 0, "msg": "这里还没有内容"}


async def test_pinned_old_post_comes_first_with_string_counts(client: httpx.AsyncClient) -> None:
    page1 = await _index(client, containerid=f"107603{FLAGSHIP}")
    cards = page1["data"]["cards"]
    top, second = cards[0]["mblog"], cards[1]["mblog"]
    assert top["isTop"] == 1 and top["mblogtype"] == 2 and top["title"]["text"] == "置顶"
    assert "isTop" not in second and second["mblogtype"] == 0
    top_at, second_at = (datetime.strptime(m["created_at"], "%a %b %d %H:%M:%S %z %Y") for m in (top, second))
    assert top_at < second_at - timedelta(days=30)  # the pinned post is old
    assert top["attitudes_count"] == "100万+"
    assert top["number_display_strategy"]["display_text"] == "100万+"
    assert isinstance(top["id"], str) and isinstance(top["user"]["id"], int)
    assert page1["data"]["cardlistInfo"]["page"] == 2
    page2 = await _index(client, containerid=f"107603{FLAGSHIP}", page=2)
    assert all(c["mblog"].get("isTop") is None for c in page2["data"]["cards"])


async def test_created_at_styles(client: httpx.AsyncClient, county: County) -> None:
    (legacy,) = county.legacy_date_uids
    old_style = await _index(client, containerid=f"230413{legacy}", count=25)
    dates = [c["mblog"]["created_at"] for c in old_style["data"]["cards"]]
    assert dates and all(LEGACY.fullmatch(d) for d in dates)
    assert any(re.fullmatch(r"\d{2}-\d{2}", d) for d in dates)
    modern = await _index(client, containerid=f"230413{FLAGSHIP}")
    assert all(RFC.fullmatch(c["mblog"]["created_at"]) for c in modern["data"]["cards"])


def test_legacy_time_forms() -> None:
    now = datetime(2025, 6, 18, 10, 30, tzinfo=TZ)
    assert legacy_time(now - timedelta(seconds=20), now) == "刚刚"
    assert legacy_time(now - timedelta(minutes=5), now) == "5分钟前"
    assert legacy_time(now - timedelta(hours=3), now) == "3小时前"
    assert legacy_time(datetime(2025, 6, 17, 21, 5, tzinfo=TZ), now) == "昨天 21:05"
    assert legacy_time(datetime(2025, 3, 2, 9, 0, tzinfo=TZ), now) == "03-02"
    assert legacy_time(datetime(2024, 12, 30, 9, 0, tzinfo=TZ), now) == "2024-12-30"


async def test_since_id_paging_ends(client: httpx.AsyncClient, county: County) -> None:
    account = next(a for a in county.accounts if a.persona == "drifting_weibo")
    container = f"230413{account.uid}"
    seen: list[str] = []
    params: dict[str, Any] = {"containerid": container, "count": 25}
    while True:
        body = await _index(client, **params)
        assert body["ok"] == 1
        seen += [c["mblog"]["id"] for c in body["data"]["cards"] if not c["mblog"].get("isTop")]
        since_id = body["data"]["cardlistInfo"].get("since_id")
        if since_id is None:
            break
        params["since_id"] = since_id
    assert seen == [p.id for p in account.posts if not p.pinned]
    past = await _index(client, containerid=container, since_id=1)
    assert past["ok"] == 1 and past["data"]["cards"] == []


async def test_page_paging_ends_with_ok_0(client: httpx.AsyncClient, county: County) -> None:
    account = next(a for a in county.accounts if a.persona == "drifting_weibo")
    pages = -(-sum(not p.pinned for p in account.posts) // 10)
    last = await _index(client, containerid=f"107603{account.uid}", page=pages)
    assert last["data"]["cards"] and "page" not in last["data"]["cardlistInfo"]
    assert await _index(client, containerid=f"107603{account.uid}", page=pages + 1) == {
        "ok": 0, "msg": "这里还没有内容"}


async def test_long_posts_fold_and_extend(client: httpx.AsyncClient, county: County) -> None:
    flagship = county.account(FLAGSHIP)
    assert flagship is not None
    long_post = next(p for p in flagship.posts if len(p.text) > 140)
    body = (await client.get("/statuses/extend", params={"id": long_post.id})).json()
    assert body["ok"] == 1 and body["data"]["longTextContent"] == long_post.text


# --- user search (platform-apis-2.md §5.1) -----------------------------------------------------


async def test_user_search_answers_like_m_weibo_cn(client: httpx.AsyncClient) -> None:
    from collectors.parse_weibo_search import choose, parse_user_search, search_containerid
    from sandbox.weibo_mobile import AMBIGUOUS_NAME

    body = await _index(client, containerid=search_containerid("滹沱发布"), page_type="searchall")
    assert body["ok"] == 1 and body["data"]["cards"][0]["card_group"][0]["card_type"] == 42  # the header card
    users = parse_user_search(body)
    assert [u.screen_name for u in users] == ["滹沱发布", "滹沱发布粉丝团"]  # similar names come back too
    assert choose(users, "滹沱发布", "滹沱县人民政府").chosen.uid == FLAGSHIP  # type: ignore[union-attr]
    twins = parse_user_search(await _index(client, containerid=search_containerid(AMBIGUOUS_NAME)))
    assert choose(twins, AMBIGUOUS_NAME, "滹沱县卫生健康局").chosen is None
    assert parse_user_search(await _index(client, containerid=search_containerid("滹沱交通"))) == []  # deleted
    assert parse_user_search(await _index(client, containerid=search_containerid("不存在的账号"))) == []
