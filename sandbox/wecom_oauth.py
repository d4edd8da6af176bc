"""WeCom sign-in (企业微信登录) in the sandbox: WeCom's login pages, mounted under `/wecom-login`, and the
code exchange `GET /wecom/cgi-bin/auth/getuserinfo`.

`/wecom-login/wwlogin/sso/login` stands for the QR page of login.work.weixin.qq.com and
`/wecom-login/connect/oauth2/authorize` for the page authorisation of open.weixin.qq.com. Nobody scans a
code here: the page lists the corp's members, and choosing one is the scan and the confirmation (the
choice "不是本企业成员" is a WeCom user from outside the corp; "取消" declines). Then, as WeCom does, the
browser is redirected to ``redirect_uri?code=CODE&state=STATE`` (only ``state`` when declined). A code is
good once, for five minutes (40029 after), and answers ``userid`` for a member, ``openid`` for an outsider.
A wrong ``appid`` or ``agentid`` gets WeCom's error page instead of a redirect.
"""

from __future__ import annotations

import html
import secrets
import threading
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from sandbox.runtime import Sandbox
from sandbox.wecom import WeComAPI

CODE_TTL_S = 300
OUTSIDER = "~outsider"


class WeComSignIn:
    """The sandbox corp's sign-in pages and issued codes."""

    def __init__(self, sandbox: Sandbox, api: WeComAPI) -> None:
        self.sandbox, self.api = sandbox, api
        self._codes: dict[str, tuple[str, float]] = {}  # code -> (userid or OUTSIDER, issued at)
        self._lock = threading.Lock()

    def api_routes(self) -> list[Route]:
        """The exchange, mounted with the other WeCom API routes under /wecom."""
        return [Route("/cgi-bin/auth/getuserinfo", self.getuserinfo, methods=["GET"])]

    def routes(self) -> list[BaseRoute]:
        """The login pages, under /wecom-login."""
        return [Mount("/wecom-login", routes=[
            Route("/wwlogin/sso/login", self.login_page, methods=["GET"]),
            Route("/connect/oauth2/authorize", self.login_page, methods=["GET"]),
            Route("/confirm", self.confirm, methods=["GET"]),
        ])]

    async def login_page(self, request: Request) -> Response:
        """The member chooser standing for the QR scan (or for the WeCom app knowing its user)."""
        q = request.query_params
        wecom = self.sandbox.county.wecom
        target = q.get("redirect_uri", "")
        if q.get("appid") != wecom.corp_id or q.get("agentid") != str(wecom.agent_id) or not _http(target):
            return HTMLResponse("<p>参数错误（appid、agentid 或 redirect_uri）</p>", status_code=400)
        keep = {"redirect_uri": target, "state": q.get("state", "")}
        choices = [*(({"userid": u}, f"以 {u} 的身份扫码确认") for u in wecom.users),
                   ({"userid": OUTSIDER}, "不是本企业成员"), ({}, "取消")]
        links = [f'<li><a href="/wecom-login/confirm?{html.escape(urlencode({**keep, **who}))}">{html.escape(label)}</a></li>'
                 for who, label in choices]
        body = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>企业微信登录（沙盒）</title></head>"
                "<body><h1>企业微信登录（沙盒）</h1><p>请选择扫码的成员：</p><ul>" + "".join(links) + "</ul></body></html>")
        return HTMLResponse(body)

    async def confirm(self, request: Request) -> Response:
        """The member confirmed (or declined): back to the site with a fresh code."""
        q = request.query_params
        target, userid = q.get("redirect_uri", ""), q.get("userid", "")
        if not _http(target):
            return HTMLResponse("<p>参数错误（redirect_uri）</p>", status_code=400)
        answer = {"state": q.get("state", "")}
        if userid:
            code = secrets.token_urlsafe(48)
            with self._lock:
                self._codes[code] = (userid, self.sandbox.now().timestamp())
            answer = {"code": code, **answer}
        joiner = "&" if urlsplit(target).query else "?"
        return RedirectResponse(target + joiner + urlencode(answer), status_code=302)

    async def getuserinfo(self, request: Request) -> Response:
        """GET /cgi-bin/auth/getuserinfo?access_token&code: a member's userid, an outsider's openid, once."""

        async def answer() -> Response:
            token_error = self.api._token_error(request)
            if token_error:
                return self.api.error(request, token_error)
            code = request.query_params.get("code", "")
            with self._lock:
                issued = self._codes.pop(code, None)
            if issued is None or self.sandbox.now().timestamp() - issued[1] > CODE_TTL_S:
                return self.api.error(request, 40029, "invalid code")
            userid = issued[0]
            if userid == OUTSIDER:
                return self.api.ok({"openid": "o" + secrets.token_hex(13), "external_userid": ""})
            return self.api.ok({"userid": userid})

        return await self.sandbox.faults.run(request, "wecom", None, answer)


def _http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)
