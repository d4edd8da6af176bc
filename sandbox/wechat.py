"""WeChat official account API (api.weixin.qq.com), served at the app root.

Routes: `GET /cgi-bin/token`, `POST /cgi-bin/stable_token`, `POST /cgi-bin/freepublish/batchget`,
`POST /cgi-bin/message/template/send`; the datacube routes live in `sandbox.datacube` and use this
module's token checks. Errors are HTTP 200 `{"errcode": N, "errmsg": "… rid: …"}`; successes carry no
errcode except the template send. Per persona: `ip_blocked` answers 40164 to every call, `unverified`
answers 48001 on data and publishing calls.
"""

from __future__ import annotations

import hashlib
import re
import string
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.county import Account, Post
from sandbox.runtime import Sandbox, client_ip, json_body

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest, could get access_token by "
    "getStableAccessToken, more details at https://mmbizurl.cn/s/JtxxFh33r",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40035: "invalid args",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    43004: "require subscribe",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47001: "data format error",
    47003: "argument invalid! data invalid",
    48001: "api unauthorized",
    50002: "user limited",
    61500: "date format error",
    61501: "date range error",
    88000: "without comment privilege",
    88001: "msg_data is not exists",
    88010: "count range error. cout <= 0 or count > 50",
}
_TOKEN_RE = re.compile(r"[A-Za-z0-9_\-]{16,512}")
_TOKEN_CHARS = string.ascii_letters + string.digits + "_-"

Handler = Callable[[Account], Awaitable[Response]]


def error(sandbox: Sandbox, code: int, ip: str = "127.0.0.1") -> JSONResponse:
    """A WeChat error body (HTTP 200), errmsg ending with a request id."""
    text = f"invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist" if code == 40164 else ERRMSG.get(code, "system error")
    return JSONResponse({"errcode": code, "errmsg": f"{text} rid: {sandbox.rid()}"})


@dataclass
class Token:
    """An issued access token; `revoked` is when a replacement made it stale."""

    value: str
    appid: str
    expires: float
    revoked: float | None = None


class WeChatAPI:
    """Token state and the official-account routes of one sandbox."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._tokens: dict[str, Token] = {}
        self._current: dict[tuple[str, str], Token] = {}
        self._last_force: dict[str, float] = {}
        self._lock = threading.Lock()
        sandbox.faults.register("wechat", lambda request, code: error(sandbox, code, client_ip(request)))

    def routes(self) -> list[BaseRoute]:
        """The official-account routes (datacube excluded)."""
        return [
            Route("/cgi-bin/token", self.token, methods=["GET"]),
            Route("/cgi-bin/stable_token", self.stable_token, methods=["POST"]),
            Route("/cgi-bin/freepublish/batchget", self.freepublish_batchget, methods=["POST"]),
            Route("/cgi-bin/message/template/send", self.template_send, methods=["POST"]),
        ]

    # --- tokens -------------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        """GET /cgi-bin/token: a fresh token; the previous one stays valid for the overlap period."""
        query = request.query_params
        account = self.sandbox.county.by_appid(query.get("appid", ""))

        async def answer() -> Response:
            refused = self._refuse_credentials(request, query.get("grant_type"), query.get("appid"), query.get("secret"))
            if refused is not None:
                return refused
            appid = query["appid"]
            if self.sandbox.counters.hit("token", appid, self.sandbox.today()) > self.sandbox.limits.wechat_token_daily:
                return error(self.sandbox, 45009)
            now = self.sandbox.now().timestamp()
            token = self._issue(appid, "token", revoke_old_at=now + self.sandbox.limits.token_overlap)
            return JSONResponse({"access_token": token.value, "expires_in": self.sandbox.limits.token_ttl})

        return await self.sandbox.faults.run(request, "wechat", account.uid if account else None, answer)

    async def stable_token(self, request: Request) -> Response:
        """POST /cgi-bin/stable_token: the same token while valid; force_refresh replaces it at once."""
        body = await json_body(request)
        account = self.sandbox.county.by_appid(str((body or {}).get("appid", "")))

        async def answer() -> Response:
            if body is None:
                return error(self.sandbox, 47001)
            refused = self._refuse_credentials(request, body.get("grant_type"), body.get("appid"), body.get("secret"))
            if refused is not None:
                return refused
            return self._stable(str(body["appid"]), body.get("force_refresh") is True)

        return await self.sandbox.faults.run(request, "wechat", account.uid if account else None, answer)

    def _stable(self, appid: str, force: bool) -> Response:
        sb, limits = self.sandbox, self.sandbox.limits
        if sb.counters.hit("stable-day", appid, sb.today()) > limits.wechat_stable_daily:
            return error(sb, 45009)
        if sb.counters.hit("stable-minute", appid, sb.minute()) > limits.wechat_stable_per_minute:
            return error(sb, 45011)
        now = sb.now().timestamp()
        with self._lock:
            current = self._current.get((appid, "stable"))
        if force:
            if sb.counters.get("force", appid, sb.today()) >= limits.wechat_force_refresh_daily:
                return error(sb, 45009)
            if now - self._last_force.get(appid, float("-inf")) < limits.wechat_force_refresh_interval:
                return error(sb, 45011)
            sb.counters.hit("force", appid, sb.today())
            self._last_force[appid] = now
            token = self._issue(appid, "stable", revoke_old_at=now)
        elif current is None or self._status(current, now) != 0 or current.expires - now < limits.token_overlap:
            # Renewal inside the last five minutes leaves the old token valid until its own expiry.
            token = self._issue(appid, "stable", revoke_old_at=None)
        else:
            token = current
        return JSONResponse({"access_token": token.value, "expires_in": int(token.expires - now)})

    def _refuse_credentials(
        self, request: Request, grant_type: Any, appid: Any, secret: Any
    ) -> Response | None:
        if grant_type != "client_credential":
            return error(self.sandbox, 40002)
        if not appid:
            return error(self.sandbox, 41002)
        if not secret:
            return error(self.sandbox, 41004)
        account = self.sandbox.county.by_appid(str(appid))
        if account is None:
            return error(self.sandbox, 40013)
        if account.persona == "ip_blocked":
            return error(self.sandbox, 40164, client_ip(request))
        if secret != account.secret:
            return error(self.sandbox, 40125)
        return None

    def _issue(self, appid: str, kind: str, revoke_old_at: float | None) -> Token:
        now = self.sandbox.now().timestamp()
        value = f"{self.sandbox.rng.randint(80, 99)}_" + "".join(self.sandbox.rng.choices(_TOKEN_CHARS, k=133))
        token = Token(value, appid, now + self.sandbox.limits.token_ttl)
        with self._lock:
            old = self._current.get((appid, kind))
            if old is not None and revoke_old_at is not None:
                old.revoked = min(old.revoked if old.revoked is not None else revoke_old_at, revoke_old_at)
            self._current[(appid, kind)] = token
            self._tokens[value] = token
        return token

    @staticmethod
    def _status(token: Token, now: float) -> int:
        """0 if usable, 40001 if replaced and past the overlap, 42001 if expired."""
        if token.revoked is not None and token.revoked <= token.expires and now >= token.revoked:
            return 40001
        return 42001 if now >= token.expires else 0

    # --- guarded data calls -------------------------------------------------------------------

    async def guard(
        self, request: Request, endpoint: str, handler: Handler, daily: int | None = None, verified_only: bool = True
    ) -> Response:
        """Check token, persona and quotas (faults in between), then answer with `handler(account)`."""
        sb = self.sandbox
        value = request.query_params.get("access_token", "")
        token = self._tokens.get(value)
        owner = sb.county.by_appid(token.appid) if token else None

        async def answer() -> Response:
            if not value:
                return error(sb, 41001)
            if token is None or owner is None:
                return error(sb, 40001 if _TOKEN_RE.fullmatch(value) else 40014)
            status = self._status(token, sb.now().timestamp())
            if status:
                return error(sb, status)
            if owner.persona == "ip_blocked":
                return error(sb, 40164, client_ip(request))
            if verified_only and owner.persona == "unverified":
                return error(sb, 48001)
            if sb.counters.hit("minute", owner.appid, endpoint, sb.minute()) > sb.limits.wechat_per_minute:
                return error(sb, 45011)
            if daily is not None and sb.counters.hit("day", owner.appid, endpoint, sb.today()) > daily:
                return error(sb, 45009)
            return await handler(owner)

        return await sb.faults.run(request, "wechat", owner.uid if owner else None, answer)

    # --- publishing and messages --------------------------------------------------------------

    async def freepublish_batchget(self, request: Request) -> Response:
        """POST /cgi-bin/freepublish/batchget: free-published articles only, newest first."""

        async def answer(account: Account) -> Response:
            body = await json_body(request)
            if body is None or not all(isinstance(body.get(k), int) for k in ("offset", "count")):
                return error(self.sandbox, 47001)
            offset, count, no_content = body["offset"], body["count"], body.get("no_content", 0)
            if offset < 0 or not 1 <= count <= 20:
                return error(self.sandbox, 40035)
            sends: dict[str, list[Post]] = {}
            for post in account.posts_until(self.sandbox.now()):
                if not post.mass_sent:
                    sends.setdefault(post.article_id, []).append(post)
            page = list(sends.items())[offset:offset + count]
            items = [
                {
                    "article_id": article_id,
                    "update_time": int(posts[0].published_at.timestamp()),
                    "content": {"news_item": [_news_item(account, p, bool(no_content)) for p in posts]},
                }
                for article_id, posts in page
            ]
            return JSONResponse({"total_count": len(sends), "item_count": len(items), "item": items})

        return await self.guard(
            request, "freepublish/batchget", answer, daily=self.sandbox.limits.wechat_freepublish_daily
        )

    async def template_send(self, request: Request) -> Response:
        """POST /cgi-bin/message/template/send: recorded; only the flagship service account may send."""
        sb = self.sandbox

        async def answer(account: Account) -> Response:
            if account.uid != sb.county.flagship_wechat.uid:
                return error(sb, 48001)  # subscription accounts have no template messages
            body = await json_body(request)
            if body is None:
                return error(sb, 47001)
            touser, template_id = str(body.get("touser", "")), body.get("template_id")
            if touser not in sb.county.openids.values():
                return error(sb, 43004 if re.fullmatch(r"o[A-Za-z0-9_\-]{27}", touser) else 40003)
            if template_id not in sb.county.template_ids.values():
                return error(sb, 40037)
            if not isinstance(body.get("data"), dict):
                return error(sb, 47003)
            message = sb.recorder.add("wechat_template", sb.now(), touser, "template", body, "delivered")
            msgid = 200_228_332 + message.seq
            return JSONResponse({"errcode": 0, "errmsg": "ok", "msgid": msgid})

        return await self.guard(request, "message/template/send", answer, verified_only=True)


def _news_item(account: Account, post: Post, no_content: bool) -> dict[str, Any]:
    media = hashlib.sha256(post.id.encode() + account.uid.encode()).hexdigest()
    return {
        "title": post.title,
        "author": account.name,
        "digest": post.text[:54],
        "content": "" if no_content else f"<section><p>{post.text}</p></section>",
        "content_source_url": "",
        "thumb_media_id": media[:43],
        "thumb_url": f"http://mmbiz.qpic.cn/mmbiz_jpg/{media[:40]}/0?wx_fmt=jpeg",
        "need_open_comment": 0 if account.interaction == "无" else 1,
        "only_fans_can_comment": 0,
        "url": post.url,
        "is_deleted": post.deleted,
    }
