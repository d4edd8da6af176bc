"""WeChat official account: tokens, stable tokens, quotas, personas, freepublish and template messages."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from sandbox.county import County
from sandbox.runtime import Limits

RID = re.compile(r" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
TokenFetcher = Callable[[httpx.AsyncClient, str], Awaitable[str]]
YESTERDAY = {"begin_date": "2025-06-17", "end_date": "2025-06-17"}


def _errcode(response: httpx.Response) -> int:
    assert response.status_code == 200  # WeChat errors are HTTP 200
    body: dict[str, Any] = response.json()
    if "errcode" in body and body["errcode"] != 0:
        assert RID.search(body["errmsg"]), body["errmsg"]
    return int(body.get("errcode", 0))


async def _cumulate(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/datacube/getusercumulate", params={"access_token": token}, json=YESTERDAY)


async def _stable(client: httpx.AsyncClient, cred: dict[str, str], force: bool = False) -> dict[str, Any]:
    body = {"grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"], "force_refresh": force}
    result: dict[str, Any] = (await client.post("/cgi-bin/stable_token", json=body)).json()
    return result


async def test_token_success_has_no_errcode(client: httpx.AsyncClient, secrets: dict[str, dict[str, str]]) -> None:
    cred = secrets["county_wx"]
    response = await client.get(
        "/cgi-bin/token", params={"grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]}
    )
    body = response.json()
    assert set(body) == {"access_token", "expires_in"}
    assert body["expires_in"] == 7200


async def test_token_errors(client: httpx.AsyncClient, secrets: dict[str, dict[str, str]]) -> None:
    cred = secrets["county_wx"]
    base = {"grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]}
    assert _errcode(await client.get("/cgi-bin/token", params={**base, "appid": "wx0000000000000000"})) == 40013
    assert _errcode(await client.get("/cgi-bin/token", params={**base, "secret": "0" * 32})) == 40125
    assert _errcode(await client.get("/cgi-bin/token", params={**base, "grant_type": "x"})) == 40002


async def test_replaced_token_works_for_five_minutes_then_40001(
    client: httpx.AsyncClient, clock: Any, wechat_token: TokenFetcher
) -> None:
    old = await wechat_token(client, "county_wx")
    new = await wechat_token(client, "county_wx")
    assert old != new
    assert _errcode(await _cumulate(client, old)) == 0
    clock.advance(seconds=301)
    assert _errcode(await _cumulate(client, old)) == 40001
    assert _errcode(await _cumulate(client, new)) == 0


async def test_expired_token_answers_42001(client: httpx.AsyncClient, clock: Any, wechat_token: TokenFetcher) -> None:
    token = await wechat_token(client, "county_wx")
    clock.advance(seconds=7201)
    assert _errcode(await _cumulate(client, token)) == 42001


async def test_unknown_malformed_and_missing_tokens(client: httpx.AsyncClient) -> None:
    assert _errcode(await _cumulate(client, "88_" + "a" * 130)) == 40001
    assert _errcode(await _cumulate(client, "bad token!")) == 40014
    response = await client.post("/datacube/getusercumulate", json=YESTERDAY)
    assert _errcode(response) == 41001


async def test_stable_token_is_the_same_while_valid_and_renews_near_expiry(
    client: httpx.AsyncClient, clock: Any, secrets: dict[str, dict[str, str]]
) -> None:
    cred = secrets["county_wx"]
    first = await _stable(client, cred)
    assert first["expires_in"] == 7200
    clock.advance(seconds=1000)
    second = await _stable(client, cred)
    assert second == {"access_token": first["access_token"], "expires_in": 6200}
    clock.advance(seconds=6000)  # 200 s left: inside the renewal window
    renewed = await _stable(client, cred)
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 7200
    assert _errcode(await _cumulate(client, first["access_token"])) == 0  # old one lives until its expiry
    clock.advance(seconds=201)
    assert _errcode(await _cumulate(client, first["access_token"])) == 42001


async def test_stable_token_force_refresh_rules(
    client: httpx.AsyncClient, clock: Any, secrets: dict[str, dict[str, str]]
) -> None:
    cred = secrets["county_wx"]
    first = await _stable(client, cred)
    forced = await _stable(client, cred, force=True)
    assert forced["access_token"] != first["access_token"]
    assert _errcode(await _cumulate(client, first["access_token"])) == 40001  # invalidated at once
    assert (await _stable(client, cred, force=True))["errcode"] == 45011  # < 30 s since the last one
    for _ in range(19):
        clock.advance(seconds=31)
        assert "access_token" in await _stable(client, cred, force=True)
    clock.advance(seconds=31)
    assert (await _stable(client, cred, force=True))["errcode"] == 45009  # 20 a day


async def test_token_daily_quota_45009(make_client: Callable[..., httpx.AsyncClient], wechat_token: TokenFetcher,
                                       secrets: dict[str, dict[str, str]]) -> None:
    cred = secrets["county_wx"]
    async with make_client(limits=Limits(wechat_token_daily=3)) as client:
        for _ in range(3):
            await wechat_token(client, "county_wx")
        response = await client.get(
            "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]},
        )
        assert _errcode(response) == 45009


async def test_per_minute_quota_45011(
    make_client: Callable[..., httpx.AsyncClient], clock: Any, wechat_token: TokenFetcher
) -> None:
    async with make_client(limits=Limits(wechat_per_minute=2)) as client:
        token = await wechat_token(client, "county_wx")
        assert [_errcode(await _cumulate(client, token)) for _ in range(3)] == [0, 0, 45011]
        clock.advance(seconds=60)
        assert _errcode(await _cumulate(client, token)) == 0


async def test_ip_blocked_account_answers_40164_everywhere(
    client: httpx.AsyncClient, secrets: dict[str, dict[str, str]], credential_of: Callable[[str], str]
) -> None:
    cred = secrets[credential_of("ip_blocked")]
    response = await client.get(
        "/cgi-bin/token", params={"grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]}
    )
    assert _errcode(response) == 40164
    assert "not in whitelist" in response.json()["errmsg"]
    assert "errcode" in await _stable(client, cred)


async def test_unverified_account_gets_tokens_but_48001_on_data(
    client: httpx.AsyncClient, wechat_token: TokenFetcher, credential_of: Callable[[str], str]
) -> None:
    token = await wechat_token(client, credential_of("unverified"))
    assert _errcode(await _cumulate(client, token)) == 48001
    response = await client.post(
        "/cgi-bin/freepublish/batchget", params={"access_token": token}, json={"offset": 0, "count": 20, "no_content": 1}
    )
    assert _errcode(response) == 48001


async def _batchget(client: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    return await client.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json=body)


async def test_freepublish_lists_only_published_articles(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    token = await wechat_token(client, "county_wx")
    flagship = county.flagship_wechat
    published = {p.article_id for p in flagship.posts if not p.mass_sent}
    seen: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = (await _batchget(client, token, offset=offset, count=20, no_content=1)).json()
        assert body["total_count"] == len(published)
        if not body["item"]:
            break
        assert body["item_count"] == len(body["item"])
        seen.extend(body["item"])
        offset += 20
    assert {item["article_id"] for item in seen} == published
    assert all(isinstance(item["update_time"], int) for item in seen)
    assert [i["update_time"] for i in seen] == sorted((i["update_time"] for i in seen), reverse=True)
    news = seen[0]["content"]["news_item"][0]
    assert news["content"] == "" and isinstance(news["is_deleted"], bool)
    mass_titles = {p.url for p in flagship.posts if p.mass_sent}
    assert not mass_titles & {n["url"] for item in seen for n in item["content"]["news_item"]}
    # The newest send is mass-sent: freepublish alone would report the account older than it is.
    newest = flagship.posts[0]
    assert newest.mass_sent and seen[0]["update_time"] < int(newest.published_at.timestamp())


async def test_freepublish_content_and_count_bounds(client: httpx.AsyncClient, wechat_token: TokenFetcher) -> None:
    token = await wechat_token(client, "county_wx")
    full = (await _batchget(client, token, offset=0, count=1, no_content=0)).json()
    assert full["item"][0]["content"]["news_item"][0]["content"].startswith("<section>")
    assert _errcode(await _batchget(client, token, offset=0, count=0)) == 40035
    assert _errcode(await _batchget(client, token, offset=0, count=21)) == 40035
    assert _errcode(await _batchget(client, token, count=5)) == 47001


async def test_freepublish_daily_quota_100(client: httpx.AsyncClient, clock: Any, wechat_token: TokenFetcher,
                                           credential_of: Callable[[str], str]) -> None:
    token = await wechat_token(client, credential_of("township"))
    codes = []
    for _ in range(101):
        clock.advance(seconds=1)  # stay under the per-minute limit: only the daily one may trip
        codes.append(_errcode(await _batchget(client, token, offset=0, count=1, no_content=1)))
    assert codes[:100] == [0] * 100 and codes[100] == 45009


async def test_template_message_is_recorded(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    token = await wechat_token(client, "county_wx")
    openid = county.openids["hutuo_ca78f0"]
    template = county.template_ids["account_warning"]
    body = {"touser": openid, "template_id": template, "data": {"thing3": {"value": "西河乡讯"}}}
    response = await client.post("/cgi-bin/message/template/send", params={"access_token": token}, json=body)
    result = response.json()
    assert result["errcode"] == 0 and result["errmsg"] == "ok" and isinstance(result["msgid"], int)
    messages = (await client.get("/_sandbox/messages", params={"channel": "wechat_template"})).json()
    assert messages[0]["to"] == openid and messages[0]["status"] == "delivered"
    bad = await client.post("/cgi-bin/message/template/send", params={"access_token": token},
                            json={**body, "template_id": "nope"})
    assert _errcode(bad) == 40037
    stranger = await client.post("/cgi-bin/message/template/send", params={"access_token": token},
                                 json={**body, "touser": "o" + "x" * 27})
    assert _errcode(stranger) == 43004


async def test_template_message_needs_the_service_account(
    client: httpx.AsyncClient, county: County, wechat_token: TokenFetcher
) -> None:
    token = await wechat_token(client, "d01_wx")
    body = {"touser": county.openids["hutuo_ca78f0"], "template_id": county.template_ids["account_warning"], "data": {}}
    response = await client.post("/cgi-bin/message/template/send", params={"access_token": token}, json=body)
    assert _errcode(response) == 48001
