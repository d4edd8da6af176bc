"""WeCom sign-in (企业微信登录) for the web console: where to send the browser, and whose code came back.

Two ways in, as WeCom documents them: in a plain browser the member scans a QR code on WeCom's login
page (``login.work.weixin.qq.com/wwlogin/sso/login``, ``login_type=CorpApp``); inside the WeCom app the
page authorisation (``open.weixin.qq.com/connect/oauth2/authorize``, ``scope=snsapi_base``,
``#wechat_redirect``) identifies the member silently. Either way WeCom redirects to our ``redirect_uri``
with ``code`` and ``state`` (no ``code`` when the member declined), and the server exchanges the code,
once, within five minutes, for the member's ``userid``: ``GET /cgi-bin/auth/getuserinfo``. A person who is
not a member of the corp comes back with an ``openid`` instead, and is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from bot.notifier import SendResult
from bot.wecom_api import call_json, describe, errcode
from bot.wecom_app import PROCESS_TOKENS, TOKEN_ERRCODES, TokenCache, app_token

LOGIN_BASE = "https://login.work.weixin.qq.com"
OAUTH_BASE = "https://open.weixin.qq.com"
#: The code was used already, expired (five minutes) or never issued.
INVALID_CODE = 40029
#: WeCom's cap on a code's length; anything longer is not one of theirs.
CODE_MAX = 512


@dataclass(frozen=True)
class Member:
    """The outcome of one exchange: the member's userid, or why there is none (Chinese, then English)."""

    userid: str | None
    problem_zh: str = ""
    problem_en: str = ""


ClientFactory = Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]


class WeComSignIn:
    """The sign-in of one corp's self-built app (`[wecom] corp_id`, `agent_id`, the credential's secret)."""

    def __init__(self, client: ClientFactory, api_base: str, corp_id: str, secret: str, agent_id: int, *,
                 login_base: str = LOGIN_BASE, oauth_base: str = OAUTH_BASE, tokens: TokenCache | None = None) -> None:
        self._client = client
        self._api = api_base.rstrip("/")
        self._corp_id, self._secret, self._agent_id = corp_id, secret, agent_id
        self._login, self._oauth = login_base.rstrip("/"), oauth_base.rstrip("/")
        self._tokens = tokens if tokens is not None else PROCESS_TOKENS

    def authorize_url(self, redirect_uri: str, state: str, *, in_wecom: bool) -> str:
        """Where the browser goes: the silent page authorisation inside WeCom, else the QR login page."""
        if in_wecom:
            query = urlencode({"appid": self._corp_id, "redirect_uri": redirect_uri, "response_type": "code",
                               "scope": "snsapi_base", "state": state, "agentid": self._agent_id})
            return f"{self._oauth}/connect/oauth2/authorize?{query}#wechat_redirect"
        query = urlencode({"login_type": "CorpApp", "appid": self._corp_id, "agentid": self._agent_id,
                           "redirect_uri": redirect_uri, "state": state})
        return f"{self._login}/wwlogin/sso/login?{query}"

    async def member(self, code: str) -> Member:
        """Exchange a code for the member's userid (one fresh token on an expired one)."""
        if not code or len(code) > CODE_MAX:
            return Member(None, "登录凭证无效", "invalid sign-in code")
        async with self._client() as client:
            for refresh in (False, True):
                token = await app_token(client, self._api, self._corp_id, self._secret, self._tokens, refresh=refresh)
                if isinstance(token, SendResult):
                    return Member(None, "无法连接企业微信：" + token.error, "WeCom unavailable: " + token.error)
                data = await call_json(client, "GET", f"{self._api}/cgi-bin/auth/getuserinfo",
                                       (self._secret, token, code), "wecom getuserinfo",
                                       params={"access_token": token, "code": code})
                if isinstance(data, SendResult):
                    return Member(None, "无法连接企业微信：" + data.error, "WeCom unavailable: " + data.error)
                if errcode(data) in TOKEN_ERRCODES and not refresh:
                    continue
                return self._read(data, (self._secret, token, code))
        raise AssertionError("unreachable")

    @staticmethod
    def _read(data: dict[str, object], secrets: tuple[str, ...]) -> Member:
        code = errcode(data)
        if code == INVALID_CODE:
            return Member(None, "登录凭证已使用或已过期，请重新登录", "the sign-in code was used or has expired")
        if code != 0:
            text = describe("wecom getuserinfo", data, secrets)
            return Member(None, "企业微信拒绝了登录：" + text, "WeCom refused the sign-in: " + text)
        userid = data.get("userid") or data.get("UserId")  # the older user/getuserinfo spelled it UserId
        if isinstance(userid, str) and userid:
            return Member(userid)
        return Member(None, "该企业微信用户不是本单位企业微信成员", "not a member of the county's WeCom")
