"""WeCom: tokens, app messages (invalid users, 81013, per-member drops, byte limits) and group robots."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from sandbox.county import County
from sandbox.runtime import Limits

USER = "hutuo_ca78f0"


async def _token(client: httpx.AsyncClient, county: County) -> str:
    wecom = county.wecom
    body = (await client.get("/wecom/cgi-bin/gettoken",
                             params={"corpid": wecom.corp_id, "corpsecret": wecom.corp_secret})).json()
    token: str = body["access_token"]
    return token


async def _send(client: httpx.AsyncClient, token: str, county: County, touser: str = USER,
                msgtype: str = "text", part: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"touser": touser, "msgtype": msgtype, "agentid": county.wecom.agent_id,
            msgtype: part if part is not None else {"content": "【账号预警】西河乡讯已 12 天未发文"}}
    response = await client.post("/wecom/cgi-bin/message/send", params={"access_token": token}, json=body)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


async def _robot(client: httpx.AsyncClient, key: str, msgtype: str = "text", content: str = "测试") -> dict[str, Any]:
    response = await client.post("/wecom/cgi-bin/webhook/send", params={"key": key},
                                 json={"msgtype": msgtype, msgtype: {"content": content}})
    result: dict[str, Any] = response.json()
    return result


async def _messages(client: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await client.get("/_sandbox/messages", params=params)).json()
    return result


async def test_gettoken(client: httpx.AsyncClient, county: County) -> None:
    wecom = county.wecom
    response = await client.get("/wecom/cgi-bin/gettoken",
                                params={"corpid": wecom.corp_id, "corpsecret": wecom.corp_secret})
    body = response.json()
    assert body["errcode"] == 0 and body["errmsg"] == "ok" and body["expires_in"] == 7200
    assert await _token(client, county) == body["access_token"]  # the same token while valid
    bad = (await client.get("/wecom/cgi-bin/gettoken", params={"corpid": wecom.corp_id, "corpsecret": "x"})).json()
    assert bad["errcode"] == 40001 and "more info at https://open.work.weixin.qq.com/devtool/query?e=40001" in bad["errmsg"]
    assert (await client.get("/wecom/cgi-bin/gettoken", params={"corpid": "ww0", "corpsecret": "x"})).json()[
        "errcode"] == 40013


async def test_expired_and_unknown_tokens(client: httpx.AsyncClient, county: County, clock: Any) -> None:
    assert (await _send(client, "nope", county))["errcode"] == 40014
    token = await _token(client, county)
    clock.advance(seconds=7201)
    assert (await _send(client, token, county))["errcode"] == 42001


async def test_partly_invalid_recipients_are_listed_the_rest_delivered(client: httpx.AsyncClient,
                                                                      county: County) -> None:
    token = await _token(client, county)
    result = await _send(client, token, county, touser=f"{USER.upper()}|Ghost_User|hutuo_41e78c")
    assert result["errcode"] == 0 and result["invaliduser"] == "ghost_user"
    delivered = await _messages(client, status="delivered")
    assert sorted(m["to"] for m in delivered) == ["hutuo_41e78c", USER]
    assert (await _messages(client, status="invalid"))[0]["to"] == "ghost_user"


async def test_all_invalid_is_81013(client: httpx.AsyncClient, county: County) -> None:
    token = await _token(client, county)
    result = await _send(client, token, county, touser="nobody|NoOne")
    assert result["errcode"] == 81013 and result["invaliduser"] == "nobody|noone"
    assert [m["status"] for m in await _messages(client)] == ["invalid", "invalid"]


async def test_party_one_reaches_everyone(client: httpx.AsyncClient, county: County) -> None:
    token = await _token(client, county)
    body = {"toparty": "1|99", "msgtype": "text", "agentid": county.wecom.agent_id, "text": {"content": "通知"}}
    result = (await client.post("/wecom/cgi-bin/message/send", params={"access_token": token}, json=body)).json()
    assert result["errcode"] == 0 and result["invalidparty"] == "99"
    assert len(await _messages(client, status="delivered")) == len(county.wecom.users)


async def test_over_30_a_minute_per_member_is_dropped_silently(
    client: httpx.AsyncClient, county: County, clock: Any
) -> None:
    token = await _token(client, county)
    results = [await _send(client, token, county) for _ in range(31)]
    assert all(r["errcode"] == 0 for r in results)  # the API says ok every time
    statuses = [m["status"] for m in await _messages(client)]
    assert statuses == ["delivered"] * 30 + ["dropped"]
    clock.advance(seconds=60)
    await _send(client, token, county)
    assert (await _messages(client))[-1]["status"] == "delivered"


async def test_hourly_member_limit(make_client: Callable[..., httpx.AsyncClient], county: County, clock: Any) -> None:
    async with make_client(limits=Limits(wecom_member_per_hour=3)) as client:
        token = await _token(client, county)
        for _ in range(4):
            clock.advance(seconds=61)
            await _send(client, token, county)
        assert [m["status"] for m in await _messages(client)] == ["delivered"] * 3 + ["dropped"]


async def test_app_message_byte_limits(client: httpx.AsyncClient, county: County) -> None:
    token = await _token(client, county)
    assert (await _send(client, token, county, part={"content": "字" * 682 + "ab"}))["errcode"] == 0  # 2048 bytes
    assert (await _send(client, token, county, part={"content": "字" * 683}))["errcode"] == 45002  # 2049 bytes
    assert (await _send(client, token, county, msgtype="markdown", part={"content": "a" * 2049}))["errcode"] == 45002
    card = {"title": "账号预警", "description": "<div class=\"gray\">2025年6月18日</div>", "url": "https://x", "btntxt": "详情"}
    assert (await _send(client, token, county, msgtype="textcard", part=card))["errcode"] == 0
    assert (await _send(client, token, county, msgtype="textcard", part={**card, "title": "a" * 129}))[
        "errcode"] == 45002
    assert (await _send(client, token, county, msgtype="textcard", part={**card, "description": "a" * 513}))[
        "errcode"] == 45002
    assert (await _send(client, token, county, msgtype="textcard", part={**card, "url": ""}))["errcode"] == 40058
    rejected = await _messages(client, status="rejected")
    assert [m["reason"] for m in rejected] == ["45002", "45002", "45002", "45002", "40058"]


async def test_robot_bad_key_is_93000(client: httpx.AsyncClient) -> None:
    result = await _robot(client, "00000000-0000-0000-0000-000000000000")
    assert result["errcode"] == 93000 and result["errmsg"].startswith("invalid webhook url, hint: [")


async def test_robot_takes_20_a_minute(client: httpx.AsyncClient, county: County, clock: Any) -> None:
    key = county.wecom.robot_keys["office"]
    codes = [(await _robot(client, key))["errcode"] for _ in range(21)]
    assert codes == [0] * 20 + [45009]
    clock.advance(seconds=60)
    assert (await _robot(client, key))["errcode"] == 0
    statuses = [m["status"] for m in await _messages(client, channel="wecom_robot")]
    assert statuses.count("delivered") == 21 and statuses.count("rejected") == 1


async def test_robot_byte_limits(client: httpx.AsyncClient, county: County) -> None:
    key = county.wecom.robot_keys["matrix"]
    assert (await _robot(client, key, "text", "a" * 2048))["errcode"] == 0
    assert (await _robot(client, key, "text", "a" * 2049))["errcode"] == 40058
    assert (await _robot(client, key, "markdown", "a" * 4096))["errcode"] == 0
    too_long = await _robot(client, key, "markdown", "a" * 4097)
    assert too_long["errcode"] == 40058 and "exceed max length 4096" in too_long["errmsg"]


async def test_messages_can_be_filtered_and_cleared(client: httpx.AsyncClient, county: County) -> None:
    await _robot(client, county.wecom.robot_keys["office"])
    assert len(await _messages(client, channel="wecom_robot")) == 1
    assert await _messages(client, channel="wecom_app") == []
    await client.delete("/_sandbox/messages")
    assert await _messages(client) == []
