"""The sandbox's current WeChat statistics, comment/list and Weibo comment threads, and a contract test:
its answers have the shapes of the recorded payloads (tests/fixtures/payloads, platform-apis-2.md)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.comments import SLOW_RESPONDERS, threads
from sandbox.county import TZ, County

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)
YESTERDAY = date(2026, 11, 25)
PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
TokenFetcher = Callable[[httpx.AsyncClient, str], Awaitable[str]]


@pytest.fixture
def clock() -> Callable[[], datetime]:
    """The conftest's app, built after 2025-11-01 (the new statistics start there)."""
    return lambda: NOW


def recorded(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text("utf-8"))


def conforms(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Differences in shape: every key of the recorded payload present with the same JSON type."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: object expected"]
        return [d for k, v in expected.items()
                for d in ([f"{where}.{k}: missing"] if k not in actual else conforms(v, actual[k], f"{where}.{k}"))]
    if isinstance(expected, list):
        if expected is not None and actual is False:
            return []  # a reply preview is a list or false
        if not isinstance(actual, list):
            return [f"{where}: array expected"]
        return conforms(expected[0], actual[0], f"{where}[0]") if expected and actual else []
    if expected is False and isinstance(actual, list):
        return []
    if isinstance(expected, bool):
        return [] if isinstance(actual, bool) else [f"{where}: boolean expected"]
    if isinstance(expected, float):
        return [] if isinstance(actual, int | float) and not isinstance(actual, bool) else [f"{where}: number expected"]
    if isinstance(expected, int):
        return [] if isinstance(actual, int) and not isinstance(actual, bool) else [f"{where}: integer expected"]
    if isinstance(expected, str):
        return [] if isinstance(actual, str) else [f"{where}: string expected"]
    return []


async def cube(client: httpx.AsyncClient, token: str, name: str, day: date, end: date | None = None) -> Any:
    response = await client.post(f"/datacube/{name}", params={"access_token": token},
                                 json={"begin_date": day.isoformat(), "end_date": (end or day).isoformat()})
    return response.json()


async def comments(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> Any:
    return (await client.post("/cgi-bin/comment/list", params={"access_token": token}, json=body)).json()


def busy_day(county: County, uid: str) -> date:
    account = county.account(uid)
    assert account is not None
    return next(p.day for p in account.posts if p.mass_sent and p.day <= YESTERDAY - timedelta(days=5))


async def test_total_detail_and_biz_summary_rules(client: httpx.AsyncClient, wechat_token: TokenFetcher,
                                                  county: County) -> None:
    token = await wechat_token(client, "county_wx")
    day = busy_day(county, "gh_d29d035cc6d5")
    body = await cube(client, token, "getarticletotaldetail", day)
    assert body["is_delay"] is False and body["list"]
    assert not conforms(recorded("wechat/getarticletotaldetail.json"), body)
    rows = body["list"][0]["detail_list"]
    assert [r["stat_date"] for r in rows] == [(day + timedelta(days=k)).isoformat() for k in range(len(rows))]
    assert all(a["read_user"] <= b["read_user"] for a, b in itertools.pairwise(rows))  # cumulative
    assert {r["publish_type"] for r in body["list"]} <= {0, 1}
    assert (await cube(client, token, "getarticletotaldetail", YESTERDAY))["is_delay"] is True
    biz = await cube(client, token, "getbizsummary", day)
    assert not conforms(recorded("wechat/getbizsummary.json"), biz)
    assert biz["list"][0]["detail"]["send_page_count"] == len(body["list"])
    for begin, end in ((date(2025, 10, 31), None), (day - timedelta(days=1), day), (NOW.date(), None)):
        assert (await cube(client, token, "getarticletotaldetail", begin, end))["errcode"] == 61501


async def test_comment_list_answers_88000_88001_88010(client: httpx.AsyncClient, wechat_token: TokenFetcher,
                                                      county: County) -> None:
    flagship = county.account("gh_d29d035cc6d5")
    assert flagship is not None
    token = await wechat_token(client, "county_wx")
    post = next(p for p in flagship.posts if p.mass_sent and len(threads(county.seed, flagship, p, NOW)) >= 2)
    page = await comments(client, token, {"msg_data_id": post.msg_data_id, "index": post.index - 1, "begin": 0,
                                          "count": 49, "type": 0})
    assert page["total"] == len(threads(county.seed, flagship, post, NOW))
    answered = next(c for c in page["comment"] if "reply" in c)
    assert not conforms(recorded("wechat/comment_list.json"), {**page, "comment": [answered]})
    free = next(p for p in flagship.posts if not p.mass_sent)
    missing = await comments(client, token, {"msg_data_id": free.msg_data_id, "index": 0, "begin": 0, "count": 10,
                                             "type": 0})
    assert missing["errcode"] == 88001 and missing["total"] == 0 and missing["comment"] == []
    assert (await comments(client, token, {"msg_data_id": post.msg_data_id, "begin": 0, "count": 50,
                                           "type": 0}))["errcode"] == 88010
    agri = await wechat_token(client, "d07_wx")  # 互动渠道 无
    closed = await comments(client, agri, {"msg_data_id": 1, "begin": 0, "count": 10, "type": 0})
    assert closed["errcode"] == 88000 and not conforms(recorded("wechat/comment_list_88000.json"), closed)


def test_only_the_documented_accounts_leave_comments_unanswered(county: County) -> None:
    late = NOW - timedelta(days=1)
    waiting = set()
    for account in county.accounts:
        for post in account.posts[:40]:
            if any(t.answer() is None and t.at < late for t in threads(county.seed, account, post, NOW)):
                waiting.add(account.uid)
    assert waiting == set(SLOW_RESPONDERS)


async def test_hotflow_needs_the_cookie_and_shows_author_answers(client: httpx.AsyncClient, county: County) -> None:
    health = county.account("5875436040")
    assert health is not None
    post = next(p for p in health.posts if len(threads(county.seed, health, p, NOW)) >= 1
                and p.published_at < NOW - timedelta(days=5))
    params = {"id": post.id, "mid": post.id, "max_id_type": 0}
    anonymous = await client.get("/comments/hotflow", params=params)
    with pytest.raises(ValueError):
        anonymous.json()
    cookies = {"Cookie": f"SUB={county.weibo_cookie}"}
    body = (await client.get("/comments/hotflow", params=params, headers=cookies)).json()
    assert body["ok"] == 1 and not conforms(recorded("weibo_mobile/hotflow.json"), body)
    top = body["data"]["data"]
    assert any(c["comments"] is False or isinstance(c["comments"], list) for c in top)
    hidden = [c for c in top if c["total_number"] > len(c["comments"] or [])]
    for comment in hidden[:3]:
        child = (await client.get("/comments/hotFlowChild", params={"cid": comment["id"], "max_id": 0,
                                                                   "max_id_type": 0}, headers=cookies)).json()
        assert not conforms(recorded("weibo_mobile/hotflow_child.json"), child)
        assert any(r["user"]["id"] == int(health.uid) for r in child["data"])


async def test_open_api_comments_show_has_reply_comment(client: httpx.AsyncClient, county: County) -> None:
    flagship = county.account("5718301790")
    assert flagship is not None
    post = next(p for p in flagship.posts if len(threads(county.seed, flagship, p, NOW)) >= 1
                and p.published_at < NOW - timedelta(days=5))
    body = (await client.get("/2/comments/show.json", params={"access_token": flagship.access_token, "id": post.id,
                                                               "count": 50})).json()
    answers = [c for c in body["comments"] if "reply_comment" in c and c["user"]["id"] == int(flagship.uid)]
    assert answers and not conforms(recorded("weibo_api/comments_show.json"), {**body, "comments": answers})
