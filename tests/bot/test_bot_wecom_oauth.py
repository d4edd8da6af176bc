"""WeCom sign-in (bot.wecom_oauth): the two authorize addresses, the exchange against the sandbox, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette

from bot.wecom_app import TokenCache
from bot.wecom_oauth import WeComSignIn
from sandbox.county import County
from tests.sandbox.conftest import client_for

BACK = "https://console.example.gov.cn/login/wecom/callback"


def _sign_in(app: Starlette, county: County, secret: str | None = None) -> WeComSignIn:
    @asynccontextmanager
    async def client() -> AsyncIterator[httpx.AsyncClient]:
        async with client_for(app) as c:
            yield c

    w = county.wecom
    return WeComSignIn(client, "http://sandbox/wecom", w.corp_id, secret or w.corp_secret, w.agent_id,
                       login_base="http://sandbox/wecom-login", oauth_base="http://sandbox/wecom-login",
                       tokens=TokenCache())


def test_authorize_addresses_for_a_browser_and_inside_wecom(app: Starlette, county: County) -> None:
    s = _sign_in(app, county)
    qr = urlsplit(s.authorize_url(BACK, "st", in_wecom=False))
    assert qr.path == "/wecom-login/wwlogin/sso/login"
    assert parse_qs(qr.query) == {"login_type": ["CorpApp"], "appid": [county.wecom.corp_id],
                                  "agentid": [str(county.wecom.agent_id)], "redirect_uri": [BACK], "state": ["st"]}
    inside = s.authorize_url(BACK, "st", in_wecom=True)
    assert inside.endswith("#wechat_redirect")
    q = parse_qs(urlsplit(inside).query)
    assert q["scope"] == ["snsapi_base"] and q["response_type"] == ["code"] and q["redirect_uri"] == [BACK]


async def _code_for(app: Starlette, county: County, userid: str) -> str:
    async with client_for(app) as c:
        answer = await c.get("/wecom-login/confirm", params={"redirect_uri": BACK, "state": "s", "userid": userid})
    return parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]


async def test_a_member_code_gives_the_userid_once(app: Starlette, county: County) -> None:
    s = _sign_in(app, county)
    code = await _code_for(app, county, county.wecom.users[1])
    assert (await s.member(code)).userid == county.wecom.users[1]
    again = await s.member(code)
    assert again.userid is None and "已使用或已过期" in again.problem_zh


async def test_an_outsider_a_bad_secret_and_a_junk_code_are_refused(app: Starlette, county: County) -> None:
    s = _sign_in(app, county)
    outsider = await s.member(await _code_for(app, county, "~outsider"))
    assert outsider.userid is None and "不是本单位企业微信成员" in outsider.problem_zh
    secret = "S" * 43
    bad = await _sign_in(app, county, secret=secret).member(await _code_for(app, county, county.wecom.users[0]))
    assert bad.userid is None and "40001" in bad.problem_zh and secret not in bad.problem_zh + bad.problem_en
    assert (await s.member("x" * 600)).userid is None
    assert (await s.member("")).userid is None


async def test_an_expired_token_is_fetched_again_once() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/gettoken"):
            return httpx.Response(200, json={"errcode": 0, "access_token": f"T{len(calls)}", "expires_in": 7200})
        if request.url.params["access_token"] == "T1":
            return httpx.Response(200, json={"errcode": 42001, "errmsg": "access_token expired"})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "userid": "zhangsan"})

    @asynccontextmanager
    async def client() -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as c:
            yield c

    s = WeComSignIn(client, "https://qyapi.weixin.qq.com", "wwcorp", "secret", 1000002, tokens=TokenCache())
    assert (await s.member("CODE")).userid == "zhangsan"
    assert calls == ["/cgi-bin/gettoken", "/cgi-bin/auth/getuserinfo", "/cgi-bin/gettoken", "/cgi-bin/auth/getuserinfo"]
