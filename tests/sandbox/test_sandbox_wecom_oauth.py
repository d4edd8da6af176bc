"""WeCom sign-in in the sandbox: the chooser page, the redirect with code and state, the one-time exchange."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.county import County
from tests.sandbox.conftest import Clock

BACK = "https://console.example.gov.cn/login/wecom/callback"


async def _token(client: httpx.AsyncClient, county: County) -> str:
    body = (await client.get("/wecom/cgi-bin/gettoken",
                             params={"corpid": county.wecom.corp_id, "corpsecret": county.wecom.corp_secret})).json()
    return str(body["access_token"])


def _link(page: str, userid: str | None) -> str:
    """The address of the page's choice for ``userid`` (None: 取消), as a browser would follow it."""
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]
    if userid is None:
        return next(h for h in links if "userid=" not in h)
    return next(h for h in links if parse_qs(urlsplit(h).query).get("userid") == [userid])


async def _code(client: httpx.AsyncClient, county: County, userid: str | None, state: str = "s1") -> dict[str, list[str]]:
    """Open the QR page, choose ``userid`` (None: cancel), and read where WeCom sends the browser."""
    page = await client.get("/wecom-login/wwlogin/sso/login", params={
        "login_type": "CorpApp", "appid": county.wecom.corp_id, "agentid": county.wecom.agent_id,
        "redirect_uri": BACK, "state": state})
    assert page.status_code == 200 and "企业微信登录" in page.text
    answer = await client.get(_link(page.text, userid))
    assert answer.status_code == 302
    target = urlsplit(answer.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == BACK
    return parse_qs(target.query)


async def test_member_signs_in_once_with_a_fresh_code(client: httpx.AsyncClient, county: County) -> None:
    member = county.wecom.users[0]
    back = await _code(client, county, member, state="xyz")
    assert back["state"] == ["xyz"] and len(back["code"][0]) > 20
    token = await _token(client, county)
    first = (await client.get("/wecom/cgi-bin/auth/getuserinfo",
                              params={"access_token": token, "code": back["code"][0]})).json()
    assert first["errcode"] == 0 and first["userid"] == member
    again = (await client.get("/wecom/cgi-bin/auth/getuserinfo",
                              params={"access_token": token, "code": back["code"][0]})).json()
    assert again["errcode"] == 40029 and "userid" not in again


async def test_a_code_expires_after_five_minutes(client: httpx.AsyncClient, county: County, clock: Clock) -> None:
    back = await _code(client, county, county.wecom.users[0])
    clock.advance(seconds=301)
    token = await _token(client, county)
    late = (await client.get("/wecom/cgi-bin/auth/getuserinfo", params={"access_token": token, "code": back["code"][0]})).json()
    assert late["errcode"] == 40029


async def test_outsider_gets_an_openid_and_cancel_brings_no_code(client: httpx.AsyncClient, county: County) -> None:
    token = await _token(client, county)
    outsider = await _code(client, county, "~outsider")
    body = (await client.get("/wecom/cgi-bin/auth/getuserinfo",
                             params={"access_token": token, "code": outsider["code"][0]})).json()
    assert body["errcode"] == 0 and "userid" not in body and body["openid"]
    cancelled = await _code(client, county, None, state="c")
    assert cancelled == {"state": ["c"]}


async def test_wrong_corp_agent_or_token_is_refused(client: httpx.AsyncClient, county: County) -> None:
    wrong = await client.get("/wecom-login/connect/oauth2/authorize", params={
        "appid": "wwnotours", "agentid": county.wecom.agent_id, "redirect_uri": BACK, "state": "s",
        "response_type": "code", "scope": "snsapi_base"})
    assert wrong.status_code == 400
    agent = await client.get("/wecom-login/wwlogin/sso/login", params={
        "appid": county.wecom.corp_id, "agentid": "1", "redirect_uri": BACK, "state": "s"})
    assert agent.status_code == 400
    bad = (await client.get("/wecom/cgi-bin/auth/getuserinfo", params={"access_token": "nope", "code": "x"})).json()
    assert bad["errcode"] == 40014
